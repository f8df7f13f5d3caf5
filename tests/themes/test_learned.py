"""The learned half of the theme coding (themes/learned.py, DECISIONS C18): the shipped
model is the one the code trains from the labelled set, it never saw the unseen split,
and it drops and adds themes as documented."""

from __future__ import annotations

import duckdb
import numpy as np

from dagster_project.settings import SURVEYS
from dagster_project.themes import learned
from dagster_project.themes.coder import code_with_model, coding_query
from dagster_project.themes.evaluate import UNSEEN_SPLITS, load_labelled
from dagster_project.themes.rules import load_rules, theme_ids


def _training_items():
    return [i for i in load_labelled() if i.split not in UNSEEN_SPLITS]


def test_the_shipped_model_is_trained_on_the_labelled_set_without_the_unseen_split():
    _, metadata = learned.load()
    items = _training_items()
    assert metadata["training_digest"] == learned.training_digest(items), (
        "run python -m dagster_project.themes.learned --write"
    )
    assert metadata["left_out_splits"] == list(UNSEEN_SPLITS)
    assert metadata["training_comments"] == len(items)
    assert not {i.split for i in items} & set(UNSEEN_SPLITS)


def test_retraining_gives_the_shipped_probabilities():
    """No weight is edited by hand: the code trains the same model again (carers, the
    smaller survey, to keep the suite fast; the digest test covers both)."""
    models, _ = learned.load()
    items = _training_items()
    for survey in ("carers",):
        retrained = learned.train(items, survey, theme_ids(survey))
        texts = [learned.model_text(i.question, i.comment) for i in items if i.survey == survey]
        shipped_p, _ = models[survey].probabilities(texts[:60])
        new_p, _ = retrained.probabilities(texts[:60])
        assert models[survey].themes == retrained.themes
        np.testing.assert_allclose(shipped_p, new_p, atol=1e-4)


def test_the_model_drops_and_adds_themes_by_its_thresholds():
    """Against the rules alone on the labelled set: every theme the model dropped had a
    probability under `veto_below`, every theme it added one at least `add_at`, and the
    rest is the rules' coding unchanged."""
    items = load_labelled()
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE c AS SELECT 0 AS wave, survey, 'EVAL' AS org_code, id AS respondent_id, "
        "question, comment AS comment_redacted FROM (VALUES "
        + ", ".join("(?, ?, ?, ?)" for _ in items)
        + ") v(survey, id, question, comment)",
        [x for i in items for x in (i.survey, i.id, i.question, i.comment)],
    )
    rules = {s: load_rules(s) for s in SURVEYS}
    table = code_with_model(con, "c", rules)
    final = {
        (r, t) for r, t in con.execute(f"SELECT respondent_id, theme_id FROM {table}").fetchall()
    }
    con.execute("CREATE TABLE rules_only AS " + coding_query("c", rules))
    by_rules = {
        (r, t) for r, t in con.execute("SELECT respondent_id, theme_id FROM rules_only").fetchall()
    }
    models, _ = learned.load()
    probability = {}
    for survey in SURVEYS:
        chosen = [i for i in items if i.survey == survey]
        p, _ = models[survey].probabilities(
            [learned.model_text(i.question, i.comment) for i in chosen]
        )
        for row, item in enumerate(chosen):
            for column, theme in enumerate(models[survey].themes):
                probability[(item.id, theme)] = p[row, column]
    dropped, added = by_rules - final, final - by_rules
    assert dropped and added
    assert all(probability[k] < learned.SETTINGS.veto_below for k in dropped)
    assert all(probability[k] >= learned.SETTINGS.add_at for k in added)
    kept = by_rules & final
    assert all(probability[k] >= learned.SETTINGS.veto_below for k in kept)


def test_the_features_are_scikit_learns():
    """A refresh scores without scikit-learn: its analyzers and TF-IDF, re-written in
    learned.py, give scikit-learn's matrices on every labelled comment."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    models, _ = learned.load()
    texts = [learned.model_text(i.question, i.comment) for i in load_labelled()[::4]]
    texts += ["", "a", "ok", "  two   spaces ", "café über naïve", "x y"]
    for model in models.values():
        words, chars = model.features(texts)
        word = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, vocabulary=model.word_vocabulary
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            vocabulary=model.char_vocabulary,
        )
        word.fit(texts)
        char.fit(texts)
        word.idf_, char.idf_ = model.word_idf, model.char_idf
        np.testing.assert_allclose(words.toarray(), word.transform(texts).toarray(), atol=1e-12)
        np.testing.assert_allclose(chars.toarray(), char.transform(texts).toarray(), atol=1e-12)
