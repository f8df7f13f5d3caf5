"""The phrase syntax of the coding rules, and what a bad rules file says."""

from __future__ import annotations

import re

import pytest

from dagster_project.settings import REFERENCE_DIR, SURVEYS
from dagster_project.themes import rules
from dagster_project.themes.rules import RuleError, load_rules, phrase_pattern


def _hits(phrase: str, text: str) -> bool:
    return re.search(phrase_pattern(phrase), text) is not None


@pytest.mark.parametrize(
    ("phrase", "text", "hit"),
    [
        ("paperwork", "too much paperwork!!", True),
        ("form=", "the forms are long", False),  # `=`: exactly this word
        ("form", "the forms are long", True),  # a plain word matches its inflections
        ("form", "the information", False),  # whole words only
        ("form*", "the formal forms", True),
        ("decide", "we decided together", True),  # e dropped
        ("worry", "it worries me", True),  # y -> ies
        ("stop", "the visits stopped", True),  # doubled consonant
        ("bus", "two buses", True),
        ("she", "the shed", False),  # function words match exactly
        ("pa", "pas", False),  # so do words of one or two letters
        ("recruit*", "recruiting is hard", True),
        ("direct payment", "the direct-payment card", True),  # any punctuation between
        ("direct payment", "the direct  payment", True),
        ("took ... long", "it took far too long", True),  # up to three words
        ("took ... long", "it took a very very very long time", False),
        ("^everything$", "everything.", True),
        ("^everything$", "the council decides everything", False),
        ("^it all", "it all worked", True),
        ("dont", "dont know", True),
        ("don't", "dont know", True),  # apostrophes are ignored on both sides
        ("pre-paid card", "pre paid card", True),
    ],
)
def test_phrase_syntax(phrase, text, hit):
    assert _hits(phrase, text) is hit


@pytest.mark.parametrize("phrase", ["(bad", "word+", "... start", "end ...", "a*b", "a=b", "x*="])
def test_a_phrase_that_is_not_in_the_syntax_is_refused(phrase):
    with pytest.raises(RuleError):
        phrase_pattern(phrase)


def test_every_shipped_rule_compiles_and_names_a_theme_of_its_survey():
    for survey in SURVEYS:
        compiled = load_rules(survey)
        assert {r.theme_id for r in compiled} == set(rules.theme_ids(survey))
        assert all(r.carries for r in compiled), "every theme has a carrying phrase"
        for rule in compiled:
            re.compile(rule.carry_pattern)


def _reference_copy(tmp_path, rules_text: str):
    (tmp_path / "themes.csv").write_text((REFERENCE_DIR / "themes.csv").read_text())
    (tmp_path / "theme_rules_carers.csv").write_text(rules_text)
    return tmp_path


def test_a_theme_unknown_for_the_survey_names_the_line(tmp_path):
    folder = _reference_copy(
        tmp_path, "theme_id,kind,phrase\nsupport,carries,respite\nhome,carries,house\n"
    )
    with pytest.raises(RuleError, match=r"line 3: theme 'home' is not a carers theme"):
        load_rules("carers", folder)


def test_a_bad_kind_or_missing_column_is_refused(tmp_path):
    folder = _reference_copy(tmp_path, "theme_id,kind,phrase\nsupport,gives,respite\n")
    with pytest.raises(RuleError, match="kind 'gives'"):
        load_rules("carers", folder)
    folder = _reference_copy(tmp_path, "theme_id,phrase\nsupport,respite\n")
    with pytest.raises(RuleError, match="missing column"):
        load_rules.__wrapped__("carers", folder)
