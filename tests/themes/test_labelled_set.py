"""Quality of the shipped coding (rules, then the learned model) on the hand-coded
labelled set (docs/themes.md).

The targets of issue 12 (micro-F1 >= 0.75, no theme with 10 or more hand-coded examples
below F1 0.5) are judged on comments the coding was not written or trained from: the
`fresh5` split, written and hand-coded by an author who never saw the rules, the model
or the other splits, and scored once after the model was frozen (54e5a56): micro-F1
0.812. The splits the rules were written from and the model trained on must stay at the
targets: a regression guard, their figures show fit, not generalisation.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from dagster_project.themes import learned
from dagster_project.themes.evaluate import (
    DEVELOPMENT_SPLITS,
    MICRO_F1_TARGET,
    THEME_F1_TARGET,
    THEME_MIN_EXAMPLES,
    UNSEEN_SPLITS,
    code_labelled,
    load_labelled,
    micro,
    theme_scores,
)

# Each unseen split as measured once (docs/themes.md): micro-F1 and recall floors
# against regressions.
UNSEEN_FLOORS = {"fresh5": (0.80, 0.84)}


@pytest.fixture(scope="module")
def labelled():
    items = load_labelled()
    return items, code_labelled(items)


def _scores(labelled, splits):
    items, coded = labelled
    chosen = [i for i in items if i.split in splits]
    return theme_scores({i.id: i.themes for i in chosen}, coded, {i.id: i.survey for i in chosen})


def _target_misses(scores) -> list:
    misses = []
    if micro(scores).f1 < MICRO_F1_TARGET:
        misses.append(("micro", micro(scores).f1))
    for (survey, theme), s in scores.items():
        if s.tp + s.fn >= THEME_MIN_EXAMPLES and (s.f1 or 0.0) < THEME_F1_TARGET:
            misses.append((survey, theme, s.f1))
    return misses


def test_the_set_is_large_and_varied(labelled):
    items, _ = labelled
    assert len(items) >= 200
    assert {i.survey for i in items} == {"holders", "carers"}
    assert sum(not i.themes for i in items) >= 15, "vague comments with no theme"
    assert sum(len(i.themes) >= 2 for i in items) >= 50, "comments with several themes"
    unseen = [i for i in items if i.split in UNSEEN_SPLITS]
    assert len(unseen) >= 120
    assert {(i.survey, i.question) for i in unseen} == {
        (s, q) for s in ("holders", "carers") for q in ("worked_well", "not_worked", "change")
    }
    assert sum(not i.themes for i in unseen) >= 5
    examples = Counter((i.survey, t) for i in unseen for t in i.themes)
    assert sum(n >= THEME_MIN_EXAMPLES for n in examples.values()) >= 4, (
        "the per-theme target must be tested on several themes"
    )


def test_development_splits_stay_at_the_targets(labelled):
    for split in DEVELOPMENT_SPLITS:
        assert _target_misses(_scores(labelled, (split,))) == [], split


def test_targets_on_comments_the_rules_were_not_written_from(labelled):
    assert _target_misses(_scores(labelled, UNSEEN_SPLITS)) == []


@pytest.mark.parametrize("split", UNSEEN_SPLITS)
def test_unseen_split_no_worse_than_measured(labelled, split):
    total = micro(_scores(labelled, (split,)))
    f1_floor, recall_floor = UNSEEN_FLOORS[split]
    assert total.f1 >= f1_floor
    assert total.recall >= recall_floor


def test_every_coded_theme_says_which_words_gave_it(labelled):
    """A rule's theme names the matched words; a theme the model added names the model,
    its probability and the comment's words that weighed most (learned.py)."""
    items, coded = labelled
    by_id = {i.id: i for i in items}
    by_model = 0
    for comment, themes in coded.items():
        text = by_id[comment].comment.lower().replace("'", "")
        for rule in themes.values():
            found = re.fullmatch(r"model (0\.\d\d|1\.00): (.+)", rule or "")
            if found is None:
                assert rule and rule in text
                continue
            by_model += 1
            assert float(found[1]) >= learned.SETTINGS.add_at - 0.005
            words = found[2].split(", ")
            assert 1 <= len(words) <= learned.SETTINGS.evidence_words
            for word in (w for pair in words for w in pair.split()):  # words and word pairs
                assert re.search(rf"\b{re.escape(word)}\b", text), (comment, word)
    assert by_model >= 20
