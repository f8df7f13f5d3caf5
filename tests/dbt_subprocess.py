"""`dbt <command>` as a separate process against one warehouse file, for tests that build
or test a hand-made warehouse outside a Dagster run (importable from any test module:
pytest puts this folder on sys.path for tests/conftest.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform import parse_state
from dagster_project.transform.project import dbt_command, dbt_environment


def run_dbt(warehouse: Path, work: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run dbt with the project's files on `warehouse`; its target folder and logs go
    under `work`; `env` adds variables (e.g. POET_DUCKDB_MEMORY_LIMIT) for the call. The
    target folder starts from the project's partial-parse state, as a refresh's does."""
    target = work / "dbt_target"
    parse_state.seed(target, DBT_PROJECT_DIR / "target")
    with dbt_environment(POET_WAREHOUSE=str(warehouse), **env):
        return subprocess.run(
            [*dbt_command(), *args, "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
             "--log-path", str(work / "dbt_logs")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
