"""Files land several to a transaction; the outcome must not depend on how they are batched."""

from __future__ import annotations

import duckdb
from landing_builders import holders_rows

from dagster_project.landing import land as land_module
from dagster_project.landing import land_file
from dagster_project.landing.land import BatchLimits, land_folder
from dagster_project.landing.land_file import StagedVersion

ONE_PER_TRANSACTION = BatchLimits(rows=1, files=1)
ALL_IN_ONE = BatchLimits(rows=10**9, files=100)


def _folder(landing) -> None:
    landing.csv("2014/LA01/holders.csv", holders_rows(5))
    rows = holders_rows(4, start=10)
    rows[1]["gender"] = "7"  # invalid code
    rows[2]["consent"] = "2"
    landing.csv("2014/LA02/holders.csv", rows)
    landing.path("2014/NHS01").mkdir(parents=True)
    landing.path("2014/NHS01/holders.csv").write_text("respondent_id,consent\nR1,1\nR2\n")  # ragged
    landing.csv("2015/LA01/holders.csv", holders_rows(3, start=50))


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {
        "holders": con.execute(
            "SELECT * EXCLUDE (landed_at) FROM raw.holders ORDER BY source_path, source_row"
        ).fetchall(),
        "registry": con.execute(
            "SELECT * EXCLUDE (landed_at) FROM raw.file_registry ORDER BY source_path"
        ).fetchall(),
        "invalid": con.execute("SELECT * FROM raw.invalid_cells ORDER BY ALL").fetchall(),
        "la02_rows": con.execute(
            "SELECT source_row, respondent_id FROM raw.holders "
            "WHERE source_path = '2014/LA02/holders.csv' ORDER BY source_row"
        ).fetchall(),
    }


def test_batching_does_not_change_what_lands(landing):
    _folder(landing)
    snapshots = []
    sequential = BatchLimits(rows=6, files=100, read_workers=1, read_ahead=0)
    for limits in (ONE_PER_TRANSACTION, ALL_IN_ONE, BatchLimits(rows=6, files=100), sequential):
        with duckdb.connect() as con:
            report = land_folder(con, landing.root, batch_limits=limits)
            assert report.landed == 4
            snapshots.append(_snapshot(con))
    assert all(snapshot == snapshots[0] for snapshot in snapshots[1:])
    assert snapshots[0]["la02_rows"] == [(n, f"R{9 + n:04d}") for n in (1, 2, 3, 4)]
    assert len(snapshots[0]["invalid"]) == 1
    with duckdb.connect() as con:
        land_folder(con, landing.root, batch_limits=ALL_IN_ONE)
        statuses = dict(con.execute("SELECT source_path, status FROM raw.file_registry").fetchall())
    assert statuses == {
        "2014/LA01/holders.csv": "used",
        "2014/LA02/holders.csv": "quarantined",  # 1 invalid cell of 15 answered: over 2%
        "2014/NHS01/holders.csv": "quarantined",
        "2015/LA01/holders.csv": "used",
    }


def test_a_file_that_breaks_its_batch_is_quarantined_alone(landing, monkeypatch):
    _folder(landing)
    real = land_module.land_new_version

    def breaking(con, item, sha, read, *args):
        if item.relative_path == "2014/LA02/holders.csv" and isinstance(read, StagedVersion):
            con.execute("SELECT CAST('not a number' AS INTEGER)")
        return real(con, item, sha, read, *args)

    monkeypatch.setattr(land_module, "land_new_version", breaking)
    report = land_folder(landing.con, landing.root, batch_limits=ALL_IN_ONE)
    assert report.landed == 4
    registry = landing.registry()
    broken = registry["2014/LA02/holders.csv"]
    assert broken["status"] == "quarantined"
    assert broken["reason"].startswith("file cannot be read: Conversion Error"), broken["reason"]
    assert broken["rows"] == 0
    assert registry["2014/LA01/holders.csv"]["status"] == "used"
    assert registry["2015/LA01/holders.csv"]["status"] == "used"
    counts = dict(
        landing.con.execute("SELECT source_path, count(*) FROM raw.holders GROUP BY ALL").fetchall()
    )
    assert counts == {
        "2014/LA01/holders.csv": 5,
        "2015/LA01/holders.csv": 3,
    }  # each once, none of the broken
    assert landing.con.execute("SELECT count(*) FROM raw.file_registry").fetchone()[0] == 4


def test_a_database_error_while_checking_a_file_quarantines_it_alone(landing, monkeypatch):
    _folder(landing)
    real = land_file._checked

    def breaking(con, item, *args):
        if item.relative_path == "2014/LA01/holders.csv":
            con.execute("SELECT CAST('not a number' AS INTEGER)")
        return real(con, item, *args)

    monkeypatch.setattr(land_file, "_checked", breaking)
    report = land_folder(landing.con, landing.root, batch_limits=ALL_IN_ONE)
    assert report.landed == 4
    registry = landing.registry()
    broken = registry["2014/LA01/holders.csv"]
    assert (broken["status"], broken["rows"]) == ("quarantined", 0)
    assert (
        broken["reason"]
        == "file cannot be read: Conversion Error: Could not convert string 'not a number' to INT32"
    )
    assert registry["2015/LA01/holders.csv"]["status"] == "used"
    paths = {
        p for (p,) in landing.con.execute("SELECT DISTINCT source_path FROM raw.holders").fetchall()
    }
    assert paths == {"2014/LA02/holders.csv", "2015/LA01/holders.csv"}
