"""When a dbt layer may build incrementally, and when it must be rebuilt from scratch.

The respondent-level models (staging and recoded) are incremental by file version
(`dbt_project/macros/incremental_by_version.sql`): dbt deletes the rows of versions no
longer used and inserts those of new ones. That is right only while the rows already in
a table were built by the same code. So each layer's last successful build is recorded in
the working warehouse (`poet_meta.dbt_builds`: the layer and the digest of the project's
code, reference data and library versions, `fingerprint.py`), and a layer runs
`dbt build --full-refresh` when:

- the run asks for it (`poet run --force` tags the run `poet/full_refresh=true`);
- the layer has no record (a new warehouse, or one built before this existed);
- the record's code digest differs from now (a model, macro, seed, test, expectation,
  Python module, `dbt_project.yml` variable or library changed).

The record is removed before a full refresh starts and written only after the layer's
build succeeded, so a build that fails half-way (some tables rebuilt by the new code,
some not) is rebuilt whole next time, even if the code is changed back meanwhile.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project import fingerprint
from dagster_project.settings import REPO_ROOT

SCHEMA = "poet_meta"
TABLE = f"{SCHEMA}.dbt_builds"
FULL_REFRESH_TAG = "poet/full_refresh"


def is_forced(run) -> bool:
    """Whether `run` (a DagsterRun) asked for a full refresh (`poet run --force`): every
    step that may reuse earlier work reads this one tag."""
    return run.tags.get(FULL_REFRESH_TAG) == "true"


def code_inputs(
    warehouse: str | Path,
    paths: tuple[Path, ...] = fingerprint.CODE_PATHS,
    root: Path = REPO_ROOT,
) -> str:
    """Digest of what a dbt layer's rows depend on besides the landed data: the files of
    `paths` (the project's code and reference data) and the library versions."""
    path = Path(warehouse)
    cache = fingerprint.HashCache(path.with_name(path.name + fingerprint.HASH_CACHE_SUFFIX))
    code = fingerprint.code_digest(cache, paths, root)
    digest = hashlib.sha256(f"{code}:{fingerprint.libraries_digest()}".encode()).hexdigest()
    # The record also holds the landing folder's hashes (fingerprint.take): kept, or the
    # next run would read every return again to hash it.
    cache.save(keep_unseen=True)
    return digest


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} "
        "(layer VARCHAR PRIMARY KEY, code_inputs VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL)"
    )


def _recorded(con: duckdb.DuckDBPyConnection, layer: str) -> tuple[str, datetime] | None:
    """The layer's recorded build: its code inputs and when it ended (UTC)."""
    _ensure_table(con)
    query = f"SELECT code_inputs, built_at FROM {TABLE} WHERE layer = ?"
    return con.execute(query, [layer]).fetchone()


def full_refresh_reason(
    con: duckdb.DuckDBPyConnection, layer: str, inputs: str, forced: bool
) -> str | None:
    """Why this layer must be rebuilt from scratch, or None when an incremental build is right."""
    if forced:
        return "a full refresh was asked for (poet run --force)"
    row = _recorded(con, layer)
    if row is None:
        return "no earlier build of this layer is recorded in the warehouse"
    if row[0] != inputs:
        return "the project's code, reference data or libraries changed since its last build"
    return None


def last_built(con: duckdb.DuckDBPyConnection, layer: str) -> datetime | None:
    """When the layer's recorded build ended (UTC), if one is recorded."""
    row = _recorded(con, layer)
    return row[1] if row else None


def forget(con: duckdb.DuckDBPyConnection, layer: str) -> None:
    """Before a full refresh: the layer's tables are about to stop matching any record."""
    _ensure_table(con)
    con.execute(f"DELETE FROM {TABLE} WHERE layer = ?", [layer])


def remember(con: duckdb.DuckDBPyConnection, layer: str, inputs: str) -> None:
    """After a successful build: the layer's tables are those of `inputs`' code."""
    _ensure_table(con)
    con.execute(
        f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?)",
        [layer, inputs, datetime.now(UTC).replace(tzinfo=None)],
    )


def remember_tested(con: duckdb.DuckDBPyConnection, models: list[str]) -> list[str]:
    """After a successful build: the file versions each of `models` holds passed its
    data tests (`poet_meta.built__<model>`, noted by the model's post-hook, becomes
    `poet_meta.tested__<model>`), so the next incremental build's tests read only the
    slots of other versions (dbt_project/macros/tested_versions.sql, DECISIONS R51).
    Returns the models recorded: those incremental by file version."""
    present = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [SCHEMA]
        ).fetchall()
    }
    recorded = [model for model in models if f"built__{model}" in present]
    for model in recorded:
        con.execute(
            f'CREATE OR REPLACE TABLE {SCHEMA}."tested__{model}" AS FROM {SCHEMA}."built__{model}"'
        )
    return recorded
