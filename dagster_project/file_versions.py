"""What identifies a file version's rows in a table (docs/landing.md, DECISIONS R17-R18).

A version is a slot (wave, organisation, survey) and a sha256. A table holding the rows
of file versions names its version in some of the columns below; the incremental dbt
models, the gates (quality/gated_versions.py), the theme coding (themes/marts.py), the
statistics' kept counts (stats/version_counts.py) and the publish (publish/publisher.py)
all recognise such a table, and match its versions, with version_keys and same_version;
the last three keep a table by version against a record with version_changes and
delete_versions.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

# The columns that tell versions apart, where a table has them: `survey` when the table
# holds both surveys, `source_path` in staging, `org_type` in the responses marts (a
# version whose organisation changed type is another set of rows).
VERSION_COLUMNS = ("wave", "survey", "org_code", "source_path", "source_sha256", "org_type")
REQUIRED_COLUMNS = ("wave", "org_code", "source_sha256")


def version_keys(columns: Iterable[str]) -> tuple[str, ...] | None:
    """The table's version columns, or None when it is not a table of file versions."""
    present = set(columns)
    if not all(c in present for c in REQUIRED_COLUMNS):
        return None
    return tuple(c for c in VERSION_COLUMNS if c in present)


def same_version(keys: Iterable[str], a: str, b: str) -> str:
    """A SQL condition: the rows aliased `a` and `b` belong to the same version."""
    return " AND ".join(f'{a}."{k}" IS NOT DISTINCT FROM {b}."{k}"' for k in keys)


def version_changes(
    con: duckdb.DuckDBPyConnection, now: str, recorded: str, keys: tuple[str, ...], prefix: str
) -> tuple[int, int]:
    """For a table kept by file version beside a record of the versions it holds: the
    versions of `recorded` no longer in `now` and those of `now` not in `recorded` (tables
    with the columns `keys`), into the temporary tables `<prefix>_gone` and `<prefix>_new`;
    returns how many of each. `now` and `recorded` may hold many rows per version (a
    table of rows is its own record); EXCEPT compares NULLs as equal, as same_version does."""
    listed = ", ".join(f'"{k}"' for k in keys)
    counts = []
    for name, first, second in (("gone", recorded, now), ("new", now, recorded)):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {prefix}_{name} AS "
            f"SELECT DISTINCT {listed} FROM {first} EXCEPT SELECT DISTINCT {listed} FROM {second}"
        )
        counts.append(con.execute(f"SELECT count(*) FROM {prefix}_{name}").fetchone()[0])
    return counts[0], counts[1]


def delete_versions(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], versions: str, keys: tuple[str, ...]
) -> None:
    """Delete from each of `tables` the rows of the versions listed in `versions`."""
    for table in tables:
        con.execute(
            f"DELETE FROM {table} AS t USING {versions} AS v WHERE {same_version(keys, 't', 'v')}"
        )
