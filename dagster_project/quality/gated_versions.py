"""Which file versions of a gated table have passed its gate (DECISIONS R32).

The respondent-level tables (`raw`, `staging`, `recoded`, the responses marts) hold the
rows of file versions, and a version's rows depend only on its bytes and the code
(R18). Once a version's rows passed a gate under a given code, checking them again
under the same code can only give the same answer. So each gate that passes records
the versions it checked (`poet_meta.gated_versions`, in the working warehouse, never
published), and the next gate of the same table checks, with the expectations that
look at one row or one version at a time, only the rows of versions not recorded:

- the record is keyed by a digest of everything a verdict depends on besides the
  rows: the project's code, reference data, expectation suites and library versions
  (the dbt layers' digest, `build_state.code_inputs`) and the latest survey date the
  suites accept (`bounds.latest_survey_date`);
- a gate that fails records nothing, so rows an unpublished run left behind are checked
  until a gate passes them;
- `poet run --force` forgets the records first: a forced refresh checks every row;
- expectations over the whole table (uniqueness across versions, a flag taking both
  values, row counts against another table, anything with `mostly`) still read every
  row, unless the table is unchanged (DECISIONS R40): when a gate passes it also records
  the table's state (`poet_meta.gated_states`: a digest of the versions it held, its
  columns and rows). A later gate under the same digest that finds no new version and
  the same state holds the same rows, so Great Expectations' verdicts on it are those
  recorded then; only the SQL checks run again (one compares with another table).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from dagster_project.bounds import latest_survey_date

SCHEMA = "poet_meta"
TABLE = f"{SCHEMA}.gated_versions"
STATES = f"{SCHEMA}.gated_states"


@dataclass(frozen=True)
class VersionScope:
    """The versions of one table that a gate must still check."""

    keys: tuple[str, ...]  # the table's version columns
    new: tuple[tuple, ...]  # key values of the versions not passed under this digest
    passed: int  # versions in the table that passed before
    new_ids: tuple[str, ...] = ()  # the new versions as recorded (JSON of their keys)
    # A digest of every version the table holds; "" when a row belongs to no version
    # (a NULL key), whose rows no version identifies.
    present: str = ""

    @property
    def where(self) -> str:
        """A condition selecting every row of the new versions (and rows with no sha256,
        which belong to no recorded version). It may select more rows than those, never
        fewer: two versions with the same bytes share a sha256."""
        shas = sorted({dict(zip(self.keys, key, strict=True))["source_sha256"] for key in self.new})
        listed = ", ".join(_literal(sha) for sha in shas if sha is not None)
        return (
            f"source_sha256 IS NULL OR source_sha256 IN ({listed})"
            if listed
            else "source_sha256 IS NULL"
        )


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def checks_digest(code_inputs: str) -> str:
    """What a gate's verdict on a version depends on besides its rows."""
    return hashlib.sha256(f"{code_inputs}:{latest_survey_date().isoformat()}".encode()).hexdigest()


def _ensure(con: duckdb.DuckDBPyConnection, records: str, what: str) -> None:
    """A record table: per gated table and digest, each `what` (a version, a state) a
    passed gate saw, and the run of that gate."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {records} (
            table_name VARCHAR NOT NULL, checks_digest VARCHAR NOT NULL, {what} VARCHAR NOT NULL,
            run_id VARCHAR NOT NULL, gated_at TIMESTAMP NOT NULL)"""
    )


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    _ensure(con, TABLE, "version")


def _version_json(keys: tuple[str, ...]) -> str:
    return "to_json(struct_pack(" + ", ".join(f'"{k}" := "{k}"' for k in keys) + "))::VARCHAR"


def _ensure_states(con: duckdb.DuckDBPyConnection) -> None:
    _ensure(con, STATES, "state")


def _records_exist(con: duckdb.DuckDBPyConnection, table: str = TABLE) -> bool:
    schema, name = table.split(".")
    [(found,)] = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(found)


