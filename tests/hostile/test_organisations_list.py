"""organisations.csv as people really send it (issue 10, points 2 and 8): every problem
inside the list is a landing rule. A line that cannot be used is left out with its line
number and why (raw.organisations, published as marts.organisations, and the log); the
returns of an organisation only on such lines are quarantined saying so; a file that
cannot be used at all keeps the last list with one line a person can act on."""

from __future__ import annotations

import logging

import duckdb
import pytest
from landing_builders import holders_rows

from dagster_project.landing.layout import LandingFolderError
from dagster_project.summary import summarise

HEADER = "org_code,org_name,org_type,region\n"


def _write(landing, data: bytes | str) -> None:
    path = landing.path("organisations.csv")
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _lines(landing) -> list[tuple]:
    return landing.con.execute(
        "SELECT source_line, org_code, org_name, org_type, region, status, note "
        "FROM raw.organisations ORDER BY source_line"
    ).fetchall()


def _listed(landing) -> list[str]:
    return [code for _l, code, _n, _t, _r, status, _note in _lines(landing) if status == "listed"]


def _status(landing, path: str) -> tuple[str, str | None]:
    row = landing.registry()[path]
    return row["status"], row["reason"]


@pytest.fixture
def caplog_landing(caplog):
    caplog.set_level(logging.INFO, logger="dagster_project.landing.land")
    return caplog


def _logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


# --- reading: the same robustness as the returns, or one line to act on ---------------


def test_mixed_line_endings_bom_and_quoted_names_are_read(landing):
    _write(
        landing,
        b"\xef\xbb\xbforg_code,org_name,org_type,region\r\n"
        b"LA01,Northtown Council,council,North East\n"
        b'LA02,"Southby, Eastby and\r\nWestby Council",council,South West\r'
        b"NHS01,Midshire CCG,nhs,Midlands\r\n",
    )
    landing.csv("2014/LA02/holders.csv", holders_rows(2))
    landing.land()
    assert _lines(landing) == [
        (2, "LA01", "Northtown Council", "council", "North East", "listed", None),
        (
            3,
            "LA02",
            "Southby, Eastby and\r\nWestby Council",
            "council",
            "South West",
            "listed",
            None,
        ),
        (5, "NHS01", "Midshire CCG", "nhs", "Midlands", "listed", None),
    ]
    assert _status(landing, "2014/LA02/holders.csv") == ("used", None)


def test_stray_whitespace_and_case_are_not_problems(landing):
    _write(
        landing,
        " Org_Code ,ORG_NAME,org_type , region\n"
        "  LA01\t,\xa0Northtown Council ,  Council  , North East \n"
        "LA02,Southby Council,NHS,South West\n",
    )
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    assert _lines(landing) == [
        (2, "LA01", "Northtown Council", "Council", "North East", "listed", None),
        (3, "LA02", "Southby Council", "NHS", "South West", "listed", None),
    ]
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)


def test_blank_lines_are_skipped_and_counted(landing, caplog_landing):
    _write(
        landing, HEADER + "\nLA01,Northtown Council,council,North\n,,,\n\r\n  \nLA02,S,nhs,S\n\n"
    )
    landing.land()
    assert [(line, code) for line, code, *_ in _lines(landing)] == [(3, "LA01"), (7, "LA02")]
    assert (
        "organisations.csv landed: 2 organisations listed, 0 lines left out, 0 repeated lines, "
        "5 blank lines skipped"
    ) in _logged(caplog_landing)


