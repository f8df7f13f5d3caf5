"""The dbt project of the transform stage: where it lives, its manifest and its CLI resource.

dbt runs in the step's process (`inprocess.py`) and opens the warehouse itself
(profiles.yml reads POET_WAREHOUSE and the DuckDB settings from the environment):
`dbt_environment` gives it the values of the `warehouse` resource for the duration of
one invocation.

Fixed costs kept out of a refresh (docs/refresh-passes.md):
- the manifest Dagster builds the asset graph from is made by an explicit step
  (`prepare_manifest`, run by `poet run` before the code location loads, and by
  `DbtProject.prepare_if_dev()` under `dagster dev`), and only when a project file is
  newer than it;
- every dbt invocation of a warehouse writes to one persistent target folder beside the
  warehouse, so dbt's partial parsing (target/partial_parse.msgpack) carries over from
  one invocation and one run to the next;
- dbt is imported and the project parsed once per run (`inprocess.py`), not once per
  dbt step in a subprocess of its own;
- `PoetDbtCliResource` (the `dbt` resource: the project, and whether unit tests run)
  neither runs `dbt --version` in a subprocess nor builds a dbt adapter (dagster-dbt
  uses that adapter only for column metadata and row counts, which this project does
  not fetch).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from dagster_project.settings import DBT_PROJECT_DIR, Settings

# Files whose change makes a manifest stale.
_PROJECT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def dbt_executable() -> str:
    """The dbt of this virtualenv, so a run does not depend on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_command() -> list[str]:
    """dbt as a command of this virtualenv whose partial-parse state any warehouse of the
    project can start from (parse_state.py, DECISIONS R31): `[*dbt_command(), "parse", ...]`."""
    return [sys.executable, "-m", "dagster_project.transform.parse_state"]


def newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _PROJECT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for item in paths:
            if item.is_file():
                newest = max(newest, item.stat().st_mtime)
    return newest


def manifest_is_fresh(project: DbtProject) -> bool:
    manifest = Path(project.manifest_path)
    return manifest.exists() and manifest.stat().st_mtime >= newest_source_mtime(
        Path(project.project_dir)
    )


def ensure_manifest(project: DbtProject) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files.

    Dagster builds the asset graph from target/manifest.json when the definitions load,
    so the manifest has to exist before they do. The parse leaves
    target/partial_parse.msgpack, which a new warehouse's target folder starts from
    (inprocess.parsed_manifest).
    """
    manifest = Path(project.manifest_path)
    if manifest_is_fresh(project):
        return manifest
    # dbt parse reads the profile; any path will do (parse opens no connection).
    env = {**os.environ, "POET_WAREHOUSE": str(Settings.from_env().warehouse)}
    # dbt with the warehouse-free profile hash, so every new warehouse's target folder can
    # start from this parse's state (parse_state.py, DECISIONS R31).
    result = subprocess.run(
        [*dbt_command(), "parse", "--quiet", "--project-dir", str(project.project_dir),
         "--profiles-dir", str(project.profiles_dir)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0 or not manifest.exists():
        detail = (result.stdout + result.stderr).strip() or "no output"
        raise RuntimeError(
            f"dbt parse of {project.project_dir} failed (exit {result.returncode}); "
            f"fix the dbt project and retry. dbt said: {detail}"
        )
    return manifest


DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_manifest() -> Path:
    """The explicit build step: a fresh manifest before the definitions load. Says so on
    stderr when it has to parse (a first run, or the dbt project changed)."""
    if not manifest_is_fresh(DBT_PROJECT):
        print(
            "poet: parsing the dbt project (new or changed since the last parse)", file=sys.stderr
        )
    return ensure_manifest(DBT_PROJECT)


def prepare_if_dev() -> None:
    """Under `dagster dev`, as `DbtProject.prepare_if_dev()`, but parse only a stale
    manifest (dagster-dbt's own preparer parses on every load of the code location)."""
    if DBT_PROJECT.preparer.using_dagster_dev():
        prepare_manifest()


def manifest_for_definitions() -> Path:
    """The manifest the dbt assets are built from, when the definitions load.

    `poet run`, `dagster dev` and the test session prepare it beforehand; any other
    entry point that finds it missing or stale gets it parsed here, once, with a line on
    stderr (a stale manifest would give Dagster a wrong asset graph).
    """
    prepare_if_dev()
    return prepare_manifest()


def target_folder(warehouse: str | Path) -> Path:
    """The persistent dbt target folder of one warehouse file (beside it).

    Safe to reuse: dbt checks every file's hash, the profile, the vars and the
    environment variables it read before it trusts partial_parse.msgpack. A run's
    invocations write no manifest.json or run_results.json into it (inprocess.py).
    """
    path = Path(warehouse)
    return path.with_name(f"{path.stem}.dbt_target")


# dbt's default ("eager") also runs a test when only one of its parents is selected, so a
# relationships test of a mart would run in the staging step, before the mart exists.
# "buildable" runs a test once all its parents are built. dagster-dbt reads this variable
# as the default and still overrides it when it selects single checks.
INDIRECT_SELECTION = "buildable"


def step_environment(warehouse: str, memory_limit: str, spill_directory: str) -> dict[str, str]:
    """What dbt reads from its environment in a dbt step (profiles.yml): the warehouse
    and DuckDB's settings. The same values when the project is parsed ahead of the step
    (warm_up.py): the parsed manifest names the warehouse's database in every node."""
    return {
        "POET_WAREHOUSE": warehouse,
        "POET_DUCKDB_MEMORY_LIMIT": memory_limit,
        "POET_DUCKDB_TEMP_DIR": spill_directory,
        # Not inherited: an "eager" from the caller would run mart tests in the staging step.
        "DBT_INDIRECT_SELECTION": INDIRECT_SELECTION,
    }


@contextmanager
def dbt_environment(**values: str | None) -> Iterator[None]:
    """Environment variables for the dbt subprocess started inside the block.

    dagster-dbt copies os.environ when it starts dbt, which happens inside
    `DbtCliResource.cli`; the old values are restored as soon as the block ends.
    """
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class PoetDbtCliResource(DbtCliResource):
    """DbtCliResource without two start-up costs of each dbt step (docs/refresh-passes.md).

    `unit_tests`: run dbt's unit tests (`unit_tests:` in the model YAML) in each build.
    They test the SQL against fixed inputs, not the data, so a refresh leaves them out, as
    dbt advises for production builds (`--exclude-resource-type unit_test`), and the test
    suite turns them on (tests/transform). A refresh saves about 10 s of the default set.
    """

    unit_tests: bool = False

    @cached_property
    def _cli_version(self) -> version.Version:
        # dbt_executable() is this virtualenv's dbt, so its version is the installed
        # dbt-core's: no `dbt --version` subprocess (about 4 CPU seconds).
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # type: ignore[override]
        # dagster-dbt builds an adapter in the Dagster process (importing and configuring
        # dbt: 1.5-4 CPU seconds per step) only to fetch column metadata or row counts on
        # request; without one it streams the same events.
        return None


def dbt_resource(unit_tests: bool = False) -> PoetDbtCliResource:
    """The `dbt` resource of the shared resources (dagster_project/resources.py)."""
    return PoetDbtCliResource(
        project_dir=str(DBT_PROJECT.project_dir),
        profiles_dir=str(DBT_PROJECT.profiles_dir),
        dbt_executable=dbt_executable(),
        unit_tests=unit_tests,
    )
