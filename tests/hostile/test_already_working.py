"""Hostile inputs landing already handled before issue 10: kept here so they keep working.

Each broken file is quarantined with a reason a person can act on, and the good file
beside it still lands."""

from __future__ import annotations

import io

import pandas as pd
import pyreadstat
import pytest
from landing_builders import ORGANISATIONS, holders_rows, write_csv

GOOD = "2014/LA02/holders.csv"


@pytest.fixture
def with_good_file(landing):
    landing.csv(GOOD, holders_rows(3))
    return landing


def _landed(landing, path: str) -> tuple[str, str | None]:
    landing.land()
    registry = landing.registry()
    assert registry[GOOD]["status"] == "used", registry[GOOD]
    row = registry[path]
    return row["status"], row["reason"]


def _write(landing, relative: str, data: bytes):
    path = landing.path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_empty_file(with_good_file):
    _write(with_good_file, "2014/LA01/holders.csv", b"")
    assert _landed(with_good_file, "2014/LA01/holders.csv") == (
        "quarantined",
        "file cannot be read: file is empty",
    )


def test_binary_bytes_named_csv(with_good_file):
    _write(with_good_file, "2014/LA01/holders.csv", bytes(range(256)) * 40)
    status, reason = _landed(with_good_file, "2014/LA01/holders.csv")
    assert status == "quarantined" and reason.startswith("file cannot be read: ")


def test_csv_misnamed_as_xlsx(with_good_file):
    _write(with_good_file, "2014/LA01/holders.xlsx", with_good_file.path(GOOD).read_bytes())
    status, reason = _landed(with_good_file, "2014/LA01/holders.xlsx")
    assert status == "quarantined" and reason.startswith(
        "file cannot be read: not a readable Excel workbook"
    )


def test_truncated_xlsx(with_good_file, tmp_path):
    buffer = io.BytesIO()
    pd.DataFrame(holders_rows(50)).to_excel(buffer, index=False)
    _write(
        with_good_file, "2014/LA01/holders.xlsx", buffer.getvalue()[: len(buffer.getvalue()) // 2]
    )
    status, reason = _landed(with_good_file, "2014/LA01/holders.xlsx")
    assert status == "quarantined" and reason.startswith(
        "file cannot be read: not a readable Excel workbook"
    )


def test_truncated_sav(with_good_file, tmp_path):
    whole = tmp_path / "whole.sav"
    frame = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(200)], "consent": [1.0] * 200})
    pyreadstat.write_sav(frame, str(whole))
    _write(with_good_file, "2014/LA01/holders.sav", whole.read_bytes()[: whole.stat().st_size // 2])
    status, reason = _landed(with_good_file, "2014/LA01/holders.sav")
    assert status == "quarantined" and reason.startswith(
        "file cannot be read: not a readable SPSS file"
    )


def test_latin1_text(with_good_file):
    text = "respondent_id,consent,comment_change\nR1,1,caf\xe9 au lait\n"
    _write(with_good_file, "2014/LA01/holders.csv", text.encode("latin-1"))
    status, reason = _landed(with_good_file, "2014/LA01/holders.csv")
    assert status == "quarantined" and "UTF-8" in reason and "save it as CSV UTF-8" in reason


def test_semicolon_separated(with_good_file):
    _write(with_good_file, "2014/LA01/holders.csv", b"respondent_id;consent\nR1;1\nR2;1\n")
    status, reason = _landed(with_good_file, "2014/LA01/holders.csv")
    # One column named "respondent_id;consent": the required columns are missing.
    assert status == "quarantined"
    assert reason == "missing required columns respondent_id and consent"


def test_byte_order_mark_and_crlf(with_good_file):
    body = "respondent_id,consent,gender\r\nR1,1,1\r\nR2,1,2\r\n"
    _write(with_good_file, "2014/LA01/holders.csv", b"\xef\xbb\xbf" + body.encode())
    assert _landed(with_good_file, "2014/LA01/holders.csv") == ("used", None)
    rows = with_good_file.con.execute(
        "SELECT respondent_id, consent, gender FROM raw.holders WHERE org_code = 'LA01' ORDER BY source_row"
    ).fetchall()
    assert rows == [("R1", "1", "1"), ("R2", "1", "2")]


def test_embedded_newlines_in_a_quoted_comment(with_good_file):
    body = 'respondent_id,consent,comment_change\nR1,1,"line one\nline two, with a comma"\nR2,1,\n'
    _write(with_good_file, "2014/LA01/holders.csv", body.encode())
    assert _landed(with_good_file, "2014/LA01/holders.csv") == ("used", None)
    rows = with_good_file.con.execute(
        "SELECT source_row, comment_change FROM raw.holders WHERE org_code = 'LA01' ORDER BY source_row"
    ).fetchall()
    assert rows == [(1, "line one\nline two, with a comma"), (2, None)]


def test_duplicated_columns(with_good_file):
    _write(with_good_file, "2014/LA01/holders.csv", b"respondent_id,consent,Consent\nR1,1,2\n")
    status, reason = _landed(with_good_file, "2014/LA01/holders.csv")
    assert status == "quarantined" and reason == "column given more than once: consent"


def test_sql_like_organisation_code_is_data_not_sql(landing):
    code = "LA03'; DROP TABLE raw.holders; --"
    organisations = [
        dict(zip(("org_code", "org_name", "org_type", "region"), o, strict=True))
        for o in ORGANISATIONS
    ]
    organisations.append(
        {"org_code": code, "org_name": "Robert'); --", "org_type": "council", "region": "x"}
    )
    write_csv(landing.path("organisations.csv"), organisations)
    landing.csv(f"2014/{code}/holders.csv", holders_rows(2))
    landing.csv(GOOD, holders_rows(3))
    landing.land()
    registry = landing.registry()
    assert registry[f"2014/{code}/holders.csv"]["status"] == "used"
    assert landing.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0] == 5


def test_stray_files_are_listed_as_ignored(with_good_file):
    for stray in (
        "notes.txt",
        "2014/LA01/~$holders.xlsx",
        "2014/LA01/holders.csv.bak",
        "2014/.DS_Store",
    ):
        _write(with_good_file, stray, b"stray")
    with_good_file.land()
    report = with_good_file.land()
    assert sorted(report.ignored) == [
        "2014/.DS_Store",
        "2014/LA01/holders.csv.bak",
        "2014/LA01/~$holders.xlsx",
        "notes.txt",
    ]
    assert set(report.ignored_reasons.values()) == {
        "not organisations.csv nor <wave>/<org_code>/<survey>.<csv|xlsx|sav>"
    }
