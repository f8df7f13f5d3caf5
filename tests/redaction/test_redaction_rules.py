"""Redaction rules (plan section 3): one definition, the macro and the gate in step with it,
the labelled set's figures at their targets, and ordinary words left alone."""

from __future__ import annotations

import re

import duckdb
import pytest

from dagster_project import redaction
from dagster_project.quality.contact_details import CONTACT_DETAIL_PATTERNS
from dagster_project.redaction_eval import (
    TARGET_CLEAN_CHANGED,
    TARGET_RECALL,
    evaluate,
    load,
    redact_all,
)


def test_generated_macro_is_in_step_with_the_rules():
    assert redaction.MACRO.read_text(encoding="utf-8") == redaction.render_macro(), (
        "run python -m dagster_project.redaction --write"
    )


def test_the_gate_scans_with_the_redaction_patterns():
    fixed = {r.name: r.pattern for r in redaction.rules() if r.fixed}
    free_text = redaction.gate_patterns(free_text=True)
    assert {k: free_text[k] for k in fixed} == fixed
    assert set(free_text) == set(fixed) | {"title_and_name"}
    # Every text column: the same, less dates (a survey_date cell is no one's detail).
    assert CONTACT_DETAIL_PATTERNS == {k: v for k, v in free_text.items() if k != "date"}


def test_labelled_set_meets_the_targets():
    cases = load()
    assert len(cases) >= 150
    assert sum(not c.planted for c in cases) >= 50
    figures = evaluate(cases)
    assert figures.recall >= TARGET_RECALL, figures.missed
    assert figures.clean_changed_share <= TARGET_CLEAN_CHANGED, figures.changed
    assert set(figures.by_tag) == {t.strip("[]") for t in redaction.TAGS}


def _gate_flags(texts: list[str]) -> list[bool]:
    gate = "|".join(f"(?:{p})" for p in redaction.gate_patterns(free_text=True).values())
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, c VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
    sql = f"SELECT regexp_matches(c, '{gate.replace(chr(39), chr(39) * 2)}') FROM t ORDER BY i"
    return [row[0] for row in con.execute(sql).fetchall()]


def test_redacted_text_passes_the_gate_and_raw_text_fails_it():
    """Each gate pattern matches only what redaction replaces; it flags planted details."""
    cases = load()
    redacted = redact_all([c.text for c in cases])
    assert [t for t, flagged in zip(redacted, _gate_flags(redacted), strict=True) if flagged] == []
    fixed_tags = {"email", "phone", "postcode", "nhs_number", "ni_number", "date"}
    details = [p.text for c in cases for p in c.planted if p.tag in fixed_tags]
    assert [
        d for d, flagged in zip(details, _gate_flags(details), strict=True) if not flagged
    ] == []


def test_the_prefilter_matches_wherever_a_gate_pattern_does():
    """Landing scans respondent ids with the short prefilter first and with the full
    patterns only when it matches: that is exact only if the prefilter is never narrower."""
    cases = load()
    texts = [c.text for c in cases] + [p.text for c in cases for p in c.planted]
    texts += ["Mr Smith", "Dr. Jones", "Prof  Patel", "LA01-H14-000001", "Mrs  Ng"]
    prefilter = redaction.gate_prefilter(free_text=True)
    con = duckdb.connect()
    flagged = [t for t, f in zip(texts, _gate_flags(texts), strict=True) if f]
    assert len(flagged) > 40
    missed = [
        t
        for t in flagged
        if not con.execute("SELECT regexp_matches(?, ?)", [t, prefilter]).fetchone()[0]
    ]
    assert missed == []
    assert not con.execute("SELECT regexp_matches('LA01-H14-000001', ?)", [prefilter]).fetchone()[0]
    assert len(prefilter) < 2000  # the full patterns: about 23,000 characters


KEPT = [
    "Dr appointments are hard to get.",
    "Dr Appointments are hard to get.",
    "The Dr said no.",
    "Will I still be paid?",
    "May I say thank you.",
    "Hope this helps.",
    "Grace and dignity matter.",
    "Carers Direct helped.",
    "Support planning was rushed.",
    "I have MS and I miss going out.",
    "i have ms and fatigue",
    "We pay £9.50 an hour for 20 hours, at 10.30 on Mondays.",
    "I need help at 3pm near the M6 3pm.",
    "Call 111 or 999.",
    "My carer said she would come back.",
    "A lady called in yesterday.",
]
TAGGED = [
    ("My PA Sarah Jones helps.", "My PA [name] helps."),
    ("Dr. John Smith", "[name]"),
    ("mrs patel and ms o'brien", "[name] and [name]"),
    ("mrs oyelaran rang", "[name] rang"),
    ("Will Thompson drives me.", "[name] drives me."),
    ("My carer Grace is kind.", "My carer [name] is kind."),
    ("Siobhan O'Neill rang.", "[name] rang."),
    ("ring +44 (0)20 7946 0958", "ring [phone]"),
    ("at sw1a1aa", "at [postcode]"),
    ("NHS 943-476-5919 NI qq 12 34 56 c", "NHS [nhs_number] NI [ni_number]"),
    ("born 12.3.56, 12 March 1956 or March 12th 1956", "born [date], [date] or [date]"),
    ("JO.BLOGGS@EXAMPLE.ORG", "[email]"),
]


@pytest.fixture(scope="module")
def redacted() -> dict[str, str]:
    """Every example redacted in one query (compiling the rules once)."""
    texts = KEPT + [t for t, _ in TAGGED] + ["Dr appointments", "my carer and I", "Hope Street"]
    return dict(zip(texts, redact_all(texts), strict=True))


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_words_are_kept(redacted, text):
    assert redacted[text] == text


@pytest.mark.parametrize(("text", "expected"), TAGGED)
def test_each_form_gets_its_tag(redacted, text, expected):
    assert redacted[text] == expected


def test_marker_never_survives(redacted):
    assert not any(redaction.MARK in t for t in redacted.values())


def test_word_lists_are_clean():
    lists = redaction.word_lists()
    assert len(lists.first_names) > 1000 and len(lists.surnames) > 1000
    assert {"Will", "May", "Hope", "Grace"} <= set(lists.ambiguous_first_names)
    assert not set(lists.first_names) & set(lists.ambiguous_first_names)
    names = {n.lower() for n in lists.first_names + lists.ambiguous_first_names + lists.surnames}
    assert not names & set(lists.common_words)
    assert all(re.fullmatch(r"[A-Za-z'\-]+", n) for n in lists.first_names + lists.surnames)
