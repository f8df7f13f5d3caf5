"""What a gate may repeat of the values it checked: never personal text.

A failed check's examples are stored (quality.validation_results, published), logged
(Dagster's run storage under DAGSTER_HOME) and printed (`poet run`'s last line). So:
- a value of a free-text column (comments, an invalid cell's raw value, extra columns)
  is never repeated: the example says which column and what kind of problem;
- a contact-detail finding is reported as (respondent id, column, kind of detail);
- a respondent id, or any other value, that itself looks like a contact detail is
  replaced by the kind of detail it holds;
- a message (a database or Great Expectations error) is scrubbed the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from dagster_project.quality.contact_details import CONTACT_DETAIL_PATTERNS
from dagster_project.quality.outcomes import ExpectationOutcome

# Columns whose values are free text a person typed: never repeated.
FREE_TEXT_COLUMNS = frozenset({"raw_value", "extra_columns"})
FREE_TEXT_PREFIXES = ("comment_",)
HIDDEN = "hidden (free-text column)"
# The SQL form of the free-text test over a stored `column` (comma-separated names).
FREE_TEXT_COLUMN_SQL = r"(^|,\s*)(raw_value|extra_columns|comment_\w*)(\s*,|$)"

_COMPILED = {kind: re.compile(pattern) for kind, pattern in CONTACT_DETAIL_PATTERNS.items()}


def is_free_text(column: str) -> bool:
    name = column.strip()
    return name in FREE_TEXT_COLUMNS or name.startswith(FREE_TEXT_PREFIXES)


def detail_kind(text: str) -> str | None:
    """The first kind of contact detail found in `text`, if any."""
    for kind, pattern in _COMPILED.items():
        if pattern.search(text):
            return kind
    return None


def scrub(text: str) -> str:
    """`text` with every contact detail replaced by its kind in brackets."""
    for kind, pattern in _COMPILED.items():
        text = pattern.sub(f"[{kind}]", text)
    return text


def masked_value(column: str | None, value: Any) -> Any:
    if column is not None and is_free_text(column):
        return HIDDEN if value is not None else None
    if isinstance(value, str):
        kind = detail_kind(value)
        return f"hidden ({kind})" if kind else value
    if isinstance(value, list):
        return [masked_value(column, v) for v in value]
    if isinstance(value, dict):
        return {k: masked_value(k if isinstance(k, str) else column, v) for k, v in value.items()}
    return value


def _columns(outcome: ExpectationOutcome) -> list[str]:
    return [c.strip() for c in (outcome.column or "").split(",") if c.strip()]


def masked(outcome: ExpectationOutcome) -> ExpectationOutcome:
    """The outcome as it may be stored, logged and printed."""
    columns = _columns(outcome)
    single = columns[0] if len(columns) == 1 else None
    free_text = [c for c in columns if is_free_text(c)]
    if free_text and any(not isinstance(e, dict) for e in outcome.examples):
        # Plain values of a free-text column: only where and what, never the value.
        examples: list[Any] = [
            {"column": c, "kind": outcome.expectation, "value": HIDDEN} for c in free_text
        ]
    else:
        # A dict example names its columns: each value is judged by its own key.
        examples = [
            masked_value(None if isinstance(e, dict) else single, e) for e in outcome.examples
        ]
    message = scrub(outcome.message) if outcome.message else outcome.message
    return replace(outcome, examples=examples, message=message)
