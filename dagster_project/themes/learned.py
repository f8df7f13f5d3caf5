"""The learned half of the theme coding (DECISIONS C18, docs/themes.md).

Per survey and theme, a logistic regression on TF-IDF features of the comment (word
unigrams and bigrams, and character 3-5-grams within words, with the question as one
more word), trained on the labelled set's splits other than the unseen one. It does two
things to the rules' coding:
- a theme the rules gave is kept only when the model's probability is at least
  `veto_below` (the rules fire on words used in another sense);
- a theme the rules did not give is added when the probability is at least `add_at`,
  with `rule` naming the model, its probability and the comment's words that weighed
  most for the theme (`model 0.71: sick, cover`).

The model ships with the project as arrays (`model/theme_model.npz`: vocabularies, idf
weights, coefficients), written by `python -m dagster_project.themes.learned --write`
from the labelled set; nothing is downloaded or trained during a refresh. scikit-learn
trains it (a development dependency); a refresh scores with numpy and scipy, through
the same analyzers re-written here (tests/themes/test_learned.py holds them equal).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from scipy import sparse

MODEL_FILE = Path(__file__).parent / "model" / "theme_model.npz"


@dataclass(frozen=True)
class ModelSettings:
    c: float = 10.0  # inverse regularisation strength of each logistic regression
    add_at: float = 0.5  # probability from which the model adds a theme
    veto_below: float = 0.2  # probability under which a rule's theme is dropped
    char_min_df: int = 2  # a character n-gram in fewer training comments is left out
    evidence_words: int = 3  # words named in `rule` for a theme the model added


SETTINGS = ModelSettings()


def model_text(question: str, comment: str) -> str:
    """The text the model reads: the question as a word, then the comment normalised
    as the rules read it (case and apostrophes ignored)."""
    normalised = comment.lower().replace("'", "").replace("\u2019", "")
    return f"q_{question} {normalised}"


def _vectorizers(char_min_df: int = 2):
    """scikit-learn's vectorizers, for training only (a refresh scores with the arrays)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=char_min_df
    )
    return word, char


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern
_WHITE_SPACES = re.compile(r"\s\s+")


def word_terms(text: str) -> list[str]:
    """Words of two or more characters and word pairs, as scikit-learn's word analyzer
    with ngram_range (1, 2) makes them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _word_char_terms(word: str) -> list[str]:
    """A word's character 3-5-grams, space-padded, as scikit-learn's `char_wb` cuts them."""
    padded = f" {word} "
    grams = []
    for n in range(3, 6):
        grams.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
        if len(padded) <= n:
            break  # a short word counted once
    return grams


def _word_columns(index: dict[str, int]):
    def columns(text: str) -> list[int]:
        return [index[t] for t in word_terms(text) if t in index]

    return columns


def _char_columns(index: dict[str, int]):
    """Columns of a text's character n-grams; each distinct word is cut into n-grams
    once (words recur across comments far more than texts do)."""
    by_word: dict[str, list[int]] = {}

    def columns(text: str) -> list[int]:
        found: list[int] = []
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            known = by_word.get(word)
            if known is None:
                known = [index[g] for g in _word_char_terms(word) if g in index]
                by_word[word] = known
            found.extend(known)
        return found

    return columns


def _tfidf(texts: Sequence[str], columns_of, width: int, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows, each scaled to unit length (scikit-learn's TfidfVectorizer
    with sublinear_tf, norm l2, fixed vocabulary and idf)."""
    lengths, columns = [], []
    for text in texts:
        found = columns_of(text)
        lengths.append(len(found))
        columns.extend(found)
    rows = np.repeat(np.arange(len(texts)), lengths)
    counts = sparse.csr_matrix(
        (np.ones(len(columns)), (rows, np.array(columns, dtype=np.int64))),
        shape=(len(texts), width),
    )
    counts.sum_duplicates()
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ counts


