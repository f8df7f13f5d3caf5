"""Redaction of free text (analysis plan section 3): the one definition of its patterns.

Staging redacts every comment with the ordered rules below (dbt macro `redact()`); the
quality gates scan published text with `gate_patterns()`, built from the same rules
and the same word lists. The rules are RE2 regular expressions applied in DuckDB with
`regexp_replace(..., 'g')`, one after another, set-based over every comment.

The word lists are seeds (`dbt_project/seeds/reference/redaction_*.csv`, loaded into
`reference` for analysts to read); dbt cannot read a file while it compiles, so
`python -m dagster_project.redaction --write` renders the rules into the generated macro
`dbt_project/macros/redaction_rules.sql`, and a test fails while the two differ.

Why the rules look the way they do (docs/redaction.md has the details):
- RE2 has no look-ahead, so "a title followed by an ordinary word is not a name" is a
  marking pass: an ordinary word right after a title or a name trigger gets an invisible
  marker in front of it, the name rules cannot start at a marked word, and the marker is
  removed at the end.
- RE2's automaton runs out of memory, and falls back to a slow engine, on very long
  alternations (about 40 KB of pattern). Each word list therefore goes in its own rule
  and the lists are kept to a few thousand words.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = REPO_ROOT / "dbt_project" / "seeds" / "reference"
MACRO = REPO_ROOT / "dbt_project" / "macros" / "redaction_rules.sql"
TAGS = ("[email]", "[phone]", "[postcode]", "[nhs_number]", "[ni_number]", "[date]", "[name]")
MARK = "\ue000"  # private-use character: never in a comment (landing keeps text as given)
MARK_RE = r"\x{E000}"
# Every fixed-form detail holds a digit or an "@" (or "(at)"): comments without one
# (most of them) skip those rules, a third of the redaction's time.
PREFILTER = r"[0-9@]|(?i:\(at\)|\[at\])"

TITLES = r"Mrs|Mr|Ms|Miss|Mx|Dr|Prof|MRS|MR|MISS|MX|DR|PROF|mrs|mr|ms|dr|prof"
UPPER_TITLES = r"MRS|MR|MISS|MX|DR|PROF"  # not "MS" (the illness)
# Words that announce a name: "my PA Sarah Jones", "a lady called Jo", "social worker Ann".
TRIGGERS = (
    r"(?i:\b(?:(?:my|our|the|her|his|their|a|new|mum's|dad's)\s+)?(?:carer|pa|p\.a\.|"
    r"personal assistant|support worker|care worker|key worker|social worker|worker|"
    r"nurse|district nurse|manager|care manager|case manager|care coordinator|advocate|"
    r"gp|doctor|therapist|physio|ot|mum|mom|dad|mother|father|son|daughter|husband|wife|"
    r"partner|brother|sister|friend|neighbour|neighbor|aunt|auntie|uncle|nephew|niece|"
    r"grandson|granddaughter|cousin|boyfriend|girlfriend|helper|assistant|officer|"
    r"coordinator|lady|man|woman|gentleman|guy)|\bcalled|\bnamed|\bname is|\bname's)"
)
WORD = r"(?:O'|Mc|Mac)?[A-Z][a-z]+(?:[\-'][A-Z][a-z]+)*"  # a capitalised name word
MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
AT = r"(?:@|\s?\(at\)\s?|\s?\[at\]\s?)"  # jo@x.org, jo (at) x (dot) org
DOT = r"(?:\.|\s?\(dot\)\s?|\s?\[dot\]\s?)"
DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
YEAR = r"(?:19|20)[0-9]{2}"


@dataclass(frozen=True)
class Rule:
    """One regexp_replace step: `pattern` (RE2) becomes `replacement` (\\1 = group 1)."""

    name: str
    pattern: str
    replacement: str
    fixed: bool = False  # a fixed-form detail: needs a digit, "@" or "(at)" (PREFILTER)


@dataclass(frozen=True)
class WordLists:
    first_names: tuple[str, ...]  # capitalised, not ordinary words
    ambiguous_first_names: tuple[str, ...]  # also ordinary words: Will, May, Hope, Grace
    surnames: tuple[str, ...]
    common_words: tuple[str, ...]  # lower case; never a name right after a title


def _read(name: str, column: str, where: str | None = None) -> tuple[str, ...]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(sorted({r[column] for r in rows if where is None or r["also_a_word"] == where}))


@cache
def word_lists() -> WordLists:
    first = _read("redaction_first_names.csv", "name", "false")
    ambiguous = _read("redaction_first_names.csv", "name", "true")
    surnames = _read("redaction_surnames.csv", "name")
    # An ordinary word after a title is not a name, unless it is also a first name
    # ("my carer Will", "Dr May") or a surname ("Dr Brown").
    names = {n.lower() for n in first + ambiguous + surnames}
    common = tuple(w for w in _read("redaction_common_words.csv", "word") if w not in names)
    return WordLists(first, ambiguous, surnames, common)


def _alternation(words: tuple[str, ...]) -> str:
    """Longest first, so RE2's leftmost-first choice takes "Annabel" before "Ann"."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return "|".join(w.replace(".", r"\.").replace("-", r"\-") for w in ordered)


