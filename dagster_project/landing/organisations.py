"""raw.organisations: the latest readable organisations.csv replaces the table.

A missing or broken organisations.csv keeps the list landed before (and says so in the
log): returns are then checked against the last good list rather than all quarantined
because of one bad upload.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.landing.layout import ORGANISATIONS_FILE, sha256_of
from dagster_project.landing.readers import (
    FILE_TABLE,
    UnreadableFile,
    position_column,
    read_into_table,
)

ORGANISATION_COLUMNS = ("org_code", "org_name", "org_type", "region")
_TRIMMED = "NULLIF(trim({0}), '')"


@dataclass(frozen=True)
class OrganisationsOutcome:
    codes: set[str]
    replaced: bool
    problem: str | None  # why the file was not used, when it was not


def _current_codes(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT org_code FROM raw.organisations WHERE org_code IS NOT NULL"
    ).fetchall()
    return {code for (code,) in rows}


def land_organisations(
    con: duckdb.DuckDBPyConnection, path: Path | None, landed_at: dt.datetime, log: logging.Logger
) -> OrganisationsOutcome:
    def keep(problem: str) -> OrganisationsOutcome:
        kept = (
            "keeping the list landed before" if _current_codes(con) else "no list was landed before"
        )
        log.error(f"{ORGANISATIONS_FILE} not used: {problem}; {kept}")
        return OrganisationsOutcome(_current_codes(con), False, problem)

    if path is None:
        return keep("no such file in the landing folder")
    try:
        sha = sha256_of(path)
    except OSError as exc:
        return keep(f"file cannot be read: {exc.strerror or exc}")
    stored = con.execute("SELECT DISTINCT source_sha256 FROM raw.organisations").fetchall()
    if stored == [(sha,)]:
        return OrganisationsOutcome(_current_codes(con), False, None)
    try:
        header = read_into_table(con, path, "csv")
    except UnreadableFile as exc:
        return keep(f"file cannot be read: {exc}")
    try:
        unchanged = sha256_of(path) == sha
    except OSError as exc:
        return keep(f"file cannot be read: {exc.strerror or exc}")
    if not unchanged:
        return keep("it changed while it was being landed (the next run lands it)")
    positions = {name.strip().lower(): i for i, name in reversed(list(enumerate(header)))}
    missing = [c for c in ORGANISATION_COLUMNS if c not in positions]
    if missing:
        return keep(f"missing required column {', '.join(missing)}")
    selects = ", ".join(
        f"{_TRIMMED.format(position_column(positions[c]))} AS {c}" for c in ORGANISATION_COLUMNS
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM raw.organisations")
        con.execute(
            f"INSERT INTO raw.organisations SELECT {selects}, ?, ? FROM {FILE_TABLE}",
            [sha, landed_at],
        )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        return keep(f"file cannot be landed: {str(exc).splitlines()[0]}")
    codes = _current_codes(con)
    log.info(f"{ORGANISATIONS_FILE} landed: {len(codes)} organisations")
    return OrganisationsOutcome(codes, True, None)