def test_latin1_list_keeps_the_last_one_with_the_line(landing, caplog_landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    _write(landing, (HEADER + "LA01,Ynys M\xf4n Council,council,Wales\n").encode("latin-1"))
    report = landing.land()
    assert report.organisations_problem == "not UTF-8 text at line 2 (save it as CSV UTF-8)"
    assert (
        "organisations.csv not used: not UTF-8 text at line 2 (save it as CSV UTF-8); "
        "keeping the list landed before"
    ) in _logged(caplog_landing)
    assert _listed(landing) == ["LA01", "LA02", "NHS01"]
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "file is empty"),
        (bytes(range(256)) * 8, "not a text file (a NUL byte on line 1): save it as CSV UTF-8"),
        (
            b"org_code;org_name;org_type;region\nLA01;x;council;y\n",
            "its header is separated by semicolons, not commas: save it as CSV UTF-8 "
            "(comma separated, columns org_code, org_name, org_type, region)",
        ),
        (
            b"org_code,name,type\nLA01,x,council\n",
            "missing required columns org_name, org_type, region",
        ),
        (
            b"org_code,org_name,org_type,region,ORG_CODE\nLA01,x,council,y,LA02\n",
            "column given more than once: org_code",
        ),
        (
            b"org_code,org_name,org_type,region\n",
            "no line lists a usable organisation (no data lines)",
        ),
        (
            b"org_code,org_name,org_type,region\nLA01,x,unitary,y\n",
            "no line lists a usable organisation (line 2: org_type 'unitary' is not council or nhs)",
        ),
        (
            b'org_code,org_name,org_type,region\nLA01,"x,council,y\n',
            "line 2 is not valid CSV (unexpected end of data)",
        ),
        (
            b'org_code,org_name,org_type,region\nLA01,"x" Council,council,y\n',
            "line 2 is not valid CSV (',' expected after '\"')",
        ),
    ],
    ids=[
        "empty",
        "binary",
        "semicolons",
        "missing",
        "twice",
        "header_only",
        "none_usable",
        "open_quote",
        "text_after_quote",
    ],
)
def test_unusable_list_keeps_the_last_one_and_says_why(landing, data, problem):
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    _write(landing, data)
    report = landing.land()
    assert report.organisations_problem == problem
    assert "\n" not in report.organisations_problem
    assert _listed(landing) == ["LA01", "LA02", "NHS01"]
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)


def test_first_run_with_an_empty_list_says_so_first(landing):
    _write(landing, HEADER)
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    with pytest.raises(LandingFolderError) as raised:
        landing.land()
    assert str(raised.value).startswith(
        "organisations.csv cannot be used (no line lists a usable organisation (no data lines)) "
        "and no list was landed before"
    )


# --- lines that cannot be used: left out, with the line and why ------------------------


def test_bad_lines_are_left_out_with_their_line_and_why(landing, caplog_landing):
    _write(
        landing,
        HEADER
        + "LA01,Northtown Council,council,North East\n"
        + ",Nameless Council,council,North\n"
        + "LA04,Unitary Council,unitary,West\n"
        + "LA05,Blank Type Council,,West\n"
        + "LA06,Bath, North East Somerset,council,South West\n"
        + "LA07,,nhs,\n"
        + "LA08,Dr Smith Surgery,nhs,LS1 4AP\n"
        + "NHS01,Midshire CCG,nhs,Midlands\n",
    )
    for org in ("LA01", "LA04", "LA06", "LA07", "LA08"):
        landing.csv(f"2014/{org}/holders.csv", holders_rows(2))
    report = landing.land()
    assert _lines(landing) == [
        (2, "LA01", "Northtown Council", "council", "North East", "listed", None),
        (3, None, "Nameless Council", "council", "North", "left_out", "org_code is blank"),
        (4, "LA04", "Unitary Council", "unitary", "West", "left_out",
         "org_type 'unitary' is not council or nhs"),
        (5, "LA05", "Blank Type Council", None, "West", "left_out",
         "org_type is blank (council or nhs)"),
        (6, "LA06", "Bath", " North East Somerset".strip(), "council", "left_out",
         "5 fields where the header has 4 (a comma inside a name needs quotes); "
         "org_type 'North East Somerset' is not council or nhs"),
        (7, "LA07", None, "nhs", None, "listed", "org_name is blank; region is blank"),
        (8, "LA08", None, "nhs", None, "listed",
         "org_name looks like a contact detail (title_and_name): left blank; "
         "region looks like a contact detail (postcode): left blank"),
        (9, "NHS01", "Midshire CCG", "nhs", "Midlands", "listed", None),
    ]  # fmt: skip
    assert _status(landing, "2014/LA04/holders.csv") == (
        "quarantined",
        "organisation LA04 left out of organisations.csv "
        "(line 4: org_type 'unitary' is not council or nhs)",
    )
    assert _status(landing, "2014/LA06/holders.csv")[1].startswith(
        "organisation LA06 left out of organisations.csv (line 6: 5 fields where the header has 4"
    )
    assert _status(landing, "2014/LA07/holders.csv") == ("used", None)
    assert _status(landing, "2014/LA08/holders.csv") == ("used", None)
    logged = _logged(caplog_landing)
    assert "organisations.csv line 3: left out: org_code is blank" in logged
    assert "organisations.csv line 7: org_name is blank; region is blank" in logged
    assert report.organisation_lines[0] == "line 3: left out: org_code is blank"
    # Nothing of a contact detail is kept or repeated, in raw or in the log.
    assert not any("Smith" in line or "LS1" in line for line in logged)


