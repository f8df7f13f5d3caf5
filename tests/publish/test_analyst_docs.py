"""`poet docs` builds the dbt documentation of the published tables and serves it,
without the user setting any variable (the settings' defaults are used)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from readme_queries import build_working

from dagster_project.publish.publisher import publish
from dagster_project.settings import REPO_ROOT, isolated_environment

POET = str(Path(sys.executable).parent / "poet")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return None


@pytest.mark.slow
def test_poet_docs_builds_and_serves_the_documentation(tmp_path):
    env = isolated_environment(tmp_path)
    build_working(str(tmp_path / "working.duckdb"))
    publish(tmp_path / "working.duckdb", Path(env["POET_PUBLISHED"]), "run-1", log=lambda _: None)
    port = _free_port()
    server = subprocess.Popen(
        [POET, "docs", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        page = None
        while page is None and time.monotonic() < deadline and server.poll() is None:
            time.sleep(2)
            page = _get(f"http://127.0.0.1:{port}/index.html")
        assert page is not None, server.stdout.read() if server.poll() is not None else "no page"
        catalog = json.loads(_get(f"http://127.0.0.1:{port}/catalog.json"))
    finally:
        # Ctrl-C as a terminal sends it: to the whole group, `dbt docs serve` included
        # (signalling `poet` alone left the dbt server running after the test).
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert b"dbt" in page.lower()
    # The catalog describes the published tables, labels included.
    odds = catalog["sources"]["source.poet.statistics.odds_ratios"]["columns"]
    assert {"factor_label", "outcome_label", "report_table"} <= {c.lower() for c in odds}
    assert (REPO_ROOT / "dbt_project" / "target" / "docs" / "index.html").exists()
