"""DDL of the raw layer (docs/ARCHITECTURE.md, "The raw layer") and landing's own bookkeeping.

The survey tables take their answer columns from the codebook, so a codebook change is
picked up here; a table created by an older codebook gains the new columns (NULL for
files landed before).
"""

from __future__ import annotations

import duckdb

from dagster_project.codebook import load_codebook
from dagster_project.settings import SURVEYS

RAW = "raw"
# Landing's memory of each file version's own checks (content reasons), kept out of `raw`
# so the raw tables have exactly the documented columns. Statuses are re-derived from it
# when the folder changes (a second file for a slot appears or goes, organisations change).
BOOKKEEPING = "landing_meta"
FILE_CHECKS = f"{BOOKKEEPING}.file_checks"

SLOT_COLUMNS = ("wave", "org_code", "survey")


def survey_table(survey: str) -> str:
    return f"{RAW}.{survey}"


def _survey_ddl(survey: str) -> str:
    answers = ",\n".join(f"    {name} VARCHAR" for name in load_codebook(survey).names)
    return f"""
CREATE TABLE IF NOT EXISTS {survey_table(survey)} (
    source_path VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    wave INTEGER NOT NULL,
    org_code VARCHAR NOT NULL,
    landed_at TIMESTAMP NOT NULL,
{answers},
    extra_columns JSON
)"""


_FIXED_DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {RAW}",
    f"CREATE SCHEMA IF NOT EXISTS {BOOKKEEPING}",
    f"""
CREATE TABLE IF NOT EXISTS {RAW}.organisations (
    org_code VARCHAR, org_name VARCHAR, org_type VARCHAR, region VARCHAR,
    source_sha256 VARCHAR, landed_at TIMESTAMP,
    source_line INTEGER, status VARCHAR DEFAULT 'listed', note VARCHAR
)""",
    # Warehouses created before line statuses (issue 10): every row landed then was used.
    f"ALTER TABLE {RAW}.organisations ADD COLUMN IF NOT EXISTS source_line INTEGER",
    f"ALTER TABLE {RAW}.organisations ADD COLUMN IF NOT EXISTS status VARCHAR DEFAULT 'listed'",
    f"ALTER TABLE {RAW}.organisations ADD COLUMN IF NOT EXISTS note VARCHAR",
    f"""
UPDATE {RAW}.organisations SET status = 'left_out', note = 'org_code is blank'
WHERE source_line IS NULL AND status = 'listed' AND NULLIF(trim(org_code), '') IS NULL""",
    f"""
CREATE TABLE IF NOT EXISTS {RAW}.file_registry (
    source_path VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    wave INTEGER NOT NULL,
    org_code VARCHAR NOT NULL,
    survey VARCHAR NOT NULL,
    file_format VARCHAR NOT NULL,
    landed_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('used', 'superseded', 'quarantined')),
    reason VARCHAR,
    rows INTEGER NOT NULL,
    rows_used INTEGER NOT NULL,
    rows_without_consent INTEGER NOT NULL,
    invalid_cells INTEGER NOT NULL,
    columns_present VARCHAR[]
)""",
    f"""
CREATE TABLE IF NOT EXISTS {RAW}.invalid_cells (
    source_path VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    respondent_id VARCHAR,
    variable VARCHAR NOT NULL,
    raw_value VARCHAR,
    rule VARCHAR NOT NULL
)""",
    f"""
CREATE TABLE IF NOT EXISTS {FILE_CHECKS} (
    wave INTEGER NOT NULL,
    org_code VARCHAR NOT NULL,
    survey VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    content_reason VARCHAR
)""",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in _FIXED_DDL:
        con.execute(statement)
    for survey in SURVEYS:
        con.execute(_survey_ddl(survey))
        existing = {
            row[0]
            for row in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ?",
                [RAW, survey],
            ).fetchall()
        }
        for name in load_codebook(survey).names:
            if name not in existing:
                con.execute(f"ALTER TABLE {survey_table(survey)} ADD COLUMN {name} VARCHAR")
