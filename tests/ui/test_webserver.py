"""The Dagster UI: the real webserver loads the code location and lists assets and jobs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dagster_project.settings import REPO_ROOT, isolated_environment

WORKSPACE_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation {
            repositories {
              name
              jobs { name }
              assetNodes { assetKey { path } }
              sensors { name }
              schedules { name }
            }
          }
        }
      }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    env = isolated_environment(root)
    home = Path(env["DAGSTER_HOME"])
    home.mkdir()
    port = _free_port()
    log = (home / "webserver.log").open("w")
    webserver_bin = Path(sys.executable).parent / "dagster-webserver"
    process = subprocess.Popen(
        [
            str(webserver_bin),
            "-m",
            "dagster_project.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"webserver exited early: {(home / 'webserver.log').read_text()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("webserver did not answer within 180 s")
                time.sleep(1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_code_location_loads_with_assets_and_jobs(webserver):
    payload = _graphql(webserver, WORKSPACE_QUERY)
    assert "errors" not in payload, payload.get("errors")
    entries = payload["data"]["workspaceOrError"]["locationEntries"]
    assert len(entries) == 1
    location = entries[0]["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location.get("message")

    repository = location["repositories"][0]
    jobs = {job["name"] for job in repository["jobs"]}
    assert "full_refresh" in jobs

    assets = {"/".join(node["assetKey"]["path"]) for node in repository["assetNodes"]}
    expected = {
        "raw/holders",
        "raw/carers",
        "raw/file_registry",
        "staging/stg_holders",
        "recoded/rec_holders",
        "marts/holder_responses",
        "marts/outcome_summary",
        "marts/odds_ratios",
        "marts/regression_models",
        "marts/report_fidelity",
        "publish/analysts_warehouse",
    }
    assert expected <= assets, sorted(expected - assets)

    assert "landing_sensor" in {s["name"] for s in repository["sensors"]}
    assert "nightly_full_refresh" in {s["name"] for s in repository["schedules"]}