@dataclass(frozen=True)
class SurveyModel:
    survey: str
    themes: tuple[str, ...]
    word_vocabulary: tuple[str, ...]
    char_vocabulary: tuple[str, ...]
    word_idf: np.ndarray
    char_idf: np.ndarray
    coef: np.ndarray  # themes x (word features + char features)
    intercept: np.ndarray  # themes
    plain_words: frozenset[str] = frozenset()  # never named as evidence ("and", "for")

    @cached_property
    def _indexes(self) -> tuple[dict[str, int], dict[str, int]]:
        return (
            {t: i for i, t in enumerate(self.word_vocabulary)},
            {t: i for i, t in enumerate(self.char_vocabulary)},
        )

    def features(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        words, chars = self._indexes
        return (
            _tfidf(texts, _word_columns(words), len(words), self.word_idf).tocsr(),
            _tfidf(texts, _char_columns(chars), len(chars), self.char_idf).tocsr(),
        )

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Probability of each theme for each text (texts x themes), and the word features."""
        words, chars = self.features(texts)
        scores = sparse.hstack([words, chars]).tocsr() @ self.coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-scores)), words

    def evidence(self, words: sparse.csr_matrix, row: int, theme: int, limit: int) -> list[str]:
        """The words (or word pairs) of one text that weighed most for the theme, leaving
        out the question and words too plain to explain anything."""
        start, end = words.indptr[row], words.indptr[row + 1]
        columns = words.indices[start:end]
        weights = words.data[start:end] * self.coef[theme, columns]
        named = []
        for i in np.argsort(-weights, kind="stable"):
            term = self.word_vocabulary[columns[i]]
            if weights[i] <= 0 or len(named) == limit:
                break
            if term.startswith("q_") or all(w in self.plain_words for w in term.split()):
                continue
            named.append(term)
        return named


def train(items: Iterable, survey: str, themes: Sequence[str], settings: ModelSettings = SETTINGS):
    """Fit the survey's model on labelled comments (objects with survey, question,
    comment, themes)."""
    from sklearn.linear_model import LogisticRegression

    rows = [i for i in items if i.survey == survey]
    texts = [model_text(i.question, i.comment) for i in rows]
    word, char = _vectorizers(char_min_df=settings.char_min_df)
    features = sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    kept, coefs, intercepts = [], [], []
    for theme in themes:
        labels = np.array([theme in i.themes for i in rows])
        if labels.sum() < 2:
            continue  # too few examples to learn from: the rules alone code it
        fitted = LogisticRegression(C=settings.c, class_weight="balanced", max_iter=5000)
        fitted.fit(features, labels)
        kept.append(theme)
        coefs.append(fitted.coef_[0])
        intercepts.append(fitted.intercept_[0])
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return SurveyModel(
        survey,
        tuple(kept),
        tuple(word.get_feature_names_out()),
        tuple(char.get_feature_names_out()),
        word.idf_.astype(np.float64),
        char.idf_.astype(np.float64),
        np.array(coefs, dtype=np.float32),
        np.array(intercepts, dtype=np.float64),
        frozenset(ENGLISH_STOP_WORDS),
    )


def training_digest(items: Iterable) -> str:
    """sha256 of the training comments and their codes, in order."""
    digest = hashlib.sha256()
    for i in items:
        digest.update(
            json.dumps([i.id, i.survey, i.question, i.comment, sorted(i.themes)]).encode()
        )
    return digest.hexdigest()


def save(models: dict[str, SurveyModel], metadata: dict, path: Path = MODEL_FILE) -> None:
    arrays: dict[str, np.ndarray] = {"metadata": np.array(json.dumps(metadata, sort_keys=True))}
    for survey, m in models.items():
        arrays[f"{survey}.themes"] = np.array(m.themes)
        arrays[f"{survey}.word_vocabulary"] = np.array(m.word_vocabulary)
        arrays[f"{survey}.char_vocabulary"] = np.array(m.char_vocabulary)
        arrays[f"{survey}.word_idf"] = m.word_idf
        arrays[f"{survey}.char_idf"] = m.char_idf
        arrays[f"{survey}.coef"] = m.coef
        arrays[f"{survey}.intercept"] = m.intercept
        arrays[f"{survey}.plain_words"] = np.array(sorted(m.plain_words))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


@cache
def load(path: Path = MODEL_FILE) -> tuple[dict[str, SurveyModel], dict]:
    """The shipped models by survey, and their metadata (training digest, settings)."""
    with np.load(path, allow_pickle=False) as data:
        metadata = json.loads(str(data["metadata"]))
        models = {}
        for survey in metadata["surveys"]:

            def part(name: str, survey: str = survey) -> np.ndarray:
                return data[f"{survey}.{name}"]

            models[survey] = SurveyModel(
                survey,
                tuple(str(t) for t in part("themes")),
                tuple(str(t) for t in part("word_vocabulary")),
                tuple(str(t) for t in part("char_vocabulary")),
                part("word_idf"),
                part("char_idf"),
                part("coef"),
                part("intercept"),
                frozenset(str(t) for t in part("plain_words")),
            )
    return models, metadata


@dataclass(frozen=True)
class Judgement:
    """What the model says of a list of texts, as (text, theme) pairs: every theme it
    keeps (probability >= veto_below) and, for those it adds (>= add_at, not given by
    the rules), the `rule` text; None for the others."""

    rows: np.ndarray  # index of the text
    themes: np.ndarray  # theme id
    add_rules: np.ndarray  # object array: `model <p>: <words>` or None


def modelled_themes(survey: str) -> tuple[str, ...] | None:
    """The themes the shipped model judges for `survey` (None when it has no model)."""
    model = load()[0].get(survey)
    return None if model is None else model.themes


def judge(
    survey: str,
    texts: Sequence[str],
    given: Sequence[frozenset[str]],
    settings: ModelSettings = SETTINGS,
) -> Judgement:
    """The model's judgement of the texts of `survey` (which must have a model).
    `given`: the themes the rules gave each text (the model names its words only for
    the themes it adds)."""
    model = load()[0][survey]
    if not texts:
        empty = np.zeros(0, dtype=np.int64)
        return Judgement(empty, np.zeros(0, dtype=object), np.zeros(0, dtype=object))
    probabilities, words = model.probabilities(texts)
    rows, columns = np.nonzero(probabilities >= settings.veto_below)
    themes = np.array(model.themes, dtype=object)[columns]
    add_rules = np.full(len(rows), None, dtype=object)
    for pair in np.flatnonzero(probabilities[rows, columns] >= settings.add_at):
        row, column = int(rows[pair]), int(columns[pair])
        if model.themes[column] in given[row]:
            continue
        named = model.evidence(words, row, column, settings.evidence_words)
        add_rules[pair] = f"model {probabilities[row, column]:.2f}: " + (
            ", ".join(named) or "(wording)"
        )
    return Judgement(rows, themes, add_rules)


def main() -> int:
    from dagster_project.settings import SURVEYS
    from dagster_project.themes.evaluate import UNSEEN_SPLITS, load_labelled
    from dagster_project.themes.rules import theme_ids

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE}")
    args = parser.parse_args()
    items = [i for i in load_labelled() if i.split not in UNSEEN_SPLITS]
    models = {s: train(items, s, theme_ids(s)) for s in SURVEYS}
    metadata = {
        "surveys": list(SURVEYS),
        "training_digest": training_digest(items),
        "training_comments": len(items),
        "left_out_splits": list(UNSEEN_SPLITS),
        "settings": dataclasses.asdict(SETTINGS),
    }
    for survey, m in models.items():
        print(
            f"{survey}: {len(m.themes)} themes, {len(m.word_vocabulary)} word and "
            f"{len(m.char_vocabulary)} character features"
        )
    if args.write:
        save(models, metadata)
        print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
