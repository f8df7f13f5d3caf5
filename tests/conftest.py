"""Set-up shared by every stage's tests.

The dbt manifest is prepared once, in the main pytest process, before any worker starts:
`make test` runs the suite on two pytest-xdist workers (`-n 2 --dist loadfile`: a
module's tests stay on one worker, so a module-scoped refresh runs once), and the
workers would otherwise race to parse the project into the same target folder.
(`--dist loadgroup` would keep a folder's modules together too, but it does not group
under pytest 9: the group is never added to the test ids.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock
from report_planting import POET, plant_organisation

from dagster_project.settings import REPO_ROOT, isolated_environment


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        from dagster_project.transform.project import prepare_manifest

        prepare_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules marked slow (the refresh stories) first, each module's tests in their order.

    `make test` runs `--dist loadfile --no-loadscope-reorder`: the workers take modules
    in collection order (pytest-xdist's default order is most tests first, which put the
    refresh stories, few tests each, last), so the long stories start at once and the
    many quick modules fill in beside them instead of a story running alone at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _installation(root: Path) -> dict[str, str]:
    """The environment of the installation under `root` (its reports beside it)."""
    env = isolated_environment(root)
    env.pop("POET_REPORTS", None)
    return env


def _default_refresh(root: Path, env: dict[str, str]) -> None:
    subprocess.run(
        # The default set (the 2014 survey's size, organisations and faults): the
        # regressions need 500 complete cases.
        [POET, "synth", "--out", env["POET_LANDING_DIR"]],
        check=True, env=env, cwd=REPO_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    plant_organisation(Path(env["POET_LANDING_DIR"]))
    run = subprocess.run([POET, "run"], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    printed = {"returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr}
    (root / "run.json").write_text(json.dumps(printed), encoding="utf-8")
    (root / "refreshed.ok").touch()


@pytest.fixture(scope="session")
def default_refresh(tmp_path_factory, worker_id) -> tuple[Path, dict, subprocess.CompletedProcess]:
    """One `poet run` of the default synthetic set plus a planted organisation (LA98, see
    report_planting.py), shared by the end-to-end and the reports tests, which only read
    it (test_loaded_tables works on a copy). Built once per test session: under
    pytest-xdist the first worker that needs it builds it in the session's shared
    temporary folder and the other one waits for it. Returns the installation's folder,
    its environment and what `poet run` printed."""
    if worker_id == "master":
        root = tmp_path_factory.mktemp("default_refresh")
        env = _installation(root)
        _default_refresh(root, env)
    else:
        root = tmp_path_factory.getbasetemp().parent / "default-refresh"
        env = _installation(root)
        with FileLock(f"{root}.lock"):
            if not (root / "refreshed.ok").exists():
                shutil.rmtree(root, ignore_errors=True)  # a build that failed half-way
                root.mkdir()
                _default_refresh(root, env)
    printed = json.loads((root / "run.json").read_text(encoding="utf-8"))
    run = subprocess.CompletedProcess([POET, "run"], **printed)
    return root, env, run
