"""Where text is in a DuckDB warehouse: the tests that nothing personal leaves `raw`."""

from __future__ import annotations

from pathlib import Path

import duckdb

# The redaction's own name lists hold first names and surnames, no one's data: a search
# for planted names leaves them out with this condition.
NOT_NAME_LISTS = "table_name not like 'redaction\\_%' escape '\\'"


def cells_holding(
    database: Path, needles: list[str], where: str = "true"
) -> list[tuple[str, str, str]]:
    """(schema.table, column, needle) for every cell that holds a needle, its value of
    any type read as text, in the tables of the columns `where` selects (a condition on
    information_schema.columns)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where ({where}) "
            "order by table_schema, table_name, ordinal_position"
        ).fetchall()
        by_table: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            by_table.setdefault((schema, table), []).append(column)
        found = []
        for (schema, table), names in by_table.items():
            # Every cell as a (column, text) row, matched against every needle.
            selected = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in names)
            cells = (
                f'(unpivot (select {selected} from "{schema}"."{table}") '
                "on columns(*) into name col value val)"
            )
            found += [
                (f"{schema}.{table}", column, needle)
                for column, needle in con.execute(
                    f"select distinct col, needle from {cells}, unnest(?::varchar[]) as u(needle) "
                    "where contains(val, needle) order by all",
                    [needles],
                ).fetchall()
            ]
        return found
    finally:
        con.close()


def tables_holding(database: Path, text: str) -> list[str]:
    """The tables outside `raw` with a cell holding `text`."""
    return sorted({table for table, *_ in cells_holding(database, [text], "table_schema <> 'raw'")})
