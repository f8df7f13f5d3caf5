"""Typed configuration, read from the environment with defaults under `data/`.

Every path is made absolute here: dbt resolves relative paths from its own project
folder and Dagster runs steps from other working directories, so a relative path
would point at different files in different steps.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
REFERENCE_DIR = DBT_PROJECT_DIR / "seeds" / "reference"
DEFAULT_DATA_DIR = REPO_ROOT / "data"

SURVEYS = ("holders", "carers")


INSTANCE_YAML_MARK = "# Written by poet"
DAGSTER_INSTANCE_YAML = """\
# Written by poet: one run at a time, since the DuckDB warehouse takes one writer, and
# Dagster's SQLite storage with one engine per file (dagster_project/run_storage.py).
# poet rewrites this file while this first line is here; delete the line to keep edits.
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
storage:
  custom:
    module: dagster_project.run_storage
    class: PoetSqliteStorage
    config:
      base_dir: {home}
telemetry:
  enabled: false
"""


def isolated_environment(root: Path) -> dict[str, str]:
    """This process's environment with the landing folder, both warehouses and Dagster's
    home under one folder: a self-contained installation for tests and benchmarks."""
    env = dict(os.environ)
    env.update(
        POET_LANDING_DIR=str(root / "landing"),
        POET_WAREHOUSE=str(root / "warehouse.duckdb"),
        POET_PUBLISHED=str(root / "poet.duckdb"),
        DAGSTER_HOME=str(root / "dagster_home"),
    )
    return env


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default.resolve()


def _optional_path_from_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    return str(Path(value).expanduser().resolve()) if value else ""


@dataclass(frozen=True)
class Settings:
    """Where the warehouse reads and writes.

    landing_dir: folder of survey returns (`POET_LANDING_DIR`).
    warehouse:   the working DuckDB file every refresh builds into (`POET_WAREHOUSE`).
    published:   the analysts' DuckDB file, replaced only after every gate passed
                 (`POET_PUBLISHED`).
    dagster_home: Dagster's run history, shared by `poet run` and the UI (`DAGSTER_HOME`).
    postgres_url: PostgreSQL warehouse the publish step also loads (`POET_POSTGRES_URL`,
                 opt-in; None keeps the DuckDB file the only published copy).
    duckdb_memory_limit: DuckDB memory_limit of the refresh's connections and dbt's
                 (`POET_DUCKDB_MEMORY_LIMIT`, default 4GB).
    duckdb_temp_dir: where DuckDB spills beyond it (`POET_DUCKDB_TEMP_DIR`; empty:
                 `<warehouse>.tmp`).
    """

    landing_dir: Path
    warehouse: Path
    published: Path
    dagster_home: Path
    postgres_url: str | None = None  # POET_POSTGRES_URL: also publish into PostgreSQL
    duckdb_memory_limit: str = "4GB"
    duckdb_temp_dir: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        data = _path_from_env("POET_DATA_DIR", DEFAULT_DATA_DIR)
        return cls(
            landing_dir=_path_from_env("POET_LANDING_DIR", data / "landing"),
            warehouse=_path_from_env("POET_WAREHOUSE", data / "warehouse.duckdb"),
            published=_path_from_env("POET_PUBLISHED", data / "poet.duckdb"),
            dagster_home=_path_from_env("DAGSTER_HOME", data / "dagster_home"),
            postgres_url=os.environ.get("POET_POSTGRES_URL", "").strip() or None,
            duckdb_memory_limit=os.environ.get("POET_DUCKDB_MEMORY_LIMIT", "").strip() or "4GB",
            duckdb_temp_dir=_optional_path_from_env("POET_DUCKDB_TEMP_DIR"),
        )

    def prepare_dagster_home(self) -> None:
        """Create DAGSTER_HOME with an instance file that runs one refresh at a time.

        Runs launched from the UI, the sensor or the schedule queue behind each other,
        since DuckDB takes one writer; the storage is run_storage.PoetSqliteStorage. A
        file poet wrote before (its first line) is brought up to date; another is kept.
        """
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        config = self.dagster_home / "dagster.yaml"
        wanted = DAGSTER_INSTANCE_YAML.format(home=json.dumps(str(self.dagster_home.resolve())))
        current = config.read_text(encoding="utf-8") if config.exists() else None
        if current is None or (current.startswith(INSTANCE_YAML_MARK) and current != wanted):
            config.write_text(wanted, encoding="utf-8")
