"""`poet ui`: the code location is named poet, and SIGTERM stops every process it started."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request

import psutil
import pytest

from dagster_project.settings import REPO_ROOT, isolated_environment

pytestmark = pytest.mark.slow

LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _locations(port: int) -> list[dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": LOCATIONS}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]["workspaceOrError"]["locationEntries"]


def test_ui_names_the_location_poet_and_stops_cleanly_on_sigterm(tmp_path):
    """Through `make ui`, which execs `poet ui --port`: the one path covers both (each
    start of the UI costs about 25 s of the suite)."""
    env = isolated_environment(tmp_path)
    port = _free_port()
    command = ["make", "--no-print-directory", "ui", f"UI_PORT={port}"]
    log = (tmp_path / "ui.log").open("w")
    process = subprocess.Popen(
        command,
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, (tmp_path / "ui.log").read_text()[-2000:]
            try:
                entries = _locations(port)
                if entries and entries[0]["loadStatus"] == "LOADED":
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the UI did not load its code location in 240 s"
            time.sleep(1)
        assert [entry["name"] for entry in entries] == ["poet"]

        started = psutil.Process(process.pid).children(recursive=True)
        assert started, "the UI should run the webserver and the daemon"
        names = " ".join(" ".join(p.cmdline()) for p in started)
        assert "dagster-webserver" in names and "dagster-daemon" in names
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]:
            assert time.monotonic() < deadline, [p.pid for p in started if p.is_running()]
            time.sleep(0.2)
        output = (tmp_path / "ui.log").read_text()
        assert "Warning" not in output, output[-2000:]
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
