"""`dbt <command>` as a separate process against one warehouse file, for tests that build
or test a hand-made warehouse outside a Dagster run (importable from any test module:
pytest puts this folder on sys.path for tests/conftest.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.project import dbt_environment, dbt_executable


def run_dbt(warehouse: Path, work: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run dbt with the project's files on `warehouse`; its target folder and logs go
    under `work`; `env` adds variables (e.g. POET_DUCKDB_MEMORY_LIMIT) for the call."""
    with dbt_environment(POET_WAREHOUSE=str(warehouse), **env):
        return subprocess.run(
            [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(work / "dbt_target"),
             "--log-path", str(work / "dbt_logs")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