def test_repeated_code_with_the_same_details_is_a_repeat(landing):
    _write(
        landing,
        HEADER
        + "LA01,Northtown Council,council,North\nLA02,S,nhs,S\nLA01,Northtown Council, COUNCIL ,North\n",
    )
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    assert [
        (line, code, status, note) for line, code, _n, _t, _r, status, note in _lines(landing)
    ] == [
        (2, "LA01", "listed", None),
        (3, "LA02", "listed", None),
        (4, "LA01", "repeat", "repeats line 2"),
    ]
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)


def test_repeated_code_with_different_details_leaves_every_line_out(landing, caplog_landing):
    landing.csv("2014/LA02/holders.csv", holders_rows(2))
    landing.land()
    assert _status(landing, "2014/LA02/holders.csv") == ("used", None)
    _write(
        landing,
        HEADER
        + "LA01,Northtown Council,council,North\n"
        + "LA02,Southby Council,council,South West\n"
        + "NHS01,Midshire CCG,nhs,Midlands\n"
        + "LA02,Southby Council,nhs,South West\n",
    )
    landing.land()
    conflict = "org_code 'LA02' is on lines 3 and 5 with different org_type: keep one line per organisation"
    assert [
        (line, status, note) for line, code, *_x, status, note in _lines(landing) if code == "LA02"
    ] == [
        (3, "left_out", conflict),
        (5, "left_out", conflict),
    ]
    assert f"organisations.csv line 3: left out: {conflict}" in _logged(caplog_landing)
    assert _status(landing, "2014/LA02/holders.csv") == (
        "quarantined",
        f"organisation LA02 left out of organisations.csv (line 3: {conflict}; line 5: {conflict})",
    )
    assert _listed(landing) == ["LA01", "NHS01"]
    # Fixed: the organisation is listed again and its return used again.
    _write(landing, HEADER + "LA01,N,council,N\nLA02,Southby Council,council,South West\n")
    landing.land()
    assert _status(landing, "2014/LA02/holders.csv") == ("used", None)


