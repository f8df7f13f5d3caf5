"""One real refresh for the reports tests: the default synthetic set, plus a planted
organisation (LA98) whose 30 holders include only 9 for whom paid work is relevant
(7 of them positive, 77.8%), run through `poet run`, which builds the report pack
and publishes it with the analysts' warehouse."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock
from report_planting import POET, plant_organisation

from dagster_project.settings import REPO_ROOT, isolated_environment


def _refresh(root: Path) -> dict:
    env = isolated_environment(root)
    env.pop("POET_REPORTS", None)
    subprocess.run(
        # The default set (the 2014 survey's size): the regressions need 500 complete cases.
        [POET, "synth", "--out", env["POET_LANDING_DIR"]],
        check=True, env=env, cwd=REPO_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    plant_organisation(Path(env["POET_LANDING_DIR"]))
    run = subprocess.run([POET, "run"], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (root / "refreshed.ok").touch()
    return env


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory, worker_id) -> tuple[Path, dict]:
    """Built once per test session: under pytest-xdist the first worker that needs it
    builds it in the session's shared temporary folder and the other one waits for it
    (the modules using it only read it; test_loaded_tables works on a copy)."""
    if worker_id == "master":
        root = tmp_path_factory.mktemp("reports")
        return root, _refresh(root)
    root = tmp_path_factory.getbasetemp().parent / "reports-refresh"
    with FileLock(f"{root}.lock"):
        if (root / "refreshed.ok").exists():
            env = isolated_environment(root)
            env.pop("POET_REPORTS", None)
            return root, env
        shutil.rmtree(root, ignore_errors=True)  # a build that failed half-way
        root.mkdir()
        return root, _refresh(root)


@pytest.fixture(scope="session")
def pack(refreshed) -> Path:
    return refreshed[0] / "reports"


@pytest.fixture(scope="session")
def published(refreshed) -> Path:
    return refreshed[0] / "poet.duckdb"
