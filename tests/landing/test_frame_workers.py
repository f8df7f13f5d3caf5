"""A large spreadsheet or SPSS file is read in a worker process (readers.WORKER_MIN_BYTES,
DECISIONS L11): it lands the same cells, invalid cells and outcomes as one read in the
run's process, and a worker that dies leaves no file unread."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from landing_builders import Landing, holders_rows

from dagster_project import workers
from dagster_project.landing import readers

NBSP = "\u00a0"


def _workbook(path: Path) -> None:
    """Awkward cells Excel users write: numbers as floats and whole numbers, a number too
    large for a float's integers, dates with and without a time, booleans, padded text,
    blank rows and a blank column, a codebook header in capitals, an extra column."""
    n = 200
    frame = pd.DataFrame(holders_rows(n))
    frame["consent"] = [1] * (n - 2) + [2, 1.0]
    frame["gender"] = [2.0, 1, 7, None, True, f" 2{NBSP}", 1.5, 10**20] + [1] * (n - 8)
    frame["survey_date"] = (
        [dt.datetime(2014, 3, 1), dt.datetime(2014, 3, 2, 9, 30)]
        + [dt.date(2014, 3, 3)] * (n - 3)
        + ["2014-02-30"]
    )
    frame["amount_gbp"] = [99.5, 0.1 + 0.2, -4, None] + [120.5] * (n - 4)
    frame["comment_change"] = [None] * (n - 1) + ["call me"]
    frame = frame.rename(columns={"plan_help_family": " PLAN_HELP_FAMILY "})
    frame["Our ref"] = [f"R{i}" for i in range(n)]
    frame["blank"] = None
    blank_rows = pd.DataFrame([{c: None for c in frame.columns}] * 2)
    frame = pd.concat([frame.iloc[:10], blank_rows, frame.iloc[10:]], ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name="returns", index=False)
        pd.DataFrame({"respondent_id": ["ignored"]}).to_excel(writer, sheet_name="notes")


def _spss(path: Path) -> None:
    frame = pd.DataFrame(
        {
            "respondent_id": [f"S{i}" for i in range(100)],
            "consent": [1.0] * 99 + [2.0],
            "gender": [2.0, float("nan"), 7.0, 1.5] + [1.0] * 96,
            "funder": [9.0] + [1.0] * 99,
            "amount_gbp": [250.75, float("nan"), 1e16, -1.0] + [10.0] * 96,
            "amount_period": [3.0] * 100,
            "survey_date": [dt.date(2015, 4, 1)] * 100,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"gender": {1: "Female", 2: "Male"}},
        missing_ranges={"funder": [9]},
    )


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    """The returns, written once (a workbook records when it was written, so writing it
    again would make another file version)."""
    folder = tmp_path / "returns"
    _workbook(folder / "2014/LA01/holders.xlsx")
    _spss(folder / "2015/NHS01/holders.sav")
    truncated = folder / "2014/LA02/holders.xlsx"
    _workbook(truncated)
    truncated.write_bytes(truncated.read_bytes()[:2000])
    misnamed = folder / "2015/LA02/holders.sav"
    misnamed.parent.mkdir(parents=True)
    misnamed.write_text("respondent_id,consent\nR1,1\n")
    return folder


def _landed(returns: Path, root: Path) -> dict[str, list]:
    landing = Landing(root)
    try:
        shutil.copytree(returns, root, dirs_exist_ok=True)
        landing.land()
        return landing.tables()
    finally:
        landing.con.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file is large enough for the workers; the names of the files sent to them."""
    monkeypatch.setattr(workers, "_UNUSABLE", [])  # what the test breaks stays in it
    monkeypatch.setattr(readers, "WORKER_MIN_BYTES", -1)
    pool = workers.shared()
    sent: list[str] = []

    def submit(job, *args):
        if job is readers.frame_table:
            sent.append(args[0].name)
        return type(pool).submit(pool, job, *args)

    monkeypatch.setattr(pool, "submit", submit)
    return sent


def test_a_worker_lands_what_this_process_lands(
    tmp_path: Path, returns: Path, monkeypatch, counted
) -> None:
    in_workers = _landed(returns, tmp_path / "workers")
    assert sorted(counted) == ["holders.sav", "holders.sav", "holders.xlsx", "holders.xlsx"]
    monkeypatch.setattr(readers, "WORKER_MIN_BYTES", 10**12)
    here = _landed(returns, tmp_path / "here")
    assert len(counted) == 4  # nothing more was sent
    assert in_workers == here
    # The awkward cells were there: read as text, cleaned, some recorded invalid.
    holders = {row[0]: row for row in in_workers["registry"]}
    assert holders["2014/LA01/holders.xlsx"][1:4] == ("used", "xlsx", 199)
    assert holders["2015/NHS01/holders.sav"][1:4] == ("used", "sav", 99)
    assert holders["2014/LA02/holders.xlsx"][5].startswith("file cannot be read: not a readable")
    assert holders["2015/LA02/holders.sav"][5].startswith("file cannot be read: not a readable")
    invalid = {(row[3], row[4]) for row in in_workers["invalid_cells"]}
    assert {("gender", "7"), ("gender", "1.5"), ("gender", "100000000000000000000")} <= invalid


def test_a_killed_worker_leaves_no_file_unread(
    tmp_path: Path, returns: Path, counted, caplog
) -> None:
    here = _landed(returns, tmp_path / "first")
    pool = workers.shared()
    pool.submit(int, 1).result()
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    assert _landed(returns, tmp_path / "after_kill") == here  # read in this process instead
    assert any("a worker process failed" in r.getMessage() for r in caplog.records)
    assert not workers._SHARED or workers._SHARED[0] is not pool


def test_landing_alone_does_not_start_the_workers(tmp_path: Path, returns: Path, monkeypatch):
    """A process that has not started the workers (for its gates) reads every file itself:
    forking them would cost the worker server's imports for landing alone."""
    monkeypatch.setattr(workers, "_SHARED", [])
    monkeypatch.setattr(workers, "_STARTED", [])
    monkeypatch.setattr(readers, "WORKER_MIN_BYTES", -1)
    tables = _landed(returns, tmp_path / "alone")
    assert workers._SHARED == []
    assert {row[1] for row in tables["registry"]} == {"used", "quarantined"}