def rules() -> tuple[Rule, ...]:
    lists = word_lists()
    first = _alternation(lists.first_names)
    ambiguous = _alternation(lists.ambiguous_first_names)
    lower_first = _alternation(tuple(n.lower() for n in lists.first_names))
    lower_surnames = _alternation(tuple(s.lower() for s in lists.surnames))
    common = _alternation(lists.common_words)
    title = rf"\b(?:{TITLES})\b\.?"
    return (
        Rule(
            "email",
            rf"(?i)\b[a-z0-9][a-z0-9._%+\-]*{AT}[a-z0-9\-]+(?:{DOT}[a-z0-9\-]+)*{DOT}[a-z]{{2,}}\b",
            "[email]",
            fixed=True,
        ),
        # Dates come before phone and NHS numbers: 12/03/1956 is not part of either.
        # 12/03/1956, 12.3.56, 1956-03-12, 12 March 1956, 12th of March, March 12th 1956.
        Rule(
            "date",
            r"\b[0-3]?[0-9]\s?[/.\-]\s?[0-3]?[0-9]\s?[/.\-]\s?(?:[0-9]{4}|[0-9]{2})\b"
            rf"|\b{YEAR}[\-/.](?:0?[1-9]|1[0-2])[\-/.]{DAY}\b"
            rf"|\b{DAY}(?i:st|nd|rd|th)?(?:\s+of)?[\s\-/.]+{MONTH}\b\.?"
            rf"(?:,?[\s\-/.]+(?:{YEAR}|'?[0-9]{{2}}))?\b"
            rf"|\b{MONTH}\.?\s+{DAY}(?:(?i:st|nd|rd|th)\b(?:,?\s+{YEAR}\b)?|,?\s+{YEAR}\b)",
            "[date]",
            fixed=True,
        ),
        # UK phone numbers: +44, 0044 or a leading 0, then 9-10 digits with any spacing,
        # hyphens, dots or brackets ("(0161) 496 0000", "+44 (0)7700 900123").
        Rule(
            "phone",
            r"(?:\+\s?44\s?(?:\(0\)\s?)?|\b0044\s?|\(\s?0|\b0)(?:[0-9][\s\-.)]{0,2}){9}[0-9]\b",
            "[phone]",
            fixed=True,
        ),
        Rule("nhs_number", r"\b[0-9](?:[\s\-]{0,2}[0-9]){9}\b", "[nhs_number]", fixed=True),
        Rule(
            "ni_number",
            r"(?i)\b[a-z]{2}[\s\-]?[0-9]{2}[\s\-]?[0-9]{2}[\s\-]?[0-9]{2}[\s\-]?[a-d]\b",
            "[ni_number]",
            fixed=True,
        ),
        # The inward code's letters are never C, I, K, M, O or V: "M6 3pm" is no postcode.
        Rule(
            "postcode",
            r"(?i)\b[a-z]{1,2}[0-9][a-z0-9]?\s*[0-9][abd-hjlnp-uw-z]{2}\b",
            "[postcode]",
            fixed=True,
        ),
        # Marking: an ordinary word right after a title or a trigger is not a name.
        Rule(
            "mark_ordinary_words",
            rf"((?:{title}|{TRIGGERS}|\b(?:{ambiguous})),?\s+)((?i:{common})\b)",
            rf"\1{MARK}\2",
        ),
        # A name after a trigger ("my PA Sarah Jones": the trigger stays), or a title and
        # the name after it: capitalised words (with initials), an upper-case word after
        # an upper-case title, a listed name in lower case ("Dr smith"), or any word but
        # an ordinary one after a lower-case title ("mrs oyelaran"). One pass: group 1 is
        # empty for a title.
        Rule(
            "title_or_trigger_and_name",
            rf"({TRIGGERS},?\s+){WORD}(?:\s+{WORD}){{0,2}}"
            rf"|{title}\s+(?:[A-Z]\.?\s+){{0,2}}{WORD}(?:\s+{WORD}){{0,2}}"
            rf"|\b(?:{UPPER_TITLES})\b\.?\s+[A-Z][A-Z'\-]+(?:\s+[A-Z][A-Z'\-]+)?\b"
            rf"|{title}\s+(?:{lower_first}|{lower_surnames}|o'[a-z]+|ma?c[a-z]{{3,}})\b"
            r"|\b(?:mrs|mr|dr|mx|prof)\b\.?\s+[a-z][a-z'\-]{2,}",
            r"\1[name]",
        ),
        # A listed first name, with the capitalised words after it (a full name); in lower
        # case alone. A first name that is also a word ("Will") only with a surname.
        Rule(
            "first_name",
            rf"\b(?:{first})\b(?:\s+{WORD}){{0,2}}|\b(?:{lower_first})\b"
            rf"|\b(?:{ambiguous})\s+{WORD}(?:\s+{WORD})?",
            "[name]",
        ),
        # A surname after a redacted first name, and a full name as one tag.
        Rule(
            "one_tag_per_full_name",
            rf"\[name\](?:\s+(?:\[name\]|(?:{lower_surnames}|{WORD})\b))+",
            "[name]",
        ),
        Rule("unmark", MARK_RE, ""),
    )


