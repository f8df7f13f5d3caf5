"""Experiment (docs/themes.md, superseded by the learned model of DECISIONS C18): does a
scikit-learn classifier trained on the labelled set help the keyword rules? scikit-learn
is a development dependency (`make setup` installs it; a refresh never imports it).

    .venv/bin/python benchmarks/experiment_theme_classifier.py

TF-IDF word 1-2-grams and character 3-5-grams, one balanced logistic regression per
theme; "rules+clf" codes a theme when either gives it. Trained on dev, tested on
held_out; trained on dev and held_out, tested on fresh; trained on dev, held_out and
fresh, tested on fresh2 (the split written after the rules were frozen).
"""

import sys

import numpy as np

try:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_union
except ImportError:
    sys.exit("scikit-learn is not installed: it is a development dependency (make setup)")

from dagster_project.themes.evaluate import code_labelled, load_labelled, micro, theme_scores
from dagster_project.themes.rules import theme_ids

items = load_labelled()
coded = code_labelled(items)


def norm(t):
    return t.lower().replace("'", "")


def run(train_splits, test_split, C=4.0, thr=0.5, combine=True):
    pred = {}
    for survey in ("holders", "carers"):
        tr = [i for i in items if i.survey == survey and i.split in train_splits]
        te = [i for i in items if i.survey == survey and i.split == test_split]
        vec = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
        )
        # include the question as a token
        X = vec.fit_transform([f"q_{i.question} " + norm(i.comment) for i in tr])
        Xt = vec.transform([f"q_{i.question} " + norm(i.comment) for i in te])
        for i in te:
            pred[i.id] = set(coded[i.id]) if combine else set()
        for theme in theme_ids(survey):
            y = np.array([theme in i.themes for i in tr])
            if y.sum() < 2:
                continue
            m = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(X, y)
            p = m.predict_proba(Xt)[:, 1]
            for i, pi in zip(te, p, strict=True):
                if pi >= thr:
                    pred[i.id].add(theme)
    te = [i for i in items if i.split == test_split]
    s = micro(theme_scores({i.id: i.themes for i in te}, pred, {i.id: i.survey for i in te}))
    return round(s.precision, 3), round(s.recall, 3), round(s.f1, 3)


for C in (1, 4, 10):  # noqa: N816
    for thr in (0.4, 0.5, 0.6):
        print(
            C,
            thr,
            "dev->held_out",
            run({"dev"}, "held_out", C, thr),
            "clf only",
            run({"dev"}, "held_out", C, thr, False),
            "| dev+ho->fresh",
            run({"dev", "held_out"}, "fresh", C, thr),
            "clf only",
            run({"dev", "held_out"}, "fresh", C, thr, False),
            "| dev+ho+fresh->fresh2",
            run({"dev", "held_out", "fresh"}, "fresh2", C, thr),
            "clf only",
            run({"dev", "held_out", "fresh"}, "fresh2", C, thr, False),
        )
