"""Counts kept per file version and added up (stats/version_counts.py, DECISIONS R50):
after a change only the new versions are counted, and the totals always equal one count
of every row."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.stats import version_counts
from dagster_project.stats.version_counts import Reuse, summed

TABLE = "marts.answers"


def _count_sql(relation: str, by: tuple[str, ...]) -> str:
    keys = ", ".join(by)
    return (
        f"SELECT {keys}, answer, count(*)::BIGINT AS n, "
        f"count(*) FILTER (WHERE flag)::BIGINT AS flagged FROM {relation} GROUP BY ALL"
    )


def _add(con, wave: int, org: str, sha: str, answers: list[str]) -> None:
    con.executemany(
        f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
        [(wave, org, sha, a, i % 3 == 0) for i, a in enumerate(answers)],
    )


@pytest.fixture()
def con(monkeypatch):
    monkeypatch.setattr(version_counts, "MIN_ROWS", 0)  # the fixture's few rows are kept too
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        f"CREATE TABLE {TABLE} (wave INTEGER, org_code VARCHAR, source_sha256 VARCHAR, "
        "answer VARCHAR, flag BOOLEAN)"
    )
    _add(con, 2013, "LA01", "s1", list("aabbc"))
    _add(con, 2014, "LA01", "s2", list("abcabc"))
    _add(con, 2014, "LA02", "s3", list("ccca"))
    # The same bytes in another slot: another version with the same sha256.
    _add(con, 2014, "LA03", "s3", list("cb"))
    yield con
    con.close()


def _summed(con, waves, reuse):
    return summed(con, "answers", TABLE, _count_sql, ("answer",), ("n", "flagged"), waves, reuse)


def _direct(con, waves):
    return _summed(con, waves, None)


def _counted(con) -> list[tuple]:
    return con.execute(
        "SELECT wave, org_code, source_sha256, code FROM poet_meta.answers__versions ORDER BY ALL"
    ).fetchall()


def test_totals_equal_a_count_of_every_row_and_only_new_versions_are_counted(con):
    reuse = Reuse(code="c1")
    first = _summed(con, [2013, 2014], reuse)
    assert first.equals(_direct(con, [2013, 2014]))
    assert first.query("wave == 2014 and answer == 'c'")["n"].tolist() == [6]

    # LA02's return is replaced; LA01's 2013 one is withdrawn.
    con.execute(f"DELETE FROM {TABLE} WHERE org_code = 'LA02' OR wave = 2013")
    _add(con, 2014, "LA02", "s4", list("aaab"))
    # Counts of versions gone or kept are never read again from the mart: the kept
    # version's rows, changed behind its back, keep their first counts.
    con.execute(f"UPDATE {TABLE} SET answer = 'z' WHERE org_code = 'LA03'")
    after = _summed(con, [2014], reuse)
    assert _counted(con) == [
        (2014, "LA01", "s2", "c1"),
        (2014, "LA02", "s4", "c1"),
        (2014, "LA03", "s3", "c1"),
    ]
    assert "z" not in set(after["answer"])
    con.execute(f"UPDATE {TABLE} SET answer = 'c' WHERE org_code = 'LA03' AND flag")
    con.execute(f"UPDATE {TABLE} SET answer = 'b' WHERE org_code = 'LA03' AND NOT flag")
    assert after.equals(_direct(con, [2014]))


def test_other_code_or_a_forced_refresh_counts_again(con):
    _summed(con, [2014], Reuse(code="c1"))
    con.execute(f"UPDATE {TABLE} SET answer = 'z' WHERE org_code = 'LA01'")
    assert "z" not in set(_summed(con, [2014], Reuse(code="c1"))["answer"])
    assert "z" in set(_summed(con, [2014], Reuse(code="c2"))["answer"])
    assert {c for *_, c in _counted(con)} == {"c2"}
    con.execute(f"UPDATE {TABLE} SET answer = 'y' WHERE org_code = 'LA01'")
    forced = _summed(con, [2014], Reuse(code="c2", forced=True))
    assert forced.equals(_direct(con, [2014]))


def test_a_wave_counted_later_is_added_to_the_kept_counts(con):
    _summed(con, [2014], Reuse(code="c1"))
    both = _summed(con, [2013, 2014], Reuse(code="c1"))
    assert both.equals(_direct(con, [2013, 2014]))
    assert len(_counted(con)) == 4


def test_a_small_mart_is_counted_whole_and_nothing_kept(con, monkeypatch):
    monkeypatch.setattr(version_counts, "MIN_ROWS", 100)
    assert _summed(con, [2014], Reuse(code="c1")).equals(_direct(con, [2014]))
    kept = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'poet_meta'"
    ).fetchone()[0]
    assert kept == 0