# The title that starts every `title_and_name` match of the gate patterns.
GATE_TITLE = r"\b(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof)\b\.?\s+"


def gate_patterns(free_text: bool = False) -> dict[str, str]:
    """Patterns whose every match the redaction replaces (so redacted text passes).

    The fixed-form rules as they are, and a title followed by a listed first name or
    surname: a subset of what `title_and_name` redacts, safe to scan any text column
    with (a bare first name would also match place and organisation names). Dates only
    for free text (`free_text=True`): other text columns hold dates that are no one's
    personal detail (`data_quality_issues.raw_value` of an invalid `survey_date`).
    """
    lists = word_lists()
    names = _alternation(lists.first_names + lists.ambiguous_first_names + lists.surnames)
    return {**_fixed_patterns(free_text), "title_and_name": rf"{GATE_TITLE}(?:{names})\b"}


def _fixed_patterns(free_text: bool) -> dict[str, str]:
    return {r.name: r.pattern for r in rules() if r.fixed and (free_text or r.name != "date")}


def gate_prefilter(free_text: bool = False) -> str:
    """One pattern that matches wherever a gate pattern does (`title_and_name` cut to
    its title): about 1 kB instead of 23 kB, so a statement compiles it in 3 ms instead
    of 35. Only text it matches needs the full patterns."""
    patterns = {**_fixed_patterns(free_text), "title_and_name": GATE_TITLE}
    return "|".join(f"(?:{p})" for p in patterns.values())


def _chain(sql: str, steps: tuple[Rule, ...]) -> str:
    for rule in steps:
        pattern = rule.pattern.replace("'", "''")
        replacement = rule.replacement.replace("'", "''")
        sql = f"regexp_replace({sql}, '{pattern}', '{replacement}', 'g')"
    return sql


def redact_sql(column: str) -> str:
    """The SQL expression that redacts `column`, as the dbt macro `redact()` renders it.

    `column` appears three times (prefilter, fixed rules, text without a digit), so it
    should be a column or a cheap expression. (A lambda binding it once was tried: DuckDB
    then compiles the patterns again for every chunk, five times slower.)
    """
    steps = rules()
    fixed = _chain(column, tuple(r for r in steps if r.fixed))
    guarded = f"CASE WHEN regexp_matches({column}, '{PREFILTER}') THEN {fixed} ELSE {column} END"
    return _chain(guarded, tuple(r for r in steps if not r.fixed))


def _jinja(text: str) -> str:
    """A Jinja string literal (Python escapes; the marker character written as is)."""
    return json.dumps(text, ensure_ascii=False)


def render_macro() -> str:
    def jinja_list(items: list[tuple[str, str]]) -> str:
        return "[\n" + "".join(f"    ({_jinja(a)}, {_jinja(b)}),\n" for a, b in items) + "  ]"

    steps = rules()
    fixed = jinja_list([(r.pattern, r.replacement) for r in steps if r.fixed])
    names = jinja_list([(r.pattern, r.replacement) for r in steps if not r.fixed])
    gate = jinja_list(list(gate_patterns(free_text=True).items()))
    return (
        "{#- GENERATED by `python -m dagster_project.redaction --write` from\n"
        "    dagster_project/redaction.py and the seeds redaction_*.csv: do not edit by\n"
        "    hand (tests/redaction/test_redaction_rules.py fails while this file is stale). -#}\n"
        "{% macro redaction_prefilter() -%}\n"
        f"  {{{{ return({_jinja(PREFILTER)}) }}}}\n"
        "{%- endmacro %}\n\n"
        "{% macro redaction_fixed_rules() -%}\n"
        f"  {{{{ return({fixed}) }}}}\n"
        "{%- endmacro %}\n\n"
        "{% macro redaction_name_rules() -%}\n"
        f"  {{{{ return({names}) }}}}\n"
        "{%- endmacro %}\n\n"
        "{% macro redaction_gate_patterns() -%}\n"
        f"  {{{{ return({gate}) }}}}\n"
        "{%- endmacro %}\n\n"
        "{% macro redaction_gate_prefilter() -%}\n"
        f"  {{{{ return({_jinja(gate_prefilter(free_text=True))}) }}}}\n"
        "{%- endmacro %}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {MACRO.name}")
    args = parser.parse_args(argv)
    current = MACRO.read_text(encoding="utf-8") if MACRO.exists() else ""
    if args.write:
        MACRO.write_text(render_macro(), encoding="utf-8")
        print(f"wrote {MACRO.relative_to(REPO_ROOT)} ({len(rules())} rules)")
        return 0
    if current != render_macro():
        print(
            f"{MACRO.relative_to(REPO_ROOT)} is stale: run python -m dagster_project.redaction --write"
        )
        return 1
    print(f"{MACRO.relative_to(REPO_ROOT)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
