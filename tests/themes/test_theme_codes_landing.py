"""Landing `<wave>/theme_codes.csv` (contract README, "Hand-coded themes")."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.landing.land import land_folder
from dagster_project.landing.theme_codes import land_theme_codes
from dagster_project.synth.config import SynthConfig
from dagster_project.synth.generate import generate

HEADER = ["survey", "org_code", "respondent_id", "question", "theme_id"]


@pytest.fixture(scope="module")
def synth_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("themes_landing")
    generate(out, SynthConfig(holders=150, carers=80, orgs=6, faults=False))
    return out


@pytest.fixture(scope="module")
def landed_file(synth_landing, tmp_path_factory) -> Path:
    """A warehouse with the synthetic returns landed once; the sample not yet."""
    path = tmp_path_factory.mktemp("themes_warehouse") / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    land_folder(con, synth_landing)
    con.execute("DROP TABLE IF EXISTS raw.theme_codes")
    con.execute("DROP TABLE IF EXISTS raw.theme_code_files")
    con.close()
    return path


@pytest.fixture()
def landed(landed_file, synth_landing, tmp_path):
    """A copy of that warehouse for one test."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(landed_file, copy)
    con = duckdb.connect(str(copy))
    yield con, synth_landing
    con.close()


def _sample(landing: Path) -> Path:
    return landing / "2014" / "theme_codes.csv"


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _status(con) -> list[tuple]:
    return con.execute(
        "SELECT status, reason FROM raw.theme_code_files ORDER BY landed_at, status"
    ).fetchall()


def test_the_synthetic_sample_is_landed_and_used(landed):
    con, landing = landed
    report = land_theme_codes(con, landing)
    assert report.found == report.landed == 1
    assert report.statuses == {"2014/theme_codes.csv": ("used", None)}
    lines = _rows(_sample(landing))
    assert lines[0] == HEADER
    assert con.execute("SELECT count(*) FROM raw.theme_codes").fetchall()[0][0] == len(lines) - 1
    again = land_theme_codes(con, landing)
    assert again.landed == 0 and again.unchanged == 1
    assert con.execute("SELECT count(*) FROM raw.theme_code_files").fetchall()[0][0] == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda rows: [[c for i, c in enumerate(r) if i != 4] for r in rows], "missing required column theme_id"),
        (lambda rows: [*rows, ["carers", rows[1][1], rows[1][2], "change", "home"]],
         "with a theme id unknown for its survey"),
        (lambda rows: [*rows, ["holders", rows[1][1], "NOT-A-RESPONDENT", "change", "support"]],
         "1 row names a comment that was not landed (first: row"),
        (lambda rows: [*rows, ["holder", rows[1][1], rows[1][2], "change", "support"]],
         "with a survey that is not holders or carers"),
    ],
)  # fmt: skip
def test_a_bad_sample_is_quarantined_with_a_reason_and_the_old_one_superseded(
    landed, tmp_path, change, reason
):
    con, synth = landed
    landing = tmp_path / "landing"
    (landing / "2014").mkdir(parents=True)
    good = _rows(_sample(synth))
    _write(_sample(landing), good)
    land_theme_codes(con, landing)
    _write(_sample(landing), change(good))
    report = land_theme_codes(con, landing)
    status, why = report.statuses["2014/theme_codes.csv"]
    assert status == "quarantined"
    assert reason in why
    assert [s for s, _ in _status(con)] == ["superseded", "quarantined"]
    # Putting the good file back makes the first version current again.
    _write(_sample(landing), good)
    land_theme_codes(con, landing)
    assert sorted(s for s, _ in _status(con)) == ["superseded", "used"]


def test_a_comment_that_is_blank_in_its_return_was_not_landed(landed, tmp_path):
    con, synth = landed
    blank = con.execute(
        "SELECT org_code, trim(respondent_id) FROM raw.holders "
        "WHERE consent = '1' AND comment_change IS NULL LIMIT 1"
    ).fetchall()[0]
    landing = tmp_path / "landing"
    (landing / "2014").mkdir(parents=True)
    _write(_sample(landing), [HEADER, ["holders", blank[0], blank[1], "change", ""]])
    report = land_theme_codes(con, landing)
    assert report.statuses["2014/theme_codes.csv"][0] == "quarantined"
    assert "not landed" in report.statuses["2014/theme_codes.csv"][1]


def test_an_unreadable_sample_is_quarantined(landed, tmp_path):
    con, _ = landed
    landing = tmp_path / "landing"
    (landing / "2014").mkdir(parents=True)
    _sample(landing).write_bytes(b"survey,org_code\n\xff\xfe\x00bad")
    report = land_theme_codes(con, landing)
    assert report.statuses["2014/theme_codes.csv"] == (
        "quarantined",
        "cannot be read: not UTF-8 text",
    )