def _present_digest(ids: list[str], complete: bool) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest() if complete else ""


def scope(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: tuple[str, ...],
    digest: str,
    read_only: bool = False,
) -> VersionScope:
    """The versions of `table` with no passed gate recorded under `digest`. `read_only`
    (a gate prepared ahead, quality/prefetch.py) writes nothing: with no record table
    yet, every version is new."""
    if not read_only:
        _ensure_table(con)
    elif not _records_exist(con):
        digest = ""  # matches no record
    listed = ", ".join(f'"{k}"' for k in keys)
    records = (
        f"SELECT version FROM {TABLE} WHERE table_name = ? AND checks_digest = ?"
        if digest
        else "SELECT NULL::VARCHAR WHERE false"
    )
    rows = con.execute(
        f"""WITH present AS (SELECT DISTINCT {listed} FROM {table})
            SELECT {listed}, {_version_json(keys)}, {_version_json(keys)} IN (
                {records})
            FROM present ORDER BY ALL""",
        [table, digest] if digest else [],
    ).fetchall()
    new = [row for row in rows if not row[-1]]
    complete = all(value is not None for row in rows for value in row[:-2])
    return VersionScope(
        keys,
        new=tuple(tuple(row[:-2]) for row in new),
        passed=len(rows) - len(new),
        new_ids=tuple(row[-2] for row in new),
        present=_present_digest([row[-2] for row in rows], complete),
    )


def table_state(versions: VersionScope, columns: dict[str, str], rows: int) -> str:
    """What a whole-table verdict depends on besides the code: the versions the table
    holds, its columns and its rows ("" when the versions do not identify the rows)."""
    if not versions.present:
        return ""
    described = f"{versions.present}|{sorted(columns.items())}|{rows}"
    return hashlib.sha256(described.encode()).hexdigest()


def unchanged_since(
    con: duckdb.DuckDBPyConnection, table: str, digest: str, state: str
) -> str | None:
    """The run whose passed gate saw the table in this state under this digest, or None.
    Reads only: a gate prepared ahead asks too."""
    if not state or not digest or not _records_exist(con, STATES):
        return None
    found = con.execute(
        f"SELECT run_id FROM {STATES} WHERE table_name = ? AND checks_digest = ? AND state = ?",
        [table, digest, state],
    ).fetchall()
    return found[0][0] if found else None


def remember_state(
    con: duckdb.DuckDBPyConnection, table: str, digest: str, state: str, run_id: str
) -> None:
    """After a passed gate: the table's state is the one its verdicts were given on."""
    _ensure_states(con)
    con.execute(f"DELETE FROM {STATES} WHERE table_name = ?", [table])
    if state:
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            f"INSERT INTO {STATES} VALUES (?, ?, ?, ?, ?)", [table, digest, state, run_id, now]
        )


def remember(
    con: duckdb.DuckDBPyConnection, table: str, digest: str, checked: VersionScope, run_id: str
) -> int:
    """Record the versions a passed gate checked; returns how many."""
    if not checked.new_ids:
        return 0
    _ensure_table(con)
    # Records under another digest can never match again (the code they name is gone).
    con.execute(f"DELETE FROM {TABLE} WHERE table_name = ? AND checks_digest <> ?", [table, digest])
    now = datetime.now(UTC).replace(tzinfo=None)
    values = ", ".join("(?, ?, ?, ?, ?)" for _ in checked.new_ids)
    con.execute(
        f"INSERT INTO {TABLE} VALUES {values}",
        [v for version in checked.new_ids for v in (table, digest, version, run_id, now)],
    )
    return len(checked.new_ids)


def forget(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Before a forced refresh's gate: every row of the table is checked again."""
    _ensure_table(con)
    con.execute(f"DELETE FROM {TABLE} WHERE table_name = ?", [table])
    _ensure_states(con)
    con.execute(f"DELETE FROM {STATES} WHERE table_name = ?", [table])