def test_organisation_dropped_while_its_return_is_no_longer_in_the_folder(landing):
    """A used return removed from the folder keeps its status, but not once its organisation
    leaves the list: staging would hold rows of an unlisted organisation, and the staging
    gate (relationships to stg_organisations) would be the first to notice."""
    landing.csv("2014/LA02/holders.csv", holders_rows(2))
    landing.land()
    landing.path("2014/LA02/holders.csv").unlink()
    _write(landing, HEADER + "LA01,N,council,N\nLA02,Southby Council,unitary,South West\n")
    landing.land()
    assert _status(landing, "2014/LA02/holders.csv") == (
        "quarantined",
        "organisation LA02 left out of organisations.csv "
        "(line 3: org_type 'unitary' is not council or nhs)",
    )
    assert landing.registry()["2014/LA02/holders.csv"]["rows_used"] == 0
    _write(landing, HEADER + "LA01,N,council,N\nLA02,Southby Council,council,South West\n")
    landing.land()
    assert _status(landing, "2014/LA02/holders.csv") == ("used", None)
    assert landing.registry()["2014/LA02/holders.csv"]["rows_used"] == 2


def test_same_list_landed_again_changes_nothing(landing):
    _write(landing, HEADER + "LA01,N,council,N\nLA04,U,unitary,W\n")
    landing.csv("2014/LA04/holders.csv", holders_rows(2))
    first = landing.land()
    before = _lines(landing)
    again = landing.land()
    assert first.organisations_replaced and not again.organisations_replaced
    assert _lines(landing) == before
    assert again.status_changes == 0
    assert _status(landing, "2014/LA04/holders.csv")[0] == "quarantined"


def test_list_landed_by_an_older_version_is_judged_again(landing):
    """raw.organisations of a warehouse from before line statuses: the migration keeps its
    rows listed, and the same file in the folder is judged line by line on the next run."""
    _write(landing, HEADER + "LA01,N,council,N\nLA01,N,nhs,N\nNHS01,M,nhs,M\n")
    landing.land()
    landing.con.execute(
        "UPDATE raw.organisations SET source_line = NULL, status = 'listed', note = NULL"
    )
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    assert [status for *_x, status, _note in _lines(landing)] == ["left_out", "left_out", "listed"]


def test_poet_summary_names_the_lines_not_used(tmp_path):
    published = tmp_path / "published.duckdb"
    con = duckdb.connect(str(published))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.landed_files AS SELECT 'used' AS status, 3 AS rows, "
        "'2014/LA01/holders.csv' AS path, NULL AS reason"
    )
    con.execute(
        "CREATE TABLE marts.organisations AS SELECT * FROM (VALUES "
        "(2, 'LA01', 'listed', NULL), (3, 'LA01', 'repeat', 'repeats line 2'), "
        "(4, 'LA04', 'left_out', 'org_type ''unitary'' is not council or nhs')) "
        "t(line, org_code, status, note)"
    )
    con.close()
    text = summarise(published)
    assert (
        "  organisations.csv: 2 lines not used (see marts.organisations)\n"
        "    line 3 repeat: repeats line 2\n"
        "    line 4 left out: org_type 'unitary' is not council or nhs"
    ) in text


def test_poet_run_landing_line_says_what_became_of_the_list():
    import dagster as dg

    from dagster_project.orchestration import StageReporter

    reporter = StageReporter(say=lambda _text: None)
    reporter.landing_metadata = {"files_found": dg.MetadataValue.int(2)}
    reporter.organisations_metadata = {
        "lines_left_out": dg.MetadataValue.int(3),
        "lines_with_a_note": dg.MetadataValue.md(
            "- line 4: left out: org_code is blank\n- line 5: org_name is blank\n"
            "- line 6: left out: org_type 'x' is not council or nhs\n- line 7: left out: y"
        ),
    }
    assert reporter._landing_line(1000) == (
        "landing: 0 of 2 files landed (0 unchanged), 0 quarantined; organisations.csv: 3 lines "
        "left out (line 4: left out: org_code is blank; line 6: left out: org_type 'x' is not "
        "council or nhs; and 1 more; see marts.organisations) (1.0 s)"
    )
    reporter.organisations_metadata = {
        "organisations_problem": dg.MetadataValue.text("file is empty"),
    }
    assert reporter._landing_line(0).endswith(
        "; organisations.csv not used, the last list kept: file is empty (0.0 s)"
    )


