"""The survey codebooks (copied from the contract into dbt seeds), parsed once.

One parser for the whole project: synth, landing and the quality suites all read
variables and valid codes from here, and dbt reads the same files as seeds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from dagster_project.settings import REFERENCE_DIR, SURVEYS

REQUIRED_COLUMNS = ("respondent_id", "consent")


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # text | code | tick | number | date
    question: str
    codes: dict[int, str]  # code -> label, empty for text, number and date
    notes: str

    @property
    def is_answer(self) -> bool:
        """An answer cell: counted for the 2% invalid-cell rule."""
        return self.name not in REQUIRED_COLUMNS


@dataclass(frozen=True)
class Codebook:
    survey: str
    variables: tuple[Variable, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def __getitem__(self, name: str) -> Variable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(f"{name} is not a variable of the {self.survey} codebook")

    def of_type(self, *types: str) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.type in types)


def _parse_codes(text: str) -> dict[int, str]:
    codes: dict[int, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        code, _, label = part.partition("=")
        codes[int(code)] = label.strip()
    return codes


@cache
def load_codebook(survey: str) -> Codebook:
    if survey not in SURVEYS:
        raise ValueError(f"unknown survey {survey!r}; expected one of {SURVEYS}")
    path = REFERENCE_DIR / f"codebook_{survey}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    variables = tuple(
        Variable(
            name=row["variable"].strip(),
            type=row["type"].strip(),
            question=row["question"],
            codes=_parse_codes(row["codes"]),
            notes=row["notes"],
        )
        for row in rows
    )
    return Codebook(survey=survey, variables=variables)
