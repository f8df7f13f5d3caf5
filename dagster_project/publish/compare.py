"""Two published warehouses compared table by table, row for row (issue 11).

Used by the incremental-refresh test and `benchmarks/bench_refresh.py --equality`: the
warehouse a refresh after one changed return published must equal the one a full
refresh of the same landed data publishes. Rows are compared as multisets (`EXCEPT ALL`
both ways, so order does not matter and duplicates count), over every column of every
table of the analysts' schemas except timestamps (when a file was landed or a table was
built differs between two runs by construction). The `quality` schema holds the run's
own gate results (run ids, times) and is not compared.

Floating-point columns are compared to 9 significant digits: the incremental tables hold
their rows in another physical order than tables built from scratch, and a sum of
doubles in another order differs in the last bits (a mean of 360.1403332063975 against
360.1403332063976); a regression's p-value of 9.03183201525e-114 amplifies that to the
12th digit (two full refreshes differ there too). Every other column, and every count,
is compared exactly.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

COMPARED_SCHEMAS = ("marts", "reference")
SIGNIFICANT_DIGITS = 9
_FLOATS = ("DOUBLE", "FLOAT", "REAL")


def _column(name: str, data_type: str) -> str:
    if data_type in _FLOATS:
        return f'printf(\'%.{SIGNIFICANT_DIGITS}g\', "{name}") as "{name}"'
    return f'"{name}"'


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns where table_catalog = ? and table_schema in "
        f"({', '.join('?' for _ in COMPARED_SCHEMAS)}) "
        "order by table_schema, table_name, ordinal_position",
        [catalog, *COMPARED_SCHEMAS],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, [])
        if not data_type.startswith("TIMESTAMP"):
            tables[table].append(_column(column, data_type))
    return tables


def compare_published(first: Path, second: Path) -> list[str]:
    """Differences between two published warehouses, in words; empty when they are equal."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{first}' as a (read_only)")
        con.execute(f"attach '{second}' as b (read_only)")
        a, b = _tables(con, "a"), _tables(con, "b")
        problems = [f"only in one: {t}" for t in sorted(set(a) ^ set(b))]
        for table in sorted(set(a) & set(b)):
            if a[table] != b[table]:
                problems.append(f"{table}: columns differ")
                continue
            columns = ", ".join(a[table]) or "1"
            only_a, only_b = con.execute(
                f"select (select count(*) from (select {columns} from a.{table} except all "
                f"select {columns} from b.{table})), (select count(*) from (select {columns} "
                f"from b.{table} except all select {columns} from a.{table}))"
            ).fetchone()
            if (only_a, only_b) != (0, 0):
                problems.append(
                    f"{table}: {only_a} rows only in the first, {only_b} only in the second"
                )
    finally:
        con.close()
    return problems