def test_landing_metadata_lists_the_noted_lines_on_every_run(landing):
    from dagster_project.landing.assets import _organisations_metadata

    _write(landing, HEADER + "LA01,N,council,N\nLA04,U,unitary,W\n")
    first, again = landing.land(), landing.land()
    expected = "- line 3: left out: org_type 'unitary' is not council or nhs"
    for report in (first, again):
        metadata = _organisations_metadata(report)
        assert metadata["lines_with_a_note"].value == expected
        assert "organisations_problem" not in metadata
    _write(landing, b"")
    assert _organisations_metadata(landing.land())["organisations_problem"].value == "file is empty"


def test_shrink_guard_counts_listed_lines_only_and_says_when_a_line_was_left_out(tmp_path):
    """The shrink guard keeps stopping a publish that loses an organisation with used
    returns, also when the organisation is still in the file but only on left-out lines."""
    from dagster_project.publish import guards

    def warehouse(name: str, used: list[str], lines: list[tuple[str, str]]):
        path = tmp_path / name
        con = duckdb.connect(str(path))
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.landed_files (path VARCHAR, sha256 VARCHAR, wave INTEGER, "
            "org_code VARCHAR, survey VARCHAR, status VARCHAR, rows_used INTEGER)"
        )
        for org in ("LA01", "LA02"):
            status, rows = ("used", 100) if org in used else ("quarantined", 0)
            con.execute(
                "INSERT INTO marts.landed_files VALUES (?, ?, 2014, ?, 'holders', ?, ?)",
                [f"2014/{org}/holders.csv", org, org, status, rows],
            )
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.organisations (org_code VARCHAR, status VARCHAR)")
        con.executemany("INSERT INTO raw.organisations VALUES (?, ?)", lines)
        con.close()
        return path

    listed = [("LA01", "listed"), ("LA02", "listed")]
    published = warehouse("published.duckdb", ["LA01", "LA02"], listed)
    working = warehouse(
        "working.duckdb", ["LA01"], [("LA01", "listed"), ("LA02", "left_out"), ("LA02", "left_out")]
    )
    shrunk = guards.compare_with_published(published, working, 0.6)
    assert shrunk.any
    assert shrunk.describe() == (
        "organisations.csv no longer lists 1 organisations with used returns: LA02; "
        "LA02 only on lines of organisations.csv that landing left out (the landing log and "
        "the working warehouse's marts.organisations say why)"
    )
    same = warehouse("same.duckdb", ["LA01", "LA02"], [*listed, ("LA02", "repeat")])
    assert not guards.compare_with_published(published, same, 0.2).any


def test_a_list_too_large_to_be_one_is_refused(landing, monkeypatch):
    from dagster_project.landing import organisations

    landing.land()
    monkeypatch.setattr(organisations, "MAX_ORGANISATIONS_BYTES", 1024 * 1024)
    _write(landing, HEADER + "LA01,N,council,N\n" * 70_000)
    report = landing.land()
    assert report.organisations_problem == (
        "it is 1.1 MB, more than the 1 MB a list of organisations takes "
        "(is it a return saved under the wrong name?)"
    )
    assert _listed(landing) == ["LA01", "LA02", "NHS01"]


def test_a_code_given_thousands_of_times_is_judged_quickly(landing):
    body = "LA01,N,council,N\n" * 30_000 + "LA01,N,nhs,N\n" + "LA02,S,nhs,S\n"
    _write(landing, HEADER + body)
    landing.land()
    notes = landing.con.execute(
        "SELECT DISTINCT status, note FROM raw.organisations WHERE org_code = 'LA01'"
    ).fetchall()
    assert notes == [
        (
            "left_out",
            "org_code 'LA01' is on lines 2, 3, 4, 5, 6 and 29996 more with different org_type: "
            "keep one line per organisation",
        )
    ]
    assert _listed(landing) == ["LA02"]
