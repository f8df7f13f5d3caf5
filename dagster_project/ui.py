"""`poet ui`: the Dagster UI and daemon, stopped cleanly on Ctrl-C or SIGTERM.

`dagster dev` starts the webserver, the daemon and a code server as its children. It is
started in a session of its own; on SIGINT or SIGTERM `poet ui` asks it to stop (SIGINT,
what `dagster dev` handles), waits a few seconds, then kills whatever of that session
is left, so no process outlives the command.
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


def dagster_command(host: str, port: int) -> list[str]:
    dagster = str(Path(sys.executable).with_name("dagster"))
    return [dagster, "dev", "-w", str(WORKSPACE), "-h", host, "-p", str(port)]


def environment(settings: Settings) -> dict[str, str]:
    """The child's environment: the resolved settings, so it reads the same paths."""
    return {
        **os.environ,
        "POET_LANDING_DIR": str(settings.landing_dir),
        "POET_WAREHOUSE": str(settings.warehouse),
        "POET_PUBLISHED": str(settings.published),
        "DAGSTER_HOME": str(settings.dagster_home),
    }


def _stop(process: subprocess.Popen) -> None:
    """SIGINT to dagster dev, then SIGKILL to its whole session after the grace period."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + GRACE_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the children dagster dev left, if any
    except ProcessLookupError:
        pass
    process.wait()


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 3000) -> int:
    settings.prepare_dagster_home()
    print(f"poet: Dagster UI on http://{host}:{port} (Ctrl-C stops it)", flush=True)
    process = subprocess.Popen(
        dagster_command(host, port),
        cwd=REPO_ROOT,
        env=environment(settings),
        start_new_session=True,  # its own process group: stopped as a whole
    )
    stopping = False

    def on_signal(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = process.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop(process)
    if stopping:
        print("poet: Dagster UI stopped", flush=True)
        return 0
    return code
