"""More of issue 10 point 8's cases that must keep working, beside
test_already_working.py: every misnaming between the three formats, empty files of each
format, line-ending variants one by one, and SQL-like text in headers and cells. Each
broken file is quarantined with a reason a person can act on; the good file beside it lands."""

from __future__ import annotations

import io

import pandas as pd
import pyreadstat
import pytest
from landing_builders import holders_rows

from dagster_project.landing.readers import MIXED_LINE_ENDINGS

GOOD = "2014/LA02/holders.csv"


@pytest.fixture
def folder(landing):
    landing.csv(GOOD, holders_rows(3))
    return landing


def _write(landing, relative: str, data: bytes) -> None:
    path = landing.path(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _landed(landing, path: str) -> tuple[str, str | None, int]:
    landing.land()
    registry = landing.registry()
    assert registry[GOOD]["status"] == "used", registry[GOOD]
    return registry[path]["status"], registry[path]["reason"], registry[path]["rows"]


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(holders_rows(3)).to_excel(buffer, index=False)
    return buffer.getvalue()


def _sav(tmp_path) -> bytes:
    path = tmp_path / "x.sav"
    pyreadstat.write_sav(pd.DataFrame({"respondent_id": ["R1"], "consent": [1.0]}), str(path))
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("holders.csv", "xlsx", "file cannot be read: not UTF-8 text (save it as CSV UTF-8)"),
        ("holders.sav", "xlsx", "file cannot be read: not a readable SPSS file ("),
        ("holders.xlsx", "sav", "file cannot be read: not a readable Excel workbook ("),
        ("holders.csv", "sav", "file cannot be read: not UTF-8 text"),
    ],
)
def test_a_return_misnamed_as_another_format(folder, tmp_path, name, content, reason):
    data = _xlsx() if content == "xlsx" else _sav(tmp_path)
    _write(folder, f"2014/LA01/{name}", data)
    status, why, rows = _landed(folder, f"2014/LA01/{name}")
    assert status == "quarantined" and why.startswith(reason) and rows == 0


@pytest.mark.parametrize("name", ["holders.xlsx", "holders.sav"])
def test_empty_spreadsheet_or_spss_file(folder, name):
    _write(folder, f"2014/LA01/{name}", b"")
    assert _landed(folder, f"2014/LA01/{name}") == (
        "quarantined",
        "file cannot be read: file is empty",
        0,
    )


def test_only_a_byte_order_mark(folder):
    _write(folder, "2014/LA01/holders.csv", b"\xef\xbb\xbf")
    assert _landed(folder, "2014/LA01/holders.csv") == (
        "quarantined",
        "file cannot be read: no header row",
        0,
    )


def test_header_without_rows_is_a_return_with_no_respondents(folder):
    _write(folder, "2014/LA01/holders.csv", b"respondent_id,consent\n")
    assert _landed(folder, "2014/LA01/holders.csv") == ("used", None, 0)


@pytest.mark.parametrize(
    "body",
    [
        b"respondent_id,consent,gender\r\nR1,1,1\r\nR2,1,2\r\n",  # CRLF, no BOM
        b"\xef\xbb\xbfrespondent_id,consent,gender\nR1,1,1\nR2,1,2\n",  # BOM, LF
        b"respondent_id,consent,gender\rR1,1,1\rR2,1,2\r",  # old Mac CR
        b"respondent_id,consent,gender\nR1,1,1\nR2,1,2",  # no line end at the end
    ],
    ids=["crlf", "bom", "cr", "no_final_newline"],
)
def test_line_ending_variants(folder, body):
    _write(folder, "2014/LA01/holders.csv", body)
    assert _landed(folder, "2014/LA01/holders.csv") == ("used", None, 2)
    rows = folder.con.execute(
        "SELECT respondent_id, consent, gender FROM raw.holders WHERE org_code = 'LA01' "
        "ORDER BY source_row"
    ).fetchall()
    assert rows == [("R1", "1", "1"), ("R2", "1", "2")]


def test_mixed_line_endings_are_named(folder):
    _write(folder, "2014/LA01/holders.csv", b"respondent_id,consent\r\nR1,1\nR2,1\r\nR3,1\n")
    assert _landed(folder, "2014/LA01/holders.csv") == (
        "quarantined",
        f"file cannot be read: {MIXED_LINE_ENDINGS}",
        0,
    )


def test_sql_like_header_and_cells_are_data(folder):
    _write(
        folder,
        "2014/LA01/holders.csv",
        b'respondent_id,consent,"x\'); DROP TABLE raw.holders; --"\n'
        b"R1'; --,1,\"'); DELETE FROM raw.file_registry; --\"\n",
    )
    assert _landed(folder, "2014/LA01/holders.csv") == ("used", None, 1)
    assert folder.con.execute(
        "SELECT respondent_id, extra_columns->>'$.\"x''); DROP TABLE raw.holders; --\"' "
        "FROM raw.holders WHERE org_code = 'LA01'"
    ).fetchall() == [("R1'; --", "'); DELETE FROM raw.file_registry; --")]
    assert folder.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0] == 4
