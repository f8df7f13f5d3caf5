"""The search the personal-detail tests rely on finds text in cells of any type."""

from __future__ import annotations

import duckdb
from warehouse_text import NOT_NAME_LISTS, cells_holding, tables_holding


def test_cells_of_any_type_are_searched_and_raw_can_be_left_out(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA marts")
    con.execute("CREATE TABLE raw.holders AS SELECT 'call 0777' AS comment")
    con.execute("CREATE TABLE marts.a AS SELECT 1 AS n, ['x', 'call 0777'] AS notes")
    con.execute("CREATE TABLE marts.b AS SELECT {'k': 'call 0777'} AS s, 'none' AS t")
    con.execute("CREATE TABLE marts.c AS SELECT 'nothing here' AS t, 7 AS n")
    con.execute("CREATE TABLE marts.redaction_names AS SELECT 'call 0777' AS name")
    con.close()

    assert cells_holding(path, ["0777", "absent"], NOT_NAME_LISTS) == [
        ("marts.a", "notes", "0777"),
        ("marts.b", "s", "0777"),
        ("raw.holders", "comment", "0777"),
    ]
    # Without the condition the name lists are searched too.
    assert ("marts.redaction_names", "name", "0777") in cells_holding(path, ["0777"])
    assert tables_holding(path, "0777") == ["marts.a", "marts.b", "marts.redaction_names"]
    assert cells_holding(path, ["0777"], "table_schema = 'raw'") == [
        ("raw.holders", "comment", "0777")
    ]
