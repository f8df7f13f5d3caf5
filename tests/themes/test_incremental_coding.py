"""Texts coded by an earlier refresh are not coded again (coder.code_incrementally,
DECISIONS C20): the result always equals coding everything from scratch."""

from __future__ import annotations

import duckdb
from comments_table import create_comments

from dagster_project import workers
from dagster_project.settings import SURVEYS
from dagster_project.themes import coder
from dagster_project.themes.evaluate import load_labelled
from dagster_project.themes.rules import load_rules

RULES = {s: load_rules(s) for s in SURVEYS}


def _comments(con: duckdb.DuckDBPyConnection, items, wave: int) -> None:
    create_comments(
        con, "comments", [(wave, i.survey, "LA01", i.id, i.question, i.comment) for i in items]
    )


def _rows(con, table: str) -> set[tuple]:
    return set(con.execute(f"SELECT * FROM {table}").fetchall())


def _from_scratch(con) -> set[tuple]:
    table = coder.code_with_model(con, "comments", RULES)
    rows = _rows(con, table)
    con.execute(f"DROP TABLE {table}")
    return rows


def test_only_new_texts_are_coded_and_the_result_equals_a_full_coding():
    items = load_labelled()[:600]
    con = duckdb.connect()
    # First refresh: everything is new.
    _comments(con, items[:400], 2014)
    table, new = coder.code_incrementally(con, "comments", RULES)
    assert new == len({(i.survey, i.question, i.comment) for i in items[:400]})
    assert _rows(con, table) == _from_scratch(con)
    # Second: 200 comments leave, 200 arrive, one text recurs under another respondent.
    again = [*items[200:600]]
    _comments(con, again, 2014)
    con.execute(
        "INSERT INTO comments SELECT wave, survey, org_code, respondent_id || '-b', question, "
        "comment_redacted, source_sha256 FROM comments LIMIT 1"
    )
    table, new = coder.code_incrementally(con, "comments", RULES)
    before = {(i.survey, i.question, i.comment) for i in items[:400]}
    assert new == len({(i.survey, i.question, i.comment) for i in items[400:600]} - before)
    assert _rows(con, table) == _from_scratch(con)
    # Texts that left are forgotten.
    [(kept,)] = con.execute(f"SELECT count(*) FROM {coder.CACHE_SCHEMA}.theme_texts").fetchall()
    assert kept == len({(i.survey, i.question, i.comment) for i in again})
    # Nothing new: nothing coded, same result.
    table, new = coder.code_incrementally(con, "comments", RULES)
    assert new == 0
    assert _rows(con, table) == _from_scratch(con)


def test_other_rules_code_every_text_again():
    items = load_labelled()[:100]
    con = duckdb.connect()
    _comments(con, items, 2014)
    coder.code_incrementally(con, "comments", RULES)
    fewer = {s: rules[1:] for s, rules in RULES.items()}  # one theme's rule dropped
    assert coder.coding_key(fewer) != coder.coding_key(RULES)
    table, new = coder.code_incrementally(con, "comments", fewer)
    assert new == len({(i.survey, i.question, i.comment) for i in items})
    dropped = {(survey, rules[0].theme_id) for survey, rules in RULES.items()}
    coded = _rows(con, table)
    expected = coder.code_with_model(con, "comments", fewer)
    assert coded == _rows(con, expected)
    assert not any(
        (row[1], row[5]) in dropped and not (row[6] or "").startswith("model ") for row in coded
    )


def test_many_chunks_are_judged_in_worker_processes_with_the_same_result(monkeypatch):
    """Two or more chunks of texts go to the worker processes (coder._judged); each chunk's
    judgement, and so the coding, is the one of the same chunks judged here."""
    con = duckdb.connect()
    _comments(con, load_labelled()[:300], 2014)
    monkeypatch.setattr(coder, "MODEL_CHUNK", 40)  # several chunks for each survey
    pools = []
    real_pool = workers.pool

    def counting_pool(*args, **kwargs):
        pools.append(1)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(workers, "pool", counting_pool)
    in_workers = _from_scratch(con)
    assert pools == [1]
    monkeypatch.setattr(coder, "_judged", lambda jobs: [coder._judge_chunk(j) for j in jobs])
    assert _from_scratch(con) == in_workers and in_workers
