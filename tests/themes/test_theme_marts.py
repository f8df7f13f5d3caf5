"""The theme marts on hand-made comments: shares with Wilson intervals checked against
statsmodels, and agreement checked against the Python scores of evaluate.py."""

from __future__ import annotations

import random

import duckdb
import pytest
from comments_table import create_comments
from statsmodels.stats.proportion import proportion_confint

from dagster_project.landing.theme_codes import ensure_tables
from dagster_project.themes.evaluate import theme_scores
from dagster_project.themes.marts import (
    COMMENT_THEMES,
    THEME_AGREEMENT,
    THEME_SHARES,
    build_comment_themes,
    build_theme_agreement,
    build_theme_shares,
)
from dagster_project.themes.rules import theme_ids

CODE_KEY = "the code of these tests"

TEXTS = [
    "Too much paperwork and the forms are long",
    "My PA is wonderful, thank you",
    "nothing really",
    "It took months to get the money sorted",
    "I can choose who comes and when",
    "The respite breaks help my wife get a rest",
    "not sure",
]


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    rng = random.Random(5)
    rows = []
    for wave in (2014, 2015):
        for survey in ("holders", "carers"):
            for i in range(rng.randint(30, 60)):
                for question in ("worked_well", "not_worked", "change"):
                    if rng.random() < 0.7:
                        rows.append((wave, survey, "LA01", f"R{i}", question, rng.choice(TEXTS)))
    create_comments(con, "marts.comments", rows)
    build_comment_themes(con, CODE_KEY)
    build_theme_shares(con)
    yield con
    con.close()


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE marts.{table}").fetchall()]


def test_tables_have_the_contract_columns(con):
    assert _columns(con, "comment_themes") == list(COMMENT_THEMES)
    assert _columns(con, "theme_shares") == list(THEME_SHARES)
    contract = {"theme_id", "n_compared", "precision", "recall", "f1", "kappa"}
    build_theme_agreement(con)
    assert contract <= set(_columns(con, "theme_agreement")) == set(THEME_AGREEMENT)
    assert con.execute("SELECT count(*) FROM marts.theme_agreement").fetchall()[0][0] == 0


def test_every_theme_of_every_question_has_a_share_with_a_wilson_interval(con):
    rows = con.execute(
        "SELECT wave, survey, question, theme_id, n_comments, n_with_theme, pct, ci_low, ci_high "
        "FROM marts.theme_shares"
    ).fetchall()
    cells = {(w, s, q) for w, s, q, *_ in rows}
    assert len(cells) == 12  # 2 waves x 2 surveys x 3 questions
    assert len(rows) == sum(len(theme_ids(s)) for _w, s, _q in cells)
    counts = dict(
        ((w, s, q), n)
        for w, s, q, n in con.execute(
            "SELECT wave, survey, question, count(*) FROM marts.comments GROUP BY ALL"
        ).fetchall()
    )
    seen_zero = seen_positive = False
    for wave, survey, question, _theme, n, k, pct, low, high in rows:
        assert n == counts[(wave, survey, question)]
        expected_low, expected_high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert pct == pytest.approx(100 * k / n)
        assert low == pytest.approx(100 * expected_low, abs=1e-6)
        assert high == pytest.approx(100 * expected_high, abs=1e-6)
        seen_zero |= k == 0
        seen_positive |= k > 0
    assert seen_zero and seen_positive


def test_agreement_matches_an_independent_computation(con):
    ensure_tables(con)
    comments = con.execute(
        "SELECT wave, survey, org_code, respondent_id, question FROM marts.comments "
        "WHERE wave = 2014 ORDER BY ALL"
    ).fetchall()
    coded = {}
    for *key, theme in con.execute(
        "SELECT wave, survey, org_code, respondent_id, question, theme_id FROM marts.comment_themes"
    ).fetchall():
        coded.setdefault(tuple(key), set()).add(theme)
    rng = random.Random(9)
    hand, rows = {}, []
    for n, key in enumerate(comments[::2]):
        themes = set(coded.get(key, set()))
        if rng.random() < 0.3:  # the hand coder disagrees now and then
            themes ^= {rng.choice(theme_ids(key[1]))}
        hand[key] = themes
        for theme in sorted(themes) or [None]:
            rows.append(("s.csv", "sha", n, key[0], key[1], key[2], key[3], key[4], theme, None))
    # a row naming a comment that is not published is not compared
    rows.append(("s.csv", "sha", 999, 2014, "holders", "LA01", "NOBODY", "change", "support", None))
    con.executemany("INSERT INTO raw.theme_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "INSERT INTO raw.theme_code_files VALUES ('s.csv', 'sha', 2014, now(), 'used', NULL, 1, [], NULL)"
    )
    # a superseded version is never compared
    con.execute(
        "INSERT INTO raw.theme_codes SELECT * REPLACE ('old' AS source_sha256, 'process' AS theme_id) "
        "FROM raw.theme_codes"
    )
    con.execute(
        "INSERT INTO raw.theme_code_files VALUES ('s.csv', 'old', 2014, now(), 'superseded', 'x', 1, [], NULL)"
    )
    build_theme_agreement(con)
    got = {
        (s, t): row
        for s, t, *row in con.execute(
            "SELECT survey, theme_id, n_compared, tp, fp, fn, tn, precision, recall, f1, kappa "
            "FROM marts.theme_agreement"
        ).fetchall()
    }
    ids = {key: key for key in hand}
    expected = theme_scores(
        {ids[k]: frozenset(v) for k, v in hand.items()},
        {ids[k]: coded.get(k, set()) for k in hand},
        {ids[k]: k[1] for k in hand},
    )
    assert set(got) == set(expected)
    for cell, scores in expected.items():
        n, tp, fp, fn, tn, precision, recall, f1, kappa = got[cell]
        assert (n, tp, fp, fn, tn) == (scores.n, scores.tp, scores.fp, scores.fn, scores.tn)
        for value, want in ((precision, scores.precision), (recall, scores.recall),
                            (f1, scores.f1), (kappa, scores.kappa)):  # fmt: skip
            assert value == pytest.approx(want) if want is not None else value is None
