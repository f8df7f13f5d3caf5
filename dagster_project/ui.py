"""`poet ui`: the Dagster UI and its daemon, stopped cleanly on Ctrl-C or SIGTERM.

Two children, each in a process group of its own: `dagster-webserver` (the UI) and
`dagster-daemon` (the sensor, the schedule and the run queue), both loading the code
location `poet` from workspace.yaml. (`dagster dev` would start the same two, but it is
superseded in Dagster 1.13 and warns on every start; its replacement `dg` is not part of
this stack.) On SIGINT or SIGTERM `poet ui` asks both to stop (SIGINT), waits a few
seconds, then kills whatever is left of their process groups, so no process outlives
the command.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster_project.settings import REPO_ROOT, Settings

WORKSPACE = REPO_ROOT / "workspace.yaml"  # names the code location `poet`
GRACE_SECONDS = 8.0


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def commands(host: str, port: int) -> list[list[str]]:
    return [
        [_bin("dagster-webserver"), "-w", str(WORKSPACE), "-h", host, "-p", str(port)],
        [_bin("dagster-daemon"), "run", "-w", str(WORKSPACE)],
    ]


def environment(settings: Settings) -> dict[str, str]:
    """The children's environment: the resolved settings, so they read the same paths."""
    return {
        **os.environ,
        "POET_LANDING_DIR": str(settings.landing_dir),
        "POET_WAREHOUSE": str(settings.warehouse),
        "POET_PUBLISHED": str(settings.published),
        "DAGSTER_HOME": str(settings.dagster_home),
    }


def _signal_groups(processes: list[subprocess.Popen], sig: int) -> None:
    for process in processes:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass


def _stop(processes: list[subprocess.Popen]) -> None:
    """SIGINT to each child's group, then SIGKILL to what is left after the grace period."""
    _signal_groups([p for p in processes if p.poll() is None], signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    while any(p.poll() is None for p in processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    _signal_groups(processes, signal.SIGKILL)  # the grandchildren (code servers), if any
    for process in processes:
        process.wait()


def _initialise_storage(settings: Settings) -> None:
    """Create (and migrate) the instance's SQLite storages once, before the webserver and
    the daemon start: both would otherwise create them at the same moment on a new
    DAGSTER_HOME, and the loser fails ("more than one head present")."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        instance.get_runs(limit=1)
        _ = instance.event_log_storage, instance.schedule_storage


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 3000) -> int:
    settings.prepare_dagster_home()
    _initialise_storage(settings)
    print(f"poet: Dagster UI on http://{host}:{port} (Ctrl-C stops it)", flush=True)
    stopping = False

    def on_signal(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[subprocess.Popen] = []
    code = 0
    try:
        for command in commands(host, port):
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=REPO_ROOT,
                    env=environment(settings),
                    start_new_session=True,  # its own process group: stopped as a whole
                )
            )
        # Either child ending ends the UI: a UI without its daemon would not run the queue.
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        code = next(p.returncode for p in processes if p.returncode is not None)
    except KeyboardInterrupt:
        code = 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop(processes)
    if stopping:
        print("poet: Dagster UI stopped", flush=True)
        return 0
    return code
