"""The cell rules of the contract, as DuckDB SQL generated per codebook variable.

Cells are cleaned once (trimmed; blank is NULL; an integral code written `1.0` is the
code `1`) and every rule then reads the cleaned value, so raw, the invalid-cell list
and the quarantine decision agree on what a cell holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster_project.bounds import EARLIEST_SURVEY_DATE, MAX_TEXT_CHARS, latest_survey_date
from dagster_project.codebook import Codebook, Variable

AMOUNT = "amount_gbp"
PERIOD = "amount_period"
CONSENT_YES = "1"

# Stable rule names, recorded in raw.invalid_cells.rule.
CODE_NOT_IN_CODEBOOK = "code_not_in_codebook"
AMOUNT_NOT_POSITIVE_NUMBER = "amount_not_positive_number"
PERIOD_MISSING_FOR_AMOUNT = "period_missing_for_amount"
DATE_NOT_ISO = "date_not_iso"
DATE_OUT_OF_RANGE = "date_out_of_range"
TEXT_TOO_LONG = "text_too_long"

# Spaces, tabs, line breaks and the no-break space Excel users paste in, as one literal:
# DuckDB binds every function of a statement (chr(9) || ... cost 0.4 ms per column, and
# the read-and-clean statement of each file has one per column).
_BLANKS = "' \t\n\r\u00a0'"
# The same characters as an RE2 class, for the guard in trimmed().
_BLANK_CLASS = r"[ \t\n\r\x{00A0}]"
_NOT_CANONICAL = r"'0[0-9]+(\.0*)?|[0-9]+\.0*'"  # "01", "1.", "1.0", "0.00"
_LEADING_ZEROS_AND_DECIMALS = r"'^0*([0-9]{1,38}?)(\.0*)?$'"
_PLAIN_DECIMAL = r"'[0-9]+(\.[0-9]*)?|\.[0-9]+'"
_ISO_DATE = "'[0-9]{4}-[0-9]{2}-[0-9]{2}'"


@dataclass(frozen=True)
class QuarantineLimits:
    """Thresholds of the file rules."""

    max_invalid_share: float = 0.02  # "more than 2% of its answer cells invalid"
    ids_listed: int = 5  # repeated respondent_ids named in a reason before "and N more"


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def trimmed(source: str) -> str:
    """SQL for a delivered cell trimmed, blank as NULL.

    trim() with a character list costs about as much as parsing the cell; nearly every
    cell has no blank at either end, and one regular-expression test finds the few that
    do (measured: the read-and-clean statement of a 50k-row file 0.54 s -> 0.34 s)."""
    needs_trim = f"regexp_matches({source}, '^{_BLANK_CLASS}|{_BLANK_CLASS}$')"
    return f"CASE WHEN {needs_trim} THEN NULLIF(trim({source}, {_BLANKS}), '') ELSE NULLIF({source}, '') END"


def is_coded(variable: Variable) -> bool:
    return variable.type in ("code", "tick")


def canonical(column: str, variable: Variable) -> str:
    """SQL for a trimmed cell as stored: `1.0`, `1.` and `01` are the code `1` for coded
    variables; anything else as delivered."""
    return canonical_code(column) if is_coded(variable) else column


def canonical_code(column: str) -> str:
    """SQL for a trimmed cell of a coded variable as stored (see canonical)."""
    # Only an integral number with a leading zero or a decimal point changes: its digits
    # without leading zeros ("0" for zero). Two regular expressions bind in half the time
    # of the tests they replaced (strpos, starts_with, a cast), once per column and file.
    # Up to 38 digits (as the HUGEINT cast this replaced); a longer number stays as sent.
    return (
        f"CASE WHEN regexp_full_match({column}, {_NOT_CANONICAL}) "
        f"THEN regexp_replace({column}, {_LEADING_ZEROS_AND_DECIMALS}, '\\1') "
        f"ELSE {column} END"
    )


def valid_amount(column: str) -> str:
    return (
        f"(regexp_full_match({column}, {_PLAIN_DECIMAL}) "
        f"AND coalesce(TRY_CAST({column} AS DOUBLE) > 0, false))"
    )


@dataclass(frozen=True)
class CellRule:
    variable: str
    rule: str
    invalid_when: str  # SQL predicate over cleaned columns of one row
    raw_value: str  # SQL for the value recorded
    # A code_not_in_codebook rule's codes: the cell is invalid when it is not blank and
    # not one of them (the same test as invalid_when, for land_file's compact form).
    codes: tuple[str, ...] = ()


def cell_rules(codebook: Codebook, present: set[str]) -> list[CellRule]:
    """Every check of an answer cell, for the columns present in one file."""
    rules: list[CellRule] = []
    for variable in codebook.variables:
        name = variable.name
        if name not in present or not variable.is_answer:
            continue
        column = quote_identifier(name)
        if is_coded(variable):
            codes = tuple(str(code) for code in sorted(variable.codes))
            listed = ", ".join(quote_literal(code) for code in codes)
            predicate = f"{column} IS NOT NULL AND {column} NOT IN ({listed})"
            rules.append(CellRule(name, CODE_NOT_IN_CODEBOOK, predicate, column, codes))
        elif variable.type == "number":
            predicate = f"{column} IS NOT NULL AND NOT {valid_amount(column)}"
            rules.append(CellRule(name, AMOUNT_NOT_POSITIVE_NUMBER, predicate, column))
        elif variable.type == "date":
            predicate = (
                f"{column} IS NOT NULL AND NOT (regexp_full_match({column}, {_ISO_DATE}) "
                f"AND TRY_CAST({column} AS DATE) IS NOT NULL)"
            )
            rules.append(CellRule(name, DATE_NOT_ISO, predicate, column))
            # The staging gate's bounds (dagster_project/bounds.py): one file's far-off date
            # is an invalid cell here, not a failed gate that blocks every refresh.
            low, high = (
                quote_literal(EARLIEST_SURVEY_DATE.isoformat()),
                quote_literal(latest_survey_date().isoformat()),
            )
            as_date = f"TRY_CAST({column} AS DATE)"
            predicate = (
                f"regexp_full_match({column}, {_ISO_DATE}) AND {as_date} IS NOT NULL "
                f"AND NOT {as_date} BETWEEN CAST({low} AS DATE) AND CAST({high} AS DATE)"
            )
            rules.append(CellRule(name, DATE_OUT_OF_RANGE, predicate, column))
        elif variable.type == "text":
            # The text itself is never recorded (it may hold personal details): its length is.
            predicate = f"length({column}) > {MAX_TEXT_CHARS}"
            raw_value = f"CAST(length({column}) AS VARCHAR) || ' characters'"
            rules.append(CellRule(name, TEXT_TOO_LONG, predicate, raw_value))
    # An absent amount_period column is "not asked", not a blank answer: no rule then.
    if AMOUNT in present and PERIOD in present and PERIOD in codebook.names:
        amount, period = quote_identifier(AMOUNT), quote_identifier(PERIOD)
        predicate = f"{period} IS NULL AND {amount} IS NOT NULL AND {valid_amount(amount)}"
        rules.append(CellRule(PERIOD, PERIOD_MISSING_FOR_AMOUNT, predicate, "''"))
    return rules
