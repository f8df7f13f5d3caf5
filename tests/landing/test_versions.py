"""Versions of a slot: idempotent re-landing, supersession, two files at once, organisations."""

from __future__ import annotations

from landing_builders import holders_rows, write_csv


def _statuses(landing) -> list[tuple]:
    return landing.con.execute(
        "SELECT source_path, status, reason, rows_used FROM raw.file_registry ORDER BY landed_at, source_path"
    ).fetchall()


def test_landing_twice_changes_nothing(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(3))
    landing.csv("2014/LA99/holders.csv", holders_rows(3))
    first = landing.land()
    before = landing.registry_rows()
    counts = landing.con.execute(
        "SELECT (SELECT count(*) FROM raw.holders), (SELECT count(*) FROM raw.invalid_cells)"
    )
    counts_before = counts.fetchone()
    second = landing.land()
    assert (first.landed, second.landed, second.unchanged, second.status_changes) == (2, 0, 2, 0)
    assert landing.registry_rows() == before
    assert (
        landing.con.execute(
            "SELECT (SELECT count(*) FROM raw.holders), (SELECT count(*) FROM raw.invalid_cells)"
        ).fetchone()
        == counts_before
    )


def test_new_content_supersedes_exactly_its_slot(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(3))
    landing.csv("2014/LA02/holders.csv", holders_rows(4))
    landing.land()
    old_sha = landing.registry()["2014/LA01/holders.csv"]["source_sha256"]
    landing.csv("2014/LA01/holders.csv", holders_rows(5))
    report = landing.land()
    assert (report.landed, report.unchanged) == (1, 1)
    rows = landing.registry_rows()
    assert len(rows) == 3
    la01 = [r for r in rows if r["source_path"] == "2014/LA01/holders.csv"]
    assert [(r["status"], r["rows"], r["rows_used"]) for r in la01] == [
        ("superseded", 3, 0),
        ("used", 5, 5),
    ]
    assert la01[0]["source_sha256"] == old_sha
    assert la01[0]["reason"] == "superseded by the current 2014/LA01/holders.csv"
    la02 = [r for r in rows if r["source_path"] == "2014/LA02/holders.csv"]
    assert [r["status"] for r in la02] == ["used"]
    # Raw history keeps both versions of the slot.
    per_version = landing.con.execute(
        "SELECT source_sha256, count(*) FROM raw.holders WHERE source_path = '2014/LA01/holders.csv' GROUP BY 1"
    ).fetchall()
    assert sorted(n for _sha, n in per_version) == [3, 5]


def test_a_new_format_for_a_slot_supersedes_the_old_file(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(3))
    landing.land()
    landing.path("2014/LA01/holders.csv").unlink()
    write_csv(landing.path("2014/LA01/Holders.CSV"), holders_rows(4))
    landing.land()
    assert [(p, s) for p, s, _r, _u in _statuses(landing)] == [
        ("2014/LA01/holders.csv", "superseded"),
        ("2014/LA01/Holders.CSV", "used"),
    ]


def test_two_files_for_one_slot_are_both_quarantined_until_one_goes(landing):
    import pandas as pd

    landing.csv("2014/LA01/holders.csv", holders_rows(3))
    landing.land()
    xlsx = landing.path("2014/LA01/holders.xlsx")
    pd.DataFrame(holders_rows(2)).to_excel(xlsx, index=False, engine="xlsxwriter")
    landing.land()
    reason = "two files for one slot: 2014/LA01/holders.csv and 2014/LA01/holders.xlsx (remove all but one)"
    assert _statuses(landing) == [
        ("2014/LA01/holders.csv", "quarantined", reason, 0),
        ("2014/LA01/holders.xlsx", "quarantined", reason, 0),
    ]
    landing.path("2014/LA01/holders.csv").unlink()
    report = landing.land()
    assert (report.landed, report.unchanged) == (0, 1)
    assert _statuses(landing) == [
        (
            "2014/LA01/holders.csv",
            "superseded",
            "superseded by the current 2014/LA01/holders.xlsx",
            0,
        ),
        ("2014/LA01/holders.xlsx", "used", None, 2),
    ]


def test_removed_files_keep_their_status(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(3))
    landing.land()
    landing.path("2014/LA01/holders.csv").unlink()
    landing.land()
    assert _statuses(landing) == [("2014/LA01/holders.csv", "used", None, 3)]


def test_organisation_added_later_releases_its_files(landing):
    landing.csv("2014/LA99/holders.csv", holders_rows(2))
    landing.land()
    assert _statuses(landing)[0][1:] == ("quarantined", "unknown organisation LA99", 0)
    with landing.path("organisations.csv").open("a") as handle:
        handle.write("LA99,Newtown Council,council,East\n")
    landing.land()
    assert _statuses(landing) == [("2014/LA99/holders.csv", "used", None, 2)]
    assert landing.con.execute("SELECT count(*) FROM raw.organisations").fetchone()[0] == 4


def test_broken_organisations_file_keeps_the_last_good_list(landing):
    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    landing.land()
    landing.path("organisations.csv").write_text("code,name\nLA01,x\n")
    landing.land()
    assert landing.con.execute("SELECT count(*) FROM raw.organisations").fetchone()[0] == 3
    assert _statuses(landing)[0][1] == "used"
