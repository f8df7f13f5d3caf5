"""Cell-level faults of real returns, and the count of invalid cells they leave.

An invalid cell follows the contract's definition exactly (docs/contract/README.md,
"Invalid cells"): a code outside the codebook list, an amount that is not a positive
number, an amount_period blank beside a valid amount, a survey_date that is not a real
ISO date. Nothing else the generator writes is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dagster_project.codebook import Codebook

Columns = dict[str, np.ndarray]
MULTI_SELECT_PREFIXES = ("plan_help_", "spend_")
NOT_BLANKED = ("respondent_id", "consent", "amount_period")  # period goes with its amount
INVALID_CODES = (0, 6, 7, 10, 11, 77, 98)


@dataclass
class CellCounts:
    answered: int = 0  # non-blank answer cells of consenting rows
    invalid: int = 0  # invalid ones among them, plus periods missing beside an amount

    def __iadd__(self, other: CellCounts) -> CellCounts:
        self.answered += other.answered
        self.invalid += other.invalid
        return self


def _blank(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return np.array([v is None or v == "" for v in values], dtype=bool)
    return np.isnan(values)


def blank_items(c: Columns, codebook: Codebook, share: float, rng: np.random.Generator) -> None:
    """Leave `share` of each single-answer item blank (ticks are handled as questions)."""
    n = len(c["consent"])
    k = round(share * n)
    for v in codebook.variables:
        if v.name in NOT_BLANKED or v.type in ("tick", "text"):
            continue
        rows = rng.choice(n, size=k, replace=False)
        if c[v.name].dtype == object:
            c[v.name][rows] = None
        else:
            c[v.name][rows] = np.nan
        if v.name == "amount_gbp":
            c["amount_period"][rows] = np.nan


def skip_multi_selects(
    c: Columns, codebook: Codebook, share: float, rng: np.random.Generator
) -> None:
    n = len(c["consent"])
    for prefix in MULTI_SELECT_PREFIXES:
        items = [v.name for v in codebook.of_type("tick") if v.name.startswith(prefix)]
        rows = rng.choice(n, size=round(share * n), replace=False)
        for item in items:
            c[item][rows] = np.nan


def export_ticks_blank(c: Columns, codebook: Codebook) -> None:
    """Some organisations export an unticked box as blank rather than 0."""
    for v in codebook.of_type("tick"):
        c[v.name][c[v.name] == 0] = np.nan


def count_answered(c: Columns, codebook: Codebook) -> int:
    consenting = c["consent"] == 1
    return int(
        sum((~_blank(c[v.name]) & consenting).sum() for v in codebook.variables if v.is_answer)
    )


def _invalid_value(variable, value, wave: int, rng: np.random.Generator):
    if variable.type in ("code", "tick"):
        candidates = [x for x in INVALID_CODES if x not in variable.codes]
        return float(candidates[int(rng.integers(len(candidates)))])
    if variable.type == "number":
        return 0.0 if rng.random() < 0.5 else -round(float(value), 2)
    return (f"{wave}-02-30", f"{wave}-13-01", f"31/12/{wave}")[int(rng.integers(3))]


def make_invalid(
    c: Columns, codebook: Codebook, share: float, wave: int, rng: np.random.Generator
) -> CellCounts:
    """Turn `share` of the answered cells of consenting rows invalid; return the counts."""
    answered = count_answered(c, codebook)
    wanted = round(share * answered)
    consenting = np.flatnonzero(c["consent"] == 1)
    eligible = [
        v
        for v in codebook.variables
        if v.is_answer and v.type in ("code", "tick", "number", "date")
    ]
    done: set[tuple[int, str]] = set()
    attempts = 0
    while len(done) < wanted and attempts < 50 * wanted + 100 and len(consenting):
        attempts += 1
        row = int(consenting[rng.integers(len(consenting))])
        variable = eligible[int(rng.integers(len(eligible)))]
        values = c[variable.name]
        if (row, variable.name) in done or _blank(values[row : row + 1])[0]:
            continue
        if variable.name == "amount_period" and rng.random() < 0.3:
            if not np.isnan(c["amount_gbp"][row]) and c["amount_gbp"][row] > 0:
                values[row] = np.nan  # blank beside a valid amount: invalid, not answered
                answered -= 1
                done.add((row, variable.name))
            continue
        if variable.name == "amount_gbp" and np.isnan(c["amount_period"][row]):
            continue
        values[row] = _invalid_value(variable, values[row], wave, rng)
        done.add((row, variable.name))
    return CellCounts(answered=answered, invalid=len(done))


@dataclass(frozen=True)
class PlantedDetail:
    """A sentence carrying one personal detail, appended to a comment (plan section 3)."""

    form: str  # which written form of which tag: name_after_trigger, phone_plus44, ...
    text: str
    detail: str  # what must never appear outside raw


# Every written form the redaction has to catch; comments.personal_detail picks these
# for about half the comments with a personal detail (the rest: its five plain kinds).
PLANTED_DETAILS: tuple[PlantedDetail, ...] = (
    PlantedDetail("name_after_trigger", "My PA Bronwen Okafor is wonderful.", "Okafor"),
    PlantedDetail("name_after_called", "A lady called Zofia comes on Tuesdays.", "Zofia"),
    PlantedDetail(
        "name_after_worker", "Our social worker Declan Featherstone listened.", "Featherstone"
    ),
    PlantedDetail("first_name_alone", "Siobhan at the office sorted it out.", "Siobhan"),
    PlantedDetail("full_name", "Thanks to Gareth Pritchard for everything.", "Pritchard"),
    PlantedDetail("ambiguous_name_after_trigger", "My carer Grace is kind.", "carer Grace"),
    PlantedDetail("title_lower_case", "mrs oyelaran from the council rang.", "oyelaran"),
    PlantedDetail("title_upper_case", "DR WAINWRIGHT SIGNED IT.", "WAINWRIGHT"),
    PlantedDetail("title_initial", "Ms J. Whitfield helped a lot.", "Whitfield"),
    PlantedDetail("phone_plus44_brackets", "Ring +44 (0)20 7946 0958 please.", "7946 0958"),
    PlantedDetail("phone_brackets", "Home phone (0113) 496 0172.", "496 0172"),
    PlantedDetail("phone_hyphens", "Call 0161-496-0835 any time.", "496-0835"),
    PlantedDetail("phone_no_spaces", "Mobile +447700900318.", "7700900318"),
    PlantedDetail("postcode_lower_case", "I live near ls6 2qt.", "ls6 2qt"),
    PlantedDetail("postcode_no_space", "Post it to SW1A1AA.", "SW1A1AA"),
    PlantedDetail("email_upper_case", "Write to JANET.W@HOTMAIL.CO.UK thanks.", "HOTMAIL"),
    PlantedDetail("email_at_dot", "carol (at) example (dot) org reaches me.", "carol (at)"),
    PlantedDetail("nhs_hyphens", "NHS no. 943-476-5919.", "943-476-5919"),
    PlantedDetail("nhs_spaces", "My NHS number is 401 023 2137.", "401 023 2137"),
    PlantedDetail("ni_spaces", "My NI number is QQ 12 34 56 C.", "QQ 12 34 56 C"),
    PlantedDetail("ni_lower_case", "ni qq123456c", "qq123456c"),
    PlantedDetail("date_slashes", "I was born on 12/03/1956.", "12/03/1956"),
    PlantedDetail("date_dots_short", "DOB 12.3.56 as on the form.", "12.3.56"),
    PlantedDetail("date_words", "My date of birth is 12 March 1956.", "12 March 1956"),
    PlantedDetail("date_month_first", "Born March 12th 1956.", "March 12th 1956"),
)


def planted_detail(rng: np.random.Generator) -> str:
    return PLANTED_DETAILS[int(rng.integers(len(PLANTED_DETAILS)))].text
