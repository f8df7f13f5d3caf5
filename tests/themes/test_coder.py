"""The coder on hand-made comments: themes, the rule that gave each, and what rules out."""

from __future__ import annotations

import duckdb
import pytest
from comments_table import create_comments

from dagster_project.themes.coder import code_comments
from dagster_project.themes.rules import ThemeRule

RULES = {
    "holders": (
        ThemeRule("holders", "support", ("day centre*", "pa", "support"), ("support plan*",)),
        ThemeRule("holders", "positive", ("great", "thank*"), ("not great", "no thanks")),
        ThemeRule("holders", "process", ("paperwork", "support plan*"), ()),
        ThemeRule("holders", "home", (), ()),  # no carrying phrase: never coded
    ),
    "carers": (ThemeRule("carers", "timeliness", ("took ... long", "wait*"), ()),),
}


def _code(comments: list[tuple[str, str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    con = duckdb.connect()
    create_comments(con, "c", [(2014, s, "LA01", r, "worked_well", t) for s, r, t in comments])
    coded: dict[tuple[str, str], dict[str, str]] = {}
    for _w, survey, _o, respondent, _q, theme, rule in code_comments(con, "c", RULES).fetchall():
        coded.setdefault((survey, respondent), {})[theme] = rule
    return coded


def test_themes_and_the_words_that_gave_them():
    coded = _code(
        [
            ("holders", "r1", "The Day Centres are GREAT, thank you"),
            ("holders", "r2", "nothing really"),
            ("holders", "r3", "The support plan meeting and the paperwork"),
            ("holders", "r4", "It was not great. My PA is good though"),
            ("carers", "r5", "It took far too long"),
            ("carers", "r6", "The day centre"),  # a holders phrase codes nothing for carers
        ]
    )
    assert coded[("holders", "r1")] == {"support": "day centres", "positive": "great"}
    assert ("holders", "r2") not in coded  # vague: no theme
    # "support plan" rules out support and carries process.
    assert coded[("holders", "r3")] == {"process": "support plan"}
    # "not great" is blanked out before "great" is looked for; the PA still counts.
    assert coded[("holders", "r4")] == {"support": "pa"}
    assert coded[("carers", "r5")] == {"timeliness": "took far too long"}
    assert ("carers", "r6") not in coded


@pytest.mark.parametrize("text", ["Not great at all", "no thanks to them"])
def test_ruled_out_phrases_hide_the_theme(text):
    assert ("holders", "x") not in _code([("holders", "x", text)])


def test_a_theme_is_coded_once_per_comment():
    coded = _code([("holders", "r1", "pa pa pa, the support, the day centre")])
    assert list(coded[("holders", "r1")]) == ["support"]
