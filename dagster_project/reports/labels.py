"""Readable names of outcomes, factors, variables and codes, from the reference schema.

The reports join the reference data themselves (codebooks, outcome ids, the 2014
tables' factor labels) so that they need no label column in the marts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dagster_project.reports.data import ReportData

QUESTIONS = {
    "worked_well": "What has worked well",
    "not_worked": "What has not worked well",
    "change": "What would you change",
}
SURVEY_NAMES = {"holders": "Personal budget holders", "carers": "Carers"}
WEEKLY_BANDS = {
    "up_to_200": "Up to £200",
    "201_500": "£201 to £500",
    "501_1000": "£501 to £1,000",
    "over_1000": "More than £1,000",
}
GROUP_NAMES = {
    "physical_disability": "Physical disability",
    "learning_disability": "Learning disability",
    "mental_health": "Mental health difficulties",
    "older_people": "Older people",
}
# Flags of org_summary and the group tests that are not factors of the 2014 tables.
EXTRA_FACTOR_LABELS = {
    "process_made_easy": "Council/NHS made the personal budget process easy",
}
_PREFIX = re.compile(
    r"^(what difference has (your|the person.s) personal budget made to:\s*|\.\.\.)", re.IGNORECASE
)


def _sentence(text: str) -> str:
    text = _PREFIX.sub("", text.strip())
    text = re.sub(r"^(your own |your |the )", "", text)
    return text[:1].upper() + text[1:]


def parse_codes(text: object) -> dict[int, str]:
    codes: dict[int, str] = {}
    if not isinstance(text, str):
        return codes
    for part in filter(None, (p.strip() for p in text.split(";"))):
        code, _, label = part.partition("=")
        codes[int(code)] = label.strip()
    return codes


@dataclass(frozen=True)
class Labels:
    outcome: dict[tuple[str, str], str]  # (survey, outcome_id) -> label
    outcome_order: dict[tuple[str, str], int]
    factor: dict[tuple[str, str], str]  # (survey, factor_id) -> label
    question: dict[tuple[str, str], str]  # (survey, variable) -> question text
    codes: dict[tuple[str, str], dict[int, str]]

    def outcome_label(self, survey: str, outcome_id: str) -> str:
        return self.outcome.get((survey, outcome_id), outcome_id.replace("_", " ").capitalize())

    def factor_label(self, survey: str, factor_id: str) -> str:
        return self.factor.get(
            (survey, factor_id),
            EXTRA_FACTOR_LABELS.get(factor_id, factor_id.replace("_", " ").capitalize()),
        )

    def code_label(self, survey: str, variable: str, code: int) -> str:
        return self.codes.get((survey, variable), {}).get(int(code), str(code))

    def outcomes_of(self, survey: str) -> list[str]:
        ids = [o for (s, o) in self.outcome_order if s == survey]
        return sorted(ids, key=lambda o: self.outcome_order[(survey, o)])


def build_labels(data: ReportData) -> Labels:
    book = data.codebook
    questions = {(r.survey, r.variable): r.question for r in book.itertuples()}
    codes = {(r.survey, r.variable): parse_codes(r.codes) for r in book.itertuples()}
    outcome, order = {}, {}
    for r in data.outcomes.itertuples():
        outcome[(r.survey, r.outcome_id)] = _sentence(questions.get((r.survey, r.variable), ""))
        order[(r.survey, r.outcome_id)] = int(r.outcome_order)
    factor = {(r.survey, r.factor_id): r.factor_label for r in data.factor_tables.itertuples()}
    return Labels(outcome, order, factor, questions, codes)


def variable_label(labels: Labels, survey: str, variable: str) -> str:
    question = labels.question.get((survey, variable), variable)
    return _sentence(question)


def frame_or_empty(frame: pd.DataFrame | None) -> pd.DataFrame:
    return frame if frame is not None else pd.DataFrame()
