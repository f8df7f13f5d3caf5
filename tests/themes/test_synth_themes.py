"""`poet synth`'s comments carry themes in the assumed shares, and its hand-coded sample."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from dagster_project.landing.theme_codes import REQUIRED_COLUMNS
from dagster_project.synth.comments import QUESTIONS, THEME_SHARES, comment_texts
from dagster_project.synth.config import SynthConfig
from dagster_project.synth.generate import generate
from dagster_project.themes.rules import theme_ids


@pytest.mark.parametrize("survey", ["holders", "carers"])
@pytest.mark.parametrize("variable", list(QUESTIONS))
def test_comments_carry_themes_in_the_assumed_shares(survey, variable):
    n = 20_000
    answered = np.ones(n, dtype=bool)
    answered[::4] = False
    texts, themes = comment_texts(variable, answered, 0.0, np.random.default_rng(3), survey)
    assert all((t is None) == (not a) for t, a in zip(texts, answered, strict=True))
    carried = [t.split(";") if t else [] for t in themes[answered]]
    shares = THEME_SHARES[survey][QUESTIONS[variable]]
    assert set(shares) <= set(theme_ids(survey))
    for theme, share in shares.items():
        got = sum(theme in c for c in carried) / len(carried)
        assert got == pytest.approx(share, abs=0.015), theme
    vague = sum(not c for c in carried) / len(carried)
    assert 0.05 < vague < 0.4
    assert len(set(texts[answered])) > 500, "varied wording"


def test_the_sample_names_consenting_comments_of_used_returns(tmp_path):
    manifest = generate(tmp_path, SynthConfig(holders=200, carers=100, orgs=6))
    assert manifest["theme_codes"] == ["2014/theme_codes.csv"]
    with (tmp_path / "2014" / "theme_codes.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(REQUIRED_COLUMNS)
    assert {r["survey"] for r in rows} == {"holders", "carers"}
    used = {f["path"].split("/")[1] for f in manifest["files"] if f["intended_status"] == "used"}
    assert {r["org_code"] for r in rows} <= used
    for row in rows:
        assert row["theme_id"] == "" or row["theme_id"] in theme_ids(row["survey"])
    assert any(r["theme_id"] == "" for r in rows), "a vague comment is coded with no theme"
