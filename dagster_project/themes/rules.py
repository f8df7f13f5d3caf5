"""The theme catalogue and the coding rules: reference data an analyst edits, not code.

Both live in dbt seeds (dbt_project/seeds/reference/): `themes.csv` (survey, theme_id,
label, description from the 2014 report) and one `theme_rules_<survey>.csv` per survey
(theme_id, kind, phrase). dbt loads them into schema `reference` so the published
warehouse shows the rules that coded it; Python reads the same files directly.

Phrase syntax (docs/themes.md): lower-case words matched as whole words, case and
apostrophes ignored ("don't" = "dont"); words may be separated in the comment by any
spaces or punctuation; a plain word also matches its regular inflections ("decide":
decides, decided, deciding; see _forms); a word ending in `=` matches only itself
("form=" not "forms"); a word ending in `*` matches any ending ("recruit*"); `...`
stands for up to three words ("took ... long"); a leading `^` or a trailing `$` ties the
phrase to the start or the end of the comment ("^everything$").

`carries` phrases give the theme; `rules_out` phrases are blanked out of the comment
before the theme's carrying phrases are looked for, so "not great" can hide "great", and
"support plan" can stop "support" from carrying the support theme.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from dagster_project.settings import REFERENCE_DIR, SURVEYS

KINDS = ("carries", "rules_out")
_WORD = re.compile(r"^[a-z0-9]+[*=]?$")
_VOWELS = set("aeiou")
# Words that keep their exact form (no inflections): short function words, whose
# inflected forms are other words ("she" -> "shed", "us" -> "uses").
_EXACT_WORDS = frozenset(
    """the and for nor not you his her hers our ours its was were are has had him she
    who any all own too with from that this than then them they their there what when
    why how into onto over under but yet can cant dont didnt wont very more less much
    many each every some one two off out way""".split()
)
# Between two words of a phrase: any run of characters that are not letters or digits.
_GAP = "[^a-z0-9]+"
_ANY_WORDS = "(?:[a-z0-9]+[^a-z0-9]+){0,3}"


class RuleError(ValueError):
    """A rules or catalogue file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Theme:
    survey: str
    theme_id: str
    label: str
    description: str


@dataclass(frozen=True)
class ThemeRule:
    """The compiled rule of one theme: the regular expressions the coder runs."""

    survey: str
    theme_id: str
    carries: tuple[str, ...]
    rules_out: tuple[str, ...]

    @cached_property
    def carry_pattern(self) -> str:
        return _alternation(self.carries)

    @cached_property
    def rules_out_pattern(self) -> str | None:
        return _alternation(self.rules_out) if self.rules_out else None


def phrase_pattern(phrase: str) -> str:
    """The RE2/Python regular expression of one phrase (see the module docstring)."""
    start, body, end = _phrase_parts(phrase)
    head = "^[^a-z0-9]*" if start else r"\b"
    tail = "[^a-z0-9]*$" if end else r"\b"
    return f"{head}{body}{tail}"


@cache
def _phrase_parts(phrase: str) -> tuple[bool, str, bool]:
    """Tied to the start?, the pattern of the words, tied to the end?"""
    text = normalise_phrase(phrase)
    start = text.startswith("^")
    end = text.endswith("$")
    text = text.strip("^$").strip()
    parts: list[str] = []
    words = text.split()
    if not words:
        raise RuleError(f"phrase {phrase!r} has no words")
    for i, word in enumerate(words):
        if word == "...":
            if i in (0, len(words) - 1):
                raise RuleError(f"phrase {phrase!r}: '...' must stand between two words")
            parts.append(_GAP + _ANY_WORDS)
            continue
        if not _WORD.match(word):
            raise RuleError(
                f"phrase {phrase!r}: {word!r} is not a word (letters and digits, "
                "optionally ending in * or =)"
            )
        body = word_pattern(word)
        if parts and not parts[-1].endswith(_ANY_WORDS):
            parts.append(_GAP)
        parts.append(body)
    return start, "".join(parts), end


def _forms(word: str) -> tuple[str, tuple[str, ...]]:
    """A plain word's regular forms as (base, endings): each form is base + ending.

    "decide": decide, decides, decided, deciding; "worry": worry, worries, worried,
    worrying; "stop": stop, stops, stopped, stopping (a doubled final consonant);
    "bus": bus, buses. Words of one or two letters, words with digits and common
    function words have one form (see _EXACT_WORDS).
    """
    if len(word) < 3 or word in _EXACT_WORDS or not word.isalpha():
        return word, ("",)
    if word.endswith("e"):
        return word[:-1], ("e", "es", "ed", "ing")
    if word.endswith("y") and word[-2] not in _VOWELS:
        return word[:-1], ("y", "ies", "ied", "ying")
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word, ("", "es", "ed", "ing")
    endings = ["", "s", "ed", "ing"]
    last = word[-1]
    if last not in _VOWELS | set("wxy") and word[-2] in _VOWELS and word[-3] not in _VOWELS:
        endings += [last + "ed", last + "ing"]
    return word, tuple(endings)


