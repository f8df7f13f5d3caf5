"""Hostile and mistaken returns (issue 10): each is quarantined, ignored or recorded as an
invalid cell in landing, with a message a person can act on, and never blocks the others."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from landing_builders import holders_rows

from dagster_project.bounds import MAX_TEXT_CHARS, latest_survey_date
from dagster_project.landing import land as land_module
from dagster_project.landing.layout import SYMLINK, LandingFolderError


def _status(landing, path):
    row = landing.registry()[path]
    return row["status"], row["reason"]


# --- 5. the landing folder is a boundary ------------------------------------------------


def test_symlinked_file_is_ignored_with_its_reason_not_read(landing, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (landing.root / "2014" / "LA01").mkdir(parents=True)
    os.symlink(outside, landing.root / "2014" / "LA01" / "holders.csv")
    landing.csv("2014/LA02/holders.csv", holders_rows(2))
    report = landing.land()
    assert report.ignored_reasons == {"2014/LA01/holders.csv": SYMLINK}
    assert list(landing.registry()) == ["2014/LA02/holders.csv"]
    assert (
        landing.con.execute("SELECT count(*) FROM raw.holders WHERE org_code = 'LA01'").fetchone()[
            0
        ]
        == 0
    )


def test_symlinked_folder_is_listed_not_entered(landing, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "LA01").mkdir(parents=True)
    shutil.copy(
        landing.csv("2014/LA02/holders.csv", holders_rows(2)), elsewhere / "LA01" / "holders.csv"
    )
    os.symlink(elsewhere, landing.root / "2015")
    report = landing.land()
    assert report.ignored_reasons == {"2015": SYMLINK}
    assert list(landing.registry()) == ["2014/LA02/holders.csv"]


def test_symlinked_organisations_list_is_not_followed(landing, tmp_path):
    real = tmp_path / "organisations.csv"
    shutil.move(landing.root / "organisations.csv", real)
    os.symlink(real, landing.root / "organisations.csv")
    landing.csv("2014/LA01/holders.csv", holders_rows(1))
    with pytest.raises(LandingFolderError, match="organisations.csv is missing"):
        landing.land()


def test_named_pipe_is_ignored_not_read(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(1))
    (landing.root / "2014" / "LA02").mkdir(parents=True)
    os.mkfifo(landing.root / "2014" / "LA02" / "holders.csv")  # reading it would hang
    report = landing.land()
    assert report.ignored_reasons == {"2014/LA02/holders.csv": "not a regular file"}


# --- 4. a file replaced while it is landed --------------------------------------------


def test_file_swapped_during_landing_is_left_for_the_next_run(landing, monkeypatch):
    path = landing.csv("2014/LA01/holders.csv", holders_rows(3))
    new_rows = holders_rows(5, start=100)
    real_read = land_module.read_version

    def swap_then_read(con, item, stage, limits):
        # The file was hashed before; another program replaces it before it is parsed.
        from landing_builders import write_csv

        write_csv(path, new_rows)
        return real_read(con, item, stage, limits)

    monkeypatch.setattr(land_module, "read_version", swap_then_read)
    report = landing.land()
    assert report.changed_while_landing == ["2014/LA01/holders.csv"]
    assert landing.registry() == {}
    assert landing.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0] == 0

    monkeypatch.undo()
    landing.land()
    from dagster_project.landing.layout import sha256_of

    [row] = landing.registry_rows()
    assert (row["source_sha256"], row["rows"], row["status"]) == (sha256_of(path), 5, "used")
    ids = landing.con.execute("SELECT DISTINCT source_sha256 FROM raw.holders").fetchall()
    assert ids == [(sha256_of(path),)]


def test_file_swapped_keeps_the_slot_as_it_was(landing, monkeypatch):
    path = landing.csv("2014/LA01/holders.csv", holders_rows(3))
    landing.land()
    landing.csv("2014/LA01/holders.csv", holders_rows(4))
    real_read = land_module.read_version

    def swap_then_read(con, item, stage, limits):
        path.write_bytes(path.read_bytes() + b"R9999,1,2014-03-02,1,5,1,1,\n")
        return real_read(con, item, stage, limits)

    monkeypatch.setattr(land_module, "read_version", swap_then_read)
    landing.land()
    # The version landed before is still the used one: nothing was superseded by a file
    # that was not landed.
    assert [(r["rows"], r["status"]) for r in landing.registry_rows()] == [(3, "used")]


# --- 2. identity of a landed row is (slot, sha256, row) ------------------------------


def test_same_bytes_in_two_slots_are_two_versions(landing):
    rows = holders_rows(3)
    landing.csv("2014/LA01/holders.csv", rows)
    landing.csv("2014/LA99/holders.csv", rows)  # a copy, in the folder of an unknown organisation
    landing.land()
    registry = landing.registry()
    assert registry["2014/LA01/holders.csv"]["status"] == "used"
    assert registry["2014/LA99/holders.csv"]["status"] == "quarantined"
    per_slot = landing.con.execute(
        "SELECT org_code, count(*) FROM raw.holders GROUP BY org_code ORDER BY org_code"
    ).fetchall()
    assert per_slot == [("LA01", 3), ("LA99", 3)]


# --- 6. a gate bound is a landing rule ----------------------------------------------


def test_survey_date_beyond_the_gate_bound_is_an_invalid_cell(landing):
    rows = holders_rows(60)
    too_late = (latest_survey_date() + dt.timedelta(days=1)).isoformat()
    rows[0]["survey_date"] = too_late
    rows[1]["survey_date"] = "1999-12-31"
    rows[2]["survey_date"] = latest_survey_date().isoformat()  # the last day allowed
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)
    assert landing.invalid_cells() == [
        ("2014/LA01/holders.csv", "R0001", "survey_date", too_late, "date_out_of_range"),
        ("2014/LA01/holders.csv", "R0002", "survey_date", "1999-12-31", "date_out_of_range"),
    ]


def test_wave_folder_outside_the_gate_range_is_ignored_with_its_reason(landing):
    landing.csv("1999/LA01/holders.csv", holders_rows(2))
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    report = landing.land()
    assert report.ignored_reasons == {
        "1999/LA01/holders.csv": "wave folder 1999 is outside 2000-2100 (rename the folder to the survey year)"
    }
    assert list(landing.registry()) == ["2014/LA01/holders.csv"]


def test_respondent_id_that_is_a_contact_detail_quarantines_its_file_without_repeating_it(landing):
    rows = holders_rows(3)
    rows[1]["respondent_id"] = "jo.bloggs@example.org"
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    status, reason = _status(landing, "2014/LA01/holders.csv")
    assert status == "quarantined"
    assert reason == (
        "respondent_id looks like a contact detail in 1 row (data row 2): use the survey's own respondent ids"
    )


def test_repeated_respondent_id_that_is_a_contact_detail_is_not_named(landing):
    rows = holders_rows(3)
    rows[0]["respondent_id"] = rows[1]["respondent_id"] = "07700 900123"
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    _status_, reason = _status(landing, "2014/LA01/holders.csv")
    assert "07700" not in reason
    assert "respondent_id repeated: an id that is a contact detail (2 rows)" in reason


# --- 8. messages a person can act on --------------------------------------------------


def test_a_five_megabyte_comment_lands_as_an_invalid_cell_not_a_broken_file(landing):
    rows = holders_rows(60)
    rows[1]["comment_change"] = "word " * 1_000_000
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)
    [cell] = landing.invalid_cells()
    assert cell == (
        "2014/LA01/holders.csv",
        "R0002",
        "comment_change",
        "4999999 characters",
        "text_too_long",
    )
    assert len("word " * 1_000_000) - 1 > MAX_TEXT_CHARS


def test_a_row_beyond_the_reader_limit_names_row_column_and_limit(landing, monkeypatch):
    from dagster_project.landing import readers

    monkeypatch.setattr(readers, "MAX_CSV_ROW_BYTES", 1024 * 1024)
    rows = holders_rows(3)
    rows[2]["comment_change"] = "x" * (3 * 1024 * 1024)
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    status, reason = _status(landing, "2014/LA01/holders.csv")
    assert status == "quarantined"
    assert reason == (
        "file cannot be read: data row 3 is 3.0 MB, more than the reader's limit of 1.0 MB per row "
        "(column comment_change holds 3.0 MB): shorten that cell"
    )


def test_first_run_without_organisations_says_so_first(landing):
    (landing.root / "organisations.csv").unlink()
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    with pytest.raises(LandingFolderError) as raised:
        landing.land()
    message = str(raised.value)
    assert "\n" not in message
    assert message == (
        f"organisations.csv is missing from {landing.root.resolve()} and no list was landed before: "
        "add it (columns org_code, org_name, org_type, region) and run again"
    )


def test_first_run_with_an_unusable_organisations_list_says_so_first(landing):
    (landing.root / "organisations.csv").write_text("code,name\nLA01,x\n")
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    with pytest.raises(
        LandingFolderError, match=r"organisations.csv cannot be used \(missing required column"
    ):
        landing.land()


def test_a_later_run_without_organisations_keeps_the_last_list(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    (landing.root / "organisations.csv").unlink()
    landing.land()
    assert _status(landing, "2014/LA01/holders.csv") == ("used", None)


def test_invalid_cell_holding_a_contact_detail_is_recorded_without_it(landing):
    rows = holders_rows(60)
    rows[0]["amount_gbp"] = "ring 07700 900123"
    landing.csv("2014/LA01/holders.csv", rows)
    landing.land()
    # raw_value is published in marts.data_quality_issues, whose gate refuses contact details.
    assert landing.invalid_cells() == [
        (
            "2014/LA01/holders.csv",
            "R0001",
            "amount_gbp",
            "hidden (contact detail)",
            "amount_not_positive_number",
        )
    ]
