"""Every format lands into the same raw rows: CSV (with and without BOM), XLSX, SPSS."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyreadstat
from landing_builders import holders_rows

RAW_COLUMNS_PREFIX = ["source_path", "source_sha256", "source_row", "wave", "org_code", "landed_at"]


def _holders(landing, path):
    return landing.con.execute(
        "SELECT respondent_id, consent, gender, amount_gbp, survey_date, source_row "
        "FROM raw.holders WHERE source_path = ? ORDER BY source_row",
        [path],
    ).fetchall()


def test_csv_with_and_without_bom_land_the_same_cells(landing):
    rows = holders_rows(3)
    landing.csv("2014/LA01/holders.csv", rows, bom=True)
    landing.csv("2014/LA02/holders.csv", rows, bom=False)
    landing.land()
    with_bom = _holders(landing, "2014/LA01/holders.csv")
    without = _holders(landing, "2014/LA02/holders.csv")
    assert with_bom == without
    assert with_bom[0] == ("R0001", "1", "2", "120.50", "2014-03-01", 1)
    registry = landing.registry()
    assert registry["2014/LA01/holders.csv"]["status"] == "used"
    assert registry["2014/LA01/holders.csv"]["file_format"] == "csv"


def test_raw_tables_have_exactly_the_documented_columns(landing):
    from dagster_project.codebook import load_codebook

    landing.csv("2014/LA01/holders.csv", holders_rows(1))
    landing.land()
    for survey in ("holders", "carers"):
        columns = [r[0] for r in landing.con.execute(f"DESCRIBE raw.{survey}").fetchall()]
        assert columns == RAW_COLUMNS_PREFIX + list(load_codebook(survey).names) + ["extra_columns"]
    registry = [r[0] for r in landing.con.execute("DESCRIBE raw.file_registry").fetchall()]
    assert registry == [
        "source_path",
        "source_sha256",
        "wave",
        "org_code",
        "survey",
        "file_format",
        "landed_at",
        "status",
        "reason",
        "rows",
        "rows_used",
        "rows_without_consent",
        "invalid_cells",
        "columns_present",
    ]
    cells = [r[0] for r in landing.con.execute("DESCRIBE raw.invalid_cells").fetchall()]
    assert cells == [
        "source_path",
        "source_sha256",
        "respondent_id",
        "variable",
        "raw_value",
        "rule",
    ]
    organisations = [r[0] for r in landing.con.execute("DESCRIBE raw.organisations").fetchall()]
    assert organisations == [
        "org_code",
        "org_name",
        "org_type",
        "region",
        "source_sha256",
        "landed_at",
        "source_line",
        "status",
        "note",
    ]


def test_shuffled_cased_padded_and_extra_columns(landing):
    rows = [
        {
            " Gender ": "2",
            "Local_Ref": "abc",
            "CONSENT": "1",
            "Respondent_ID": " R1 ",
            "amount_gbp": " 50 ",
        },
        {" Gender ": "", "Local_Ref": "", "CONSENT": "2", "Respondent_ID": "R2", "amount_gbp": ""},
    ]
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    got = landing.con.execute(
        "SELECT respondent_id, consent, gender, amount_gbp, survey_date, extra_columns "
        "FROM raw.holders ORDER BY source_row"
    ).fetchall()
    assert got[0][:5] == ("R1", "1", "2", "50", None)
    assert json.loads(got[0][5]) == {"Local_Ref": "abc"}
    assert got[1][:5] == ("R2", "2", None, None, None)
    registry = landing.registry()["2014/LA01/holders.csv"]
    assert list(registry["columns_present"]) == ["respondent_id", "consent", "amount_gbp", "gender"]
    # amount without its period column: "not asked", so no invalid cell and the file is used.
    assert registry["status"] == "used"


def test_no_extra_columns_is_null(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    assert (
        landing.con.execute(
            "SELECT count(*) FROM raw.holders WHERE extra_columns IS NULL"
        ).fetchone()[0]
        == 2
    )


def test_xlsx_first_sheet_numbers_dates_and_text(landing, tmp_path):
    path = landing.path("2014/LA01/holders.xlsx")
    path.parent.mkdir(parents=True)
    first = pd.DataFrame(
        {
            "respondent_id": ["X1", "X2", "X3"],
            "consent": [1, 1, 2],
            "gender": [2, None, 1],
            "amount_gbp": [99.5, None, 10],
            "amount_period": [1, None, 1],
            "survey_date": [dt.datetime(2014, 3, 1), dt.datetime(2014, 3, 2), None],
        }
    )
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        first.to_excel(writer, sheet_name="returns", index=False)
        pd.DataFrame({"respondent_id": ["ignored"]}).to_excel(
            writer, sheet_name="notes", index=False
        )
    landing.land()
    assert _holders(landing, "2014/LA01/holders.xlsx") == [
        ("X1", "1", "2", "99.5", "2014-03-01", 1),
        ("X2", "1", None, None, "2014-03-02", 2),
        ("X3", "2", "1", "10", None, 3),
    ]
    registry = landing.registry()["2014/LA01/holders.xlsx"]
    assert (registry["status"], registry["rows"], registry["rows_used"]) == ("used", 3, 2)


def test_spss_codes_without_labels_or_trailing_zero(landing):
    path = landing.path("2015/NHS01/holders.sav")
    path.parent.mkdir(parents=True)
    frame = pd.DataFrame(
        {
            "respondent_id": ["S1", "S2"],
            "consent": [1.0, 1.0],
            "gender": [2.0, float("nan")],
            "funder": [9.0, 1.0],
            "amount_gbp": [250.75, float("nan")],
            "amount_period": [3.0, float("nan")],
            "survey_date": [dt.date(2015, 4, 1), dt.date(2015, 4, 2)],
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"gender": {1: "Female", 2: "Male"}, "funder": {9: "Don't know"}},
        # A council declaring "don't know" as SPSS missing must not turn the answer into a blank.
        missing_ranges={"funder": [9]},
    )
    landing.land()
    got = landing.con.execute(
        "SELECT respondent_id, consent, gender, funder, amount_gbp, amount_period, survey_date, wave, org_code "
        "FROM raw.holders ORDER BY source_row"
    ).fetchall()
    assert got == [
        ("S1", "1", "2", "9", "250.75", "3", "2015-04-01", 2015, "NHS01"),
        ("S2", "1", None, "1", None, None, "2015-04-02", 2015, "NHS01"),
    ]
    registry = landing.registry()["2015/NHS01/holders.sav"]
    assert (registry["status"], registry["file_format"], registry["invalid_cells"]) == (
        "used",
        "sav",
        0,
    )


def test_carers_land_into_their_own_table(landing):
    landing.csv(
        "2014/LA01/carers.csv",
        [{"respondent_id": "C1", "consent": "1", "relationship": "2", "cout_stress": "8"}],
    )
    landing.land()
    assert landing.con.execute(
        "SELECT respondent_id, relationship, cout_stress FROM raw.carers"
    ).fetchall() == [("C1", "2", "8")]
    assert landing.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0] == 0


def test_csv_with_crlf_quotes_and_embedded_newlines(landing):
    path = landing.path("2014/LA01/holders.csv")
    path.parent.mkdir(parents=True)
    path.write_bytes(
        b'respondent_id,consent,comment_change\r\nR1,1,"More hours, please\r\nand ""less"" paperwork"\r\nR2,2,\r\n'
    )
    landing.land()
    got = landing.con.execute(
        "SELECT respondent_id, consent, comment_change FROM raw.holders ORDER BY source_row"
    )
    assert got.fetchall() == [
        ("R1", "1", 'More hours, please\r\nand "less" paperwork'),
        ("R2", "2", None),
    ]
