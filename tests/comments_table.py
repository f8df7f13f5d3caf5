"""A comments table as the theme coder reads it (marts.comments' key and text columns), for
the theme tests (pytest puts this folder on sys.path for tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

COLUMNS = (
    "wave INTEGER, survey VARCHAR, org_code VARCHAR, respondent_id VARCHAR, question VARCHAR, "
    "comment_redacted VARCHAR, source_sha256 VARCHAR"
)


def create_comments(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[tuple]) -> None:
    """(Re)create `table` holding `rows` of (wave, survey, org_code, respondent_id,
    question, comment_redacted[, source_sha256]); without a sha256, each organisation's
    comments of a wave and survey are one file version."""
    with_sha = [row if len(row) == 7 else (*row, f"sha-{row[0]}-{row[1]}-{row[2]}") for row in rows]
    con.execute(f"CREATE OR REPLACE TABLE {table} ({COLUMNS})")
    con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)", with_sha)
