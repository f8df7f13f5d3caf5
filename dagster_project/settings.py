"""Typed configuration, read from the environment with defaults under `data/`.

Every path is made absolute here: dbt resolves relative paths from its own project
folder and Dagster runs steps from other working directories, so a relative path
would point at different files in different steps.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
REFERENCE_DIR = DBT_PROJECT_DIR / "seeds" / "reference"
DEFAULT_DATA_DIR = REPO_ROOT / "data"

SURVEYS = ("holders", "carers")


DAGSTER_INSTANCE_YAML = """\
# Written by poet: one run at a time, since the DuckDB warehouse takes one writer.
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
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


@dataclass(frozen=True)
class Settings:
    """Where the warehouse reads and writes.

    landing_dir: folder of survey returns (`POET_LANDING_DIR`).
    warehouse:   the working DuckDB file every refresh builds into (`POET_WAREHOUSE`).
    published:   the analysts' DuckDB file, replaced only after every gate passed
                 (`POET_PUBLISHED`).
    dagster_home: Dagster's run history, shared by `poet run` and the UI (`DAGSTER_HOME`).
    """

    landing_dir: Path
    warehouse: Path
    published: Path
    dagster_home: Path

    @classmethod
    def from_env(cls) -> Settings:
        data = _path_from_env("POET_DATA_DIR", DEFAULT_DATA_DIR)
        return cls(
            landing_dir=_path_from_env("POET_LANDING_DIR", data / "landing"),
            warehouse=_path_from_env("POET_WAREHOUSE", data / "warehouse.duckdb"),
            published=_path_from_env("POET_PUBLISHED", data / "poet.duckdb"),
            dagster_home=_path_from_env("DAGSTER_HOME", data / "dagster_home"),
        )

    def prepare_dagster_home(self) -> None:
        """Create DAGSTER_HOME with an instance file that runs one refresh at a time.

        Runs launched from the UI, the sensor or the schedule queue behind each other,
        since DuckDB takes one writer.
        """
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        config = self.dagster_home / "dagster.yaml"
        if not config.exists():
            config.write_text(DAGSTER_INSTANCE_YAML, encoding="utf-8")
