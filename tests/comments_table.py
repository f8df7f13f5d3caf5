"""A comments table as the theme coder reads it (marts.comments' key and text columns), for
the theme tests (pytest puts this folder on sys.path for tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

COLUMNS = (
    "wave INTEGER, survey VARCHAR, org_code VARCHAR, respondent_id VARCHAR, question VARCHAR, "
    "comment_redacted VARCHAR"
)


def create_comments(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[tuple]) -> None:
    """(Re)create `table` holding `rows` of (wave, survey, org_code, respondent_id,
    question, comment_redacted)."""
    con.execute(f"CREATE OR REPLACE TABLE {table} ({COLUMNS})")
    con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)", list(rows))
