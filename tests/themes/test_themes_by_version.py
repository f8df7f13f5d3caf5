"""marts.comment_themes is built by file version (DECISIONS R33): a refresh codes the
comments of new versions only and deletes the rows of versions gone, and the table then
equals a build from scratch; a new code key or a forced refresh rebuilds it all; a build
that fails changes nothing."""

from __future__ import annotations

import duckdb
import pytest
from comments_table import create_comments

from dagster_project.themes import marts
from dagster_project.themes.evaluate import load_labelled

KEY = "code key A"


def _holders():
    return [i for i in load_labelled() if i.survey == "holders"]


def _rows(items, org: str, sha: str, wave: int = 2014) -> list[tuple]:
    return [(wave, i.survey, org, i.id, i.question, i.comment, sha) for i in items]


@pytest.fixture()
def con():
    items = _holders()[:300]
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    create_comments(
        con,
        "marts.comments",
        _rows(items[:100], "LA01", "a1") + _rows(items[100:200], "LA02", "b1"),
    )
    yield con
    con.close()


def _table(con) -> list[tuple]:
    return sorted(con.execute("SELECT * FROM marts.comment_themes").fetchall())


def _from_scratch(con) -> list[tuple]:
    scratch = duckdb.connect()
    scratch.execute("CREATE SCHEMA marts")
    comments = con.execute("SELECT * FROM marts.comments").fetchall()
    create_comments(scratch, "marts.comments", comments)
    marts.build_comment_themes(scratch, KEY)
    rows = _table(scratch)
    scratch.close()
    return rows


def test_a_changed_version_is_recoded_alone_and_the_table_equals_a_build_from_scratch(con):
    first = marts.build_comment_themes(con, KEY)
    assert first.rebuilt is not None and first.versions_added == 2
    assert first.rows > 0
    # LA02's return is replaced by a new version with other comments; LA03 arrives.
    items = _holders()[:300]
    con.execute("DELETE FROM marts.comments WHERE org_code = 'LA02'")
    create_comments(con, "new_comments", _rows(items[150:250], "LA02", "b2"))
    con.execute("INSERT INTO marts.comments SELECT * FROM new_comments")
    create_comments(con, "new_comments", _rows(items[250:300], "LA03", "c1"))
    con.execute("INSERT INTO marts.comments SELECT * FROM new_comments")
    second = marts.build_comment_themes(con, KEY)
    assert second.rebuilt is None
    assert (second.versions_added, second.versions_removed) == (2, 1)
    assert con.execute(
        "SELECT DISTINCT source_sha256 FROM marts.comment_themes ORDER BY 1"
    ).fetchall() == [("a1",), ("b2",), ("c1",)]
    assert _table(con) == _from_scratch(con)
    # Nothing changed: nothing coded, nothing removed, same table.
    before = _table(con)
    third = marts.build_comment_themes(con, KEY)
    assert (third.rebuilt, third.versions_added, third.versions_removed) == (None, 0, 0)
    assert _table(con) == before


def test_a_new_code_key_or_a_forced_refresh_rebuilds_the_whole_table(con):
    marts.build_comment_themes(con, KEY)
    # A row that no coding gives: only a rebuild of the whole table removes it.
    con.execute(
        "INSERT INTO marts.comment_themes SELECT * REPLACE ('stray' AS rule) "
        "FROM marts.comment_themes LIMIT 1"
    )
    kept = marts.build_comment_themes(con, KEY)
    assert kept.rebuilt is None and "stray" in {r[6] for r in _table(con)}
    forced = marts.build_comment_themes(con, KEY, forced=True)
    assert "poet run --force" in forced.rebuilt
    assert "stray" not in {r[6] for r in _table(con)}
    con.execute(
        "INSERT INTO marts.comment_themes SELECT * REPLACE ('stray' AS rule) "
        "FROM marts.comment_themes LIMIT 1"
    )
    changed = marts.build_comment_themes(con, "code key B")
    assert "code" in changed.rebuilt and changed.versions_added == 2
    assert "stray" not in {r[6] for r in _table(con)}
    assert _table(con) == _from_scratch(con)


def test_a_build_that_fails_leaves_the_table_and_its_record_as_they_were(con, monkeypatch):
    marts.build_comment_themes(con, KEY)
    before = _table(con)
    recorded = con.execute(f"SELECT * FROM {marts.CODED_VERSIONS} ORDER BY ALL").fetchall()
    create_comments(con, "new_comments", _rows(_holders()[250:300], "LA03", "c1"))
    con.execute("INSERT INTO marts.comments SELECT * FROM new_comments")

    def broken(*args, **kwargs):
        raise RuntimeError("the coder broke")

    monkeypatch.setattr(marts, "code_incrementally", broken)
    with pytest.raises(RuntimeError, match="the coder broke"):
        marts.build_comment_themes(con, KEY)
    assert _table(con) == before
    assert con.execute(f"SELECT * FROM {marts.CODED_VERSIONS} ORDER BY ALL").fetchall() == recorded
    monkeypatch.undo()
    again = marts.build_comment_themes(con, KEY)
    assert again.versions_added == 1
    assert _table(con) == _from_scratch(con)
