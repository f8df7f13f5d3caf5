"""Every whole-file rule quarantines with a reason a person can act on, and never stops the others."""

from __future__ import annotations

from landing_builders import holders_rows


def _only(landing, path):
    registry = landing.registry()
    return registry[path]


def test_unreadable_files_are_quarantined_and_the_rest_still_land(landing):
    landing.path("2014/LA01").mkdir(parents=True)
    landing.path("2014/LA01/holders.xlsx").write_bytes(b"this is not a workbook")
    landing.path("2014/LA01/carers.sav").write_bytes(b"nor an spss file")
    landing.path("2014/LA02").mkdir(parents=True)
    landing.path("2014/LA02/holders.csv").write_bytes(b"respondent_id,consent\nR1,1\n\xe9\xe9,1\n")
    landing.path("2014/LA02/carers.csv").write_bytes(b"")
    landing.csv("2014/NHS01/holders.csv", holders_rows(2))
    report = landing.land()
    registry = landing.registry()
    for path in (
        "2014/LA01/holders.xlsx",
        "2014/LA01/carers.sav",
        "2014/LA02/holders.csv",
        "2014/LA02/carers.csv",
    ):
        row = registry[path]
        assert row["status"] == "quarantined"
        assert row["reason"].startswith("file cannot be read: "), row["reason"]
        assert (row["rows"], row["rows_used"]) == (0, 0)
    assert "UTF-8" in registry["2014/LA02/holders.csv"]["reason"]
    assert registry["2014/LA02/carers.csv"]["reason"] == "file cannot be read: file is empty"
    assert registry["2014/NHS01/holders.csv"]["status"] == "used"
    assert (
        landing.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0] == 2
    )  # unreadable: no rows
    assert set(report.quarantined) == {
        p for p, r in registry.items() if r["status"] == "quarantined"
    }


def test_ragged_csv_says_which_line(landing):
    landing.path("2014/LA01").mkdir(parents=True)
    landing.path("2014/LA01/holders.csv").write_text("respondent_id,consent\nR1,1\nR2\n")
    landing.land()
    assert (
        _only(landing, "2014/LA01/holders.csv")["reason"]
        == "file cannot be read: line 3 has 1 fields, expected 2"
    )


def test_missing_required_column(landing):
    rows = [{"respondent_id": "R1", "gender": "1"}]
    landing.csv("2014/LA01/holders.csv", rows)
    landing.csv("2014/LA01/carers.csv", [{"relationship": "1"}])
    landing.land()
    holders = _only(landing, "2014/LA01/holders.csv")
    assert (holders["status"], holders["reason"]) == (
        "quarantined",
        "missing required column consent",
    )
    assert (holders["rows"], holders["rows_without_consent"], holders["rows_used"]) == (1, 1, 0)
    carers = _only(landing, "2014/LA01/carers.csv")
    assert carers["reason"] == "missing required columns respondent_id and consent"


def test_blank_and_repeated_respondent_ids(landing):
    rows = holders_rows(8)
    for i in (2, 5, 6):
        rows[i]["respondent_id"] = "R0012"
    rows[7]["respondent_id"] = "r0001"  # ids are case-sensitive: not a repeat of R0001
    rows[3]["respondent_id"] = "R0001 "  # trimmed: a repeat
    landing.csv("2014/LA01/holders.csv", rows)
    blank = holders_rows(3)
    blank[1]["respondent_id"] = "  "
    landing.csv("2014/LA02/holders.csv", blank)
    landing.land()
    repeated = _only(landing, "2014/LA01/holders.csv")
    assert repeated["status"] == "quarantined"
    assert repeated["reason"] == "respondent_id repeated: R0001 (2 rows), R0012 (3 rows)"
    assert (
        _only(landing, "2014/LA02/holders.csv")["reason"]
        == "respondent_id blank in 1 row (data row 2)"
    )


def test_unknown_organisation(landing):
    landing.csv("2014/LA99/holders.csv", holders_rows(2))
    landing.land()
    row = _only(landing, "2014/LA99/holders.csv")
    assert (row["status"], row["reason"], row["rows_used"]) == (
        "quarantined",
        "unknown organisation LA99",
        0,
    )
    # Its rows stay in raw, like every landed version's.
    assert landing.con.execute("SELECT count(*) FROM raw.holders").fetchone()[0] == 2


def test_more_than_two_percent_invalid_cells(landing):
    # 10 consenting rows x 5 answered answer cells = 50 cells; non-consenting rows do not count.
    rows = holders_rows(10) + [dict(holders_rows(1, start=99)[0], consent="2", gender="7")]
    landing.csv("2014/LA01/holders.csv", rows)
    two_bad = [dict(r) for r in rows]
    two_bad[0]["gender"] = "7"
    two_bad[1]["survey_date"] = "01/03/2014"
    landing.csv("2014/LA02/holders.csv", two_bad)
    one_bad = [dict(r) for r in rows]
    one_bad[0]["gender"] = "7"
    landing.csv("2014/NHS01/holders.csv", one_bad)
    landing.land()
    registry = landing.registry()
    assert registry["2014/LA01/holders.csv"]["status"] == "used"
    over = registry["2014/LA02/holders.csv"]
    assert (over["status"], over["reason"], over["invalid_cells"]) == (
        "quarantined",
        "4.0% of answer cells invalid (limit 2%)",
        2,
    )
    under = registry["2014/NHS01/holders.csv"]  # 1/50 = 2% is not more than 2%: used, cell recorded
    assert (under["status"], under["invalid_cells"], under["rows_used"]) == ("used", 1, 10)


def test_several_problems_are_all_named(landing):
    rows = holders_rows(2)
    rows[1]["respondent_id"] = "R0001"
    landing.csv("2014/LA99/holders.csv", rows)
    landing.land()
    assert _only(landing, "2014/LA99/holders.csv")["reason"] == (
        "unknown organisation LA99; respondent_id repeated: R0001 (2 rows)"
    )


def test_files_outside_the_layout_are_ignored(landing):
    landing.path("synth_manifest.json").write_text("{}")
    landing.csv("2014/LA01/holders.csv", holders_rows(1))
    landing.csv("2014/LA01/notes.csv", holders_rows(1))
    landing.csv("14/LA01/holders.csv", holders_rows(1))
    report = landing.land()
    assert sorted(report.ignored) == [
        "14/LA01/holders.csv",
        "2014/LA01/notes.csv",
        "synth_manifest.json",
    ]
    assert list(landing.registry()) == ["2014/LA01/holders.csv"]
