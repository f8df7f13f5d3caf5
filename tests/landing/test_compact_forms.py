"""A small file is cleaned and checked with list lambdas, a large one with one expression
per column and rule (land_file.COMPACT_MAX_BYTES, COMPACT_MAX_ROWS): both forms land the
same cells, the same invalid cells and the same outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from landing_builders import Landing, holders_rows

from dagster_project.bounds import MAX_TEXT_CHARS
from dagster_project.landing import land_file

NBSP = "\u00a0"


def _awkward_rows() -> list[dict[str, str]]:
    rows = [{**r, "general_health": "1", "comment_worked_well": ""} for r in holders_rows(40)]
    cells = [
        # trimmed, blank as NULL, integral codes written as decimals or with leading zeros
        {"gender": f" 2{NBSP}", "consent": "1.0", "plan_help_family": "01"},
        {"gender": "\t", "consent": "1.", "plan_help_family": "0.00"},
        {"gender": "1.5", "amount_gbp": " 12.50 ", "amount_period": "04"},
        {"gender": "7", "amount_gbp": "£40", "amount_period": "9"},
        {"gender": "0" * 45 + "1", "amount_gbp": "40", "amount_period": ""},
        {"survey_date": "2014-02-30", "general_health": "99"},
        {"survey_date": "1901-01-01", "general_health": "2.0"},
        {"survey_date": " 2014-03-01 ", "general_health": ""},
        {"consent": "2", "gender": "99", "survey_date": "never"},
        {"consent": "", "gender": "99"},
    ]
    for row, changes in zip(rows, cells, strict=False):
        row.update(changes)
    rows[11]["comment_worked_well"] = "x" * (MAX_TEXT_CHARS + 1)
    return rows


def _landed(root: Path, max_bytes: int, max_rows: int, monkeypatch) -> dict[str, list]:
    monkeypatch.setattr(land_file, "COMPACT_MAX_BYTES", max_bytes)
    monkeypatch.setattr(land_file, "COMPACT_MAX_ROWS", max_rows)
    landing = Landing(root)
    try:
        rows = _awkward_rows()
        landing.csv("2014/LA01/holders.csv", rows)
        # An extra column, and a codebook column given in capitals with spaces.
        extra = [
            {
                " GENDER ": r["gender"],
                **{k: v for k, v in r.items() if k != "gender"},
                "Our ref": f"R{i}",
            }
            for i, r in enumerate(rows)
        ]
        landing.csv("2014/LA02/holders.csv", extra)
        landing.land()
        return landing.tables()
    finally:
        landing.con.close()


def test_both_forms_land_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compact = _landed(tmp_path / "compact", 10**9, 10**9, monkeypatch)
    by_column = _landed(tmp_path / "by_column", -1, -1, monkeypatch)
    assert compact == by_column
    # The awkward cells were seen at all: cleaned codes and recorded invalid cells.
    assert len(compact["invalid_cells"]) >= 2 * 8
    assert {rule for *_, rule in compact["invalid_cells"]} >= {
        "code_not_in_codebook",
        "amount_not_positive_number",
        "period_missing_for_amount",
        "date_not_iso",
        "date_out_of_range",
        "text_too_long",
    }
