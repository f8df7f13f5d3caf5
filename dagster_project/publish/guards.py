"""What the publish step checks before it replaces the analysts' file.

- output paths: `POET_PUBLISHED` must be a file path in a folder that can be written,
  checked before any work starts (`poet run`) and again before the publish writes;
- freshness: every mart it copies was built from the landing state now registered
  (`marts.landed_files` equals `raw.file_registry`) and passed its gates in this run;
- shrinkage: compared with the last published state, no organisation with used
  returns disappears and no wave and survey loses more than a share of its used
  respondents, unless the run accepts it (`poet run --accept-shrink`).

Each check returns one line a person can act on, or None when all is well.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

KEPT = "the published warehouse was left unchanged"
DEFAULT_MAX_SHRINK_SHARE = 0.2
NAMES_LISTED = 10
LANDED_FILES_COLUMNS = ("path", "sha256", "wave", "org_code", "survey", "status", "rows_used")


def output_path_problem(published: Path, warehouse: Path | None = None) -> str | None:
    """Why a refresh could not write its outputs, before it starts."""
    for name, path in (("POET_PUBLISHED", published), ("POET_WAREHOUSE", warehouse)):
        if path is None:
            continue
        if path.is_dir():
            return (
                f"{name} {path} is a folder: set it to a file path, e.g. {path / path.name}.duckdb"
            )
        parent = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
        if parent is not None and not parent.is_dir():
            return f"{name} {path} cannot be created: {parent} is a file, not a folder"
        if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
            return f"{name} {path} cannot be written: no write permission in {parent}"
        if path.exists() and not os.access(path, os.W_OK):
            return f"{name} {path} cannot be replaced: the file is read-only"
    return None


def _listed(names: Iterable[str]) -> str:
    names = list(names)
    more = f", and {len(names) - NAMES_LISTED} more" if len(names) > NAMES_LISTED else ""
    return ", ".join(names[:NAMES_LISTED]) + more


def _has_table(
    con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str, *columns: str
) -> bool:
    """The table exists (with these columns, when named)."""
    present = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = ? AND table_name = ?",
            [catalog, schema, table],
        ).fetchall()
    }
    return bool(present) and set(columns) <= present


# --- freshness -------------------------------------------------------------------------


def stale_landing_problem(con: duckdb.DuckDBPyConnection, catalog: str = "working") -> str | None:
    """The marts were built from another landing state than the one now registered."""
    if not (
        _has_table(con, catalog, "raw", "file_registry")
        and _has_table(con, catalog, "marts", "landed_files")
    ):
        return None  # nothing to compare (no landing in this warehouse)
    differing = con.execute(
        f"""WITH registered AS (SELECT source_path AS path, source_sha256 AS sha256, status
                                FROM {catalog}.raw.file_registry),
                 built AS (SELECT path, sha256, status FROM {catalog}.marts.landed_files),
                 diff AS ((SELECT * FROM registered EXCEPT SELECT * FROM built)
                          UNION ALL (SELECT * FROM built EXCEPT SELECT * FROM registered))
            SELECT DISTINCT path FROM diff ORDER BY path"""
    ).fetchall()
    if not differing:
        return None
    paths = [path for (path,) in differing]
    return (
        f"publish refused, {KEPT}: the marts were built before the latest landing "
        f"(files changed since: {_listed(paths)}); run the full refresh "
        "(poet run, or materialise every asset in the UI)"
    )


def ungated_problem(
    con: duckdb.DuckDBPyConnection, run_id: str, required: Iterable[str], catalog: str = "working"
) -> str | None:
    """A table this run should have gated was not gated in this run, or failed."""
    required = sorted(set(required))
    if not required:
        return None
    results: dict[str, bool] = {}
    if _has_table(con, catalog, "quality", "validation_results"):
        rows = con.execute(
            f"""SELECT "table", bool_and(success OR severity <> 'critical')
                FROM {catalog}.quality.validation_results WHERE run_id = ? GROUP BY "table" """,
            [run_id],
        ).fetchall()
        results = dict(rows)
    failed = [t for t in required if results.get(t) is False]
    if failed:
        return f"publish refused, {KEPT}: the quality gate of {_listed(failed)} failed in this run"
    missing = [t for t in required if t not in results]
    if missing:
        return (
            f"publish refused, {KEPT}: {_listed(missing)} were not built and gated in this run "
            "(publishing alone would copy marts no gate has checked since they were built); "
            "run the full refresh (poet run, or materialise every asset in the UI)"
        )
    return None


# --- shrinkage -------------------------------------------------------------------------


@dataclass(frozen=True)
class Shrinkage:
    """What publishing the working warehouse would lose, compared with the published one."""

    unlisted_organisations: tuple[str, ...]  # had used returns, no longer in organisations.csv
    organisations_without_returns: tuple[str, ...]  # had used returns, now none (still listed)
    falls: tuple[tuple[int, str, int, int], ...]  # (wave, survey, before, after) beyond the limit
    max_share: float
    left_out: tuple[str, ...] = ()  # of the unlisted, those on lines landing left out

    @property
    def any(self) -> bool:
        return bool(self.unlisted_organisations or self.organisations_without_returns or self.falls)

    def describe(self) -> str:
        parts = []
        if self.unlisted_organisations:
            parts.append(
                f"organisations.csv no longer lists {len(self.unlisted_organisations)} organisations "
                f"with used returns: {_listed(self.unlisted_organisations)}"
            )
        if self.left_out:
            parts.append(
                f"{_listed(self.left_out)} only on lines of organisations.csv that landing left out "
                "(the landing log and the working warehouse's marts.organisations say why)"
            )
        if self.organisations_without_returns:
            parts.append(
                f"{len(self.organisations_without_returns)} organisations no longer have a used return "
                f"(see marts.landed_files): {_listed(self.organisations_without_returns)}"
            )
        for wave, survey, before, after in self.falls:
            share = (before - after) / before
            parts.append(
                f"used respondents of {wave} {survey} would fall from {before:,} to {after:,} "
                f"(-{share:.0%}, limit {self.max_share:.0%})"
            )
        return "; ".join(parts)


def _used_state(
    con: duckdb.DuckDBPyConnection, catalog: str
) -> tuple[dict[tuple[int, str], int], set[str]]:
    if not _has_table(con, catalog, "marts", "landed_files", *LANDED_FILES_COLUMNS):
        return {}, set()  # nothing published yet that says what was used
    rows = con.execute(
        f"""SELECT wave, survey, sum(rows_used) FROM {catalog}.marts.landed_files
            WHERE status = 'used' GROUP BY ALL"""
    ).fetchall()
    orgs = con.execute(
        f"SELECT DISTINCT org_code FROM {catalog}.marts.landed_files WHERE status = 'used' AND rows_used > 0"
    ).fetchall()
    return {(int(w), s): int(n) for w, s, n in rows}, {o for (o,) in orgs}


def _left_out_organisations(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    if not _has_table(con, catalog, "raw", "organisations", "status"):
        return set()
    rows = con.execute(
        f"SELECT DISTINCT trim(org_code) FROM {catalog}.raw.organisations "
        "WHERE org_code IS NOT NULL AND status = 'left_out'"
    ).fetchall()
    return {o for (o,) in rows}


def _listed_organisations(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str] | None:
    if not _has_table(con, catalog, "raw", "organisations"):
        return None
    # Lines landing left out or found repeated do not list an organisation.
    listed = (
        " AND status = 'listed'"
        if _has_table(con, catalog, "raw", "organisations", "status")
        else ""
    )
    rows = con.execute(
        f"SELECT DISTINCT trim(org_code) FROM {catalog}.raw.organisations "
        f"WHERE org_code IS NOT NULL{listed}"
    ).fetchall()
    return {o for (o,) in rows}


def shrinkage(
    con: duckdb.DuckDBPyConnection,
    published: str = "published",
    working: str = "working",
    max_share: float = DEFAULT_MAX_SHRINK_SHARE,
) -> Shrinkage:
    """Compare the used respondents and organisations of the two attached warehouses."""
    before, orgs_before = _used_state(con, published)
    after, orgs_after = _used_state(con, working)
    lost = sorted(orgs_before - orgs_after)
    listed = _listed_organisations(con, working)
    unlisted = tuple(o for o in lost if listed is not None and o not in listed)
    without = tuple(o for o in lost if o not in unlisted)
    falls = tuple(
        (wave, survey, n, after.get((wave, survey), 0))
        for (wave, survey), n in sorted(before.items())
        if n > 0 and after.get((wave, survey), 0) < n * (1 - max_share)
    )
    left_out = _left_out_organisations(con, working)
    return Shrinkage(
        unlisted, without, falls, max_share, tuple(o for o in unlisted if o in left_out)
    )


def compare_with_published(published: Path, working: Path, max_share: float) -> Shrinkage | None:
    """Shrinkage against the analysts' file, or None when nothing was published yet."""
    if not published.is_file():
        return None
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_escaped(published)}' AS published (READ_ONLY)")
        con.execute(f"ATTACH '{_escaped(working)}' AS working (READ_ONLY)")
        return shrinkage(con, max_share=max_share)
    finally:
        con.close()


def freshness_problem(working: Path, run_id: str, required_gates: Iterable[str]) -> str | None:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_escaped(working)}' AS working (READ_ONLY)")
        return stale_landing_problem(con) or ungated_problem(con, run_id, required_gates)
    finally:
        con.close()


def shrink_refusal(shrunk: Shrinkage) -> str:
    return (
        f"publish stopped, {KEPT}: {shrunk.describe()}; if this is intended, "
        "run 'poet run --accept-shrink' to publish it"
    )


def _escaped(path: Path) -> str:
    return str(path).replace("'", "''")