def inflections(word: str) -> str:
    """The regular expression of a plain word with its regular forms (_forms)."""
    base, endings = _forms(word)
    alternatives = [e for e in endings if e]
    if not alternatives:
        return re.escape(base)
    optional = "?" if "" in endings else ""
    return re.escape(base) + "(?:" + "|".join(alternatives) + ")" + optional


def word_pattern(word: str) -> str:
    """`word*` any ending; `word=` exactly this word; a plain word with its inflections."""
    if word.endswith("*"):
        return re.escape(word[:-1]) + "[a-z0-9]*"
    if word.endswith("="):
        return re.escape(word[:-1])
    return inflections(word)


def normalise_phrase(phrase: str) -> str:
    # A hyphen or slash separates words, as any punctuation does in a comment.
    text = phrase.lower().replace("'", "").replace("\u2019", "")
    return " ".join(text.replace("-", " ").replace("/", " ").split())


def _alternation(phrases: tuple[str, ...]) -> str:
    """One expression for all the phrases: the phrases tied to the start or end of the
    comment first, then the others inside a single pair of word boundaries (a shorter
    expression compiles faster). Longer phrases first, so the rule shows the fullest
    phrase that matched."""
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    parts = [_phrase_parts(p) for p in ordered]
    tied = [
        phrase_pattern(p) for p, (start, _, end) in zip(ordered, parts, strict=True) if start or end
    ]
    free = [body for start, body, end in parts if not (start or end)]
    if free:
        tied.append(r"\b(?:" + "|".join(free) + r")\b")
    return "(?:" + "|".join(tied) + ")"


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.exists():
        raise RuleError(f"{path} does not exist")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise RuleError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


@cache
def load_themes(reference_dir: Path = REFERENCE_DIR) -> tuple[Theme, ...]:
    """The catalogue of analysis plan section 4, in the report's order."""
    rows = _rows(reference_dir / "themes.csv", ("survey", "theme_id", "label", "description"))
    themes = tuple(Theme(r["survey"], r["theme_id"], r["label"], r["description"]) for r in rows)
    unknown = {t.survey for t in themes} - set(SURVEYS)
    if unknown:
        raise RuleError(f"themes.csv: unknown survey(s) {sorted(unknown)}")
    return themes


def theme_ids(survey: str, reference_dir: Path = REFERENCE_DIR) -> tuple[str, ...]:
    return tuple(t.theme_id for t in load_themes(reference_dir) if t.survey == survey)


def rules_path(survey: str, reference_dir: Path = REFERENCE_DIR) -> Path:
    return reference_dir / f"theme_rules_{survey}.csv"


@cache
def load_rules(survey: str, reference_dir: Path = REFERENCE_DIR) -> tuple[ThemeRule, ...]:
    """One compiled rule per theme of the survey's catalogue, in catalogue order.

    Every theme id of the rules file must be in the catalogue, and every phrase must
    compile; a theme with no carrying phrase is never coded (allowed, and logged by the
    asset as a theme with no rule).
    """
    path = rules_path(survey, reference_dir)
    catalogue = theme_ids(survey, reference_dir)
    carries: dict[str, list[str]] = {t: [] for t in catalogue}
    rules_out: dict[str, list[str]] = {t: [] for t in catalogue}
    for line, row in enumerate(_rows(path, ("theme_id", "kind", "phrase")), start=2):
        theme, kind, phrase = row["theme_id"], row["kind"], normalise_phrase(row["phrase"])
        if theme not in carries:
            raise RuleError(f"{path.name} line {line}: theme {theme!r} is not a {survey} theme")
        if kind not in KINDS:
            raise RuleError(f"{path.name} line {line}: kind {kind!r} is not one of {KINDS}")
        if not phrase:
            raise RuleError(f"{path.name} line {line}: blank phrase")
        try:
            phrase_pattern(phrase)  # built from escaped words: it compiles when it parses
        except RuleError as error:
            raise RuleError(f"{path.name} line {line}: {error}") from None
        (carries if kind == "carries" else rules_out)[theme].append(phrase)
    return tuple(
        ThemeRule(survey, t, tuple(dict.fromkeys(carries[t])), tuple(dict.fromkeys(rules_out[t])))
        for t in catalogue
    )
