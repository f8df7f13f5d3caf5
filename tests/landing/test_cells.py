"""Invalid cells are recorded one by one, for consenting rows only; consent is counted."""

from __future__ import annotations

from landing_builders import holders_rows


def _row(rid: str, **cells: str) -> dict[str, str]:
    base = {
        "respondent_id": rid,
        "consent": "1",
        "survey_date": "",
        "gender": "",
        "amount_gbp": "",
        "amount_period": "",
        "plan_help_family": "",
    }
    base.update(cells)
    return base


def test_each_rule_recorded_with_its_name(landing):
    rows = [
        _row("A", gender="7", plan_help_family="2"),
        _row("B", amount_gbp="-5", amount_period="1"),
        _row("C", amount_gbp="0", amount_period=""),
        _row("D", amount_gbp="£40", amount_period="9"),
        _row("E", amount_gbp="40", amount_period=""),
        _row("F", survey_date="2014-02-30"),
        _row("G", survey_date="1/3/2014"),
        _row("H", survey_date="2014-3-1"),
        _row("I", gender=" 2 ", amount_gbp=" 12.5", amount_period="4", survey_date="2016-02-29"),
        # A non-consenting row is never checked, whatever it holds.
        _row("J", consent="2", gender="99", survey_date="never"),
        _row("K", consent="", gender="99"),
        _row("L", consent="yes", gender="99"),
    ]
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    path = "2014/LA01/holders.csv"
    assert landing.invalid_cells() == [
        (path, "A", "gender", "7", "code_not_in_codebook"),
        (path, "A", "plan_help_family", "2", "code_not_in_codebook"),
        (path, "B", "amount_gbp", "-5", "amount_not_positive_number"),
        (path, "C", "amount_gbp", "0", "amount_not_positive_number"),
        (path, "D", "amount_gbp", "£40", "amount_not_positive_number"),
        (path, "D", "amount_period", "9", "code_not_in_codebook"),
        (path, "E", "amount_period", "", "period_missing_for_amount"),
        (path, "F", "survey_date", "2014-02-30", "date_not_iso"),
        (path, "G", "survey_date", "1/3/2014", "date_not_iso"),
        (path, "H", "survey_date", "2014-3-1", "date_not_iso"),
    ]
    registry = landing.registry()[path]
    assert registry["invalid_cells"] == 10
    assert registry["rows_without_consent"] == 3


def test_integral_codes_written_as_decimals_are_codes(landing):
    rows = [
        _row("A", consent="1.0", gender="2.0", plan_help_family="0"),
        _row("B", consent="1.", gender="01"),
    ]
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    assert landing.invalid_cells() == []
    got = landing.con.execute(
        "SELECT consent, gender, plan_help_family FROM raw.holders ORDER BY source_row"
    )
    assert got.fetchall() == [("1", "2", "0"), ("1", "1", None)]
    registry = landing.registry()["2014/LA01/holders.csv"]
    assert (registry["rows_used"], registry["rows_without_consent"]) == (2, 0)


def test_non_integral_code_is_invalid(landing):
    landing.csv("2014/LA01/holders.csv", [_row("A", gender="1.5")] + holders_rows(60))
    landing.land()
    assert landing.invalid_cells() == [
        ("2014/LA01/holders.csv", "A", "gender", "1.5", "code_not_in_codebook")
    ]


def test_used_files_reconcile_rows(landing):
    rows = holders_rows(20)
    for i, consent in enumerate(["2", "", "x", "2"]):
        rows[i]["consent"] = consent
    landing.csv("2014/LA01/holders.csv", rows)
    landing.csv("2015/LA01/holders.csv", holders_rows(5))
    landing.land()
    used = landing.con.execute(
        "SELECT source_path, rows, rows_used, rows_without_consent FROM raw.file_registry WHERE status = 'used'"
    ).fetchall()
    assert len(used) == 2
    for _path, total, rows_used, without in used:
        assert total == rows_used + without
    assert dict((p, (u, w)) for p, _t, u, w in used) == {
        "2014/LA01/holders.csv": (16, 4),
        "2015/LA01/holders.csv": (5, 0),
    }
    raw_rows = landing.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0]
    assert raw_rows == 25


def test_spreadsheet_cells_of_every_type_become_the_text_a_person_typed():
    import datetime as dt

    import numpy as np
    import pandas as pd

    from dagster_project.landing.readers import _column_text

    cells = [1, "", " x ", 2.0, 2.5, True, False, dt.datetime(2014, 3, 1),
             dt.datetime(2014, 3, 1, 10, 5), dt.date(2013, 1, 2), None, 10**20, np.nan, "7"]  # fmt: skip
    expected = ["1", None, " x ", "2", "2.5", "1", "0", "2014-03-01", "2014-03-01 10:05:00",
                "2013-01-02", None, "100000000000000000000", None, "7"]  # fmt: skip
    assert list(_column_text(pd.Series(cells, dtype=object))) == expected


def _reference_canonical(cell: str | None) -> str | None:
    """The contract's rule in Python: an integral number written with leading zeros or a
    decimal point is the code of its value; anything else is kept as delivered."""
    import re

    if cell is None or not re.fullmatch(r"[0-9]+(\.0*)?", cell):
        return cell
    digits = cell.split(".")[0].lstrip("0") or "0"
    return digits if len(digits) <= 38 else cell


def test_canonical_code_sql_matches_the_rule_on_every_form():
    import duckdb

    from dagster_project.codebook import load_codebook
    from dagster_project.landing.rules import canonical

    coded = next(v for v in load_codebook("holders").variables if v.type == "code")
    cells = [
        "1", "01", "00", "0", "000", "1.", "1.0", "1.00", "0.0", "0.", "007.000", "10", "10.",
        "100", "0100", ".5", ".0", "1.5", "1.05", "a", "", None, " 1", "1 ", "-1", "+1",
        "1e0", "12.", "1,0", "0" * 50 + "1", "9" * 38, "0" + "9" * 38, "1" + "0" * 38,
    ]  # fmt: skip
    con = duckdb.connect()
    sql = f"SELECT {canonical('t', coded)} FROM (SELECT CAST(? AS VARCHAR) AS t)"
    for cell in cells:
        assert con.execute(sql, [cell]).fetchone()[0] == _reference_canonical(cell), cell
