"""Every gate bound one file can break is a landing rule (docs/quality.md, "Gate bounds
and landing rules"): a folder with one breaking return per bound lands, dbt builds
staging from it, and the real raw and staging gates pass, because landing quarantined
the file, ignored it or recorded the cell as invalid (NULL in staging)."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from dbt_subprocess import run_dbt
from landing_builders import holders_rows, write_csv

from dagster_project.bounds import latest_survey_date
from dagster_project.landing.land import land_folder
from dagster_project.quality.gated_tables import gated_table
from dagster_project.quality.runner import Suite, run_suite

pytestmark = pytest.mark.slow
ORGS = [f"LA0{i}" for i in range(1, 10)]
ROWS = 60


def _rows(change=None) -> list[dict[str, str]]:
    rows = holders_rows(ROWS)
    if change:
        change(rows)
    return rows


def _set(index: int, column: str, value: str):
    def change(rows):
        rows[index][column] = value

    return change


TOO_LATE = (latest_survey_date() + dt.timedelta(days=1)).isoformat()

BREAKING = {
    "LA02": _set(0, "gender", "7"),
    "LA03": _set(0, "amount_gbp", "0"),
    "LA04": lambda rows: (
        _set(0, "survey_date", TOO_LATE)(rows),
        _set(1, "survey_date", "1999-12-31")(rows),
    ),
    "LA06": _set(0, "respondent_id", ""),
    "LA07": _set(1, "respondent_id", "R0001"),
    "LA08": _set(2, "respondent_id", "jo.bloggs@example.org"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate_bounds")
    landing = root / "landing"
    write_csv(
        landing / "organisations.csv",
        [{"org_code": o, "org_name": o, "org_type": "council", "region": "North"} for o in ORGS],
    )
    write_csv(landing / "2014/LA01/holders.csv", _rows())
    for org, change in BREAKING.items():
        write_csv(landing / f"2014/{org}/holders.csv", _rows(change))
    write_csv(landing / "1999/LA05/holders.csv", _rows())
    (landing / "2014/LA09").mkdir()
    shutil.copy(landing / "2014/LA01/holders.csv", landing / "2014/LA09/holders.csv")

    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    report = land_folder(con, landing)
    con.close()
    dbt = run_dbt(warehouse, root, "run", "--select", "staging")
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    gates = {
        name: run_suite(con, Suite.load(gated_table(name).suite_path))
        for name in ("raw.holders", "staging.stg_holders")
    }
    registry = dict(
        con.execute(
            "SELECT source_path, coalesce(reason, status) FROM raw.file_registry"
        ).fetchall()
    )
    cells = con.execute(
        "SELECT source_path, variable, rule FROM raw.invalid_cells ORDER BY ALL"
    ).fetchall()
    con.close()
    yield report, gates, registry, cells


def _gates_pass(gates) -> None:
    for result in gates.values():
        assert result.success, result.summary()


def test_code_outside_codebook(built):
    _report, gates, registry, cells = built
    assert registry["2014/LA02/holders.csv"] == "used"
    assert ("2014/LA02/holders.csv", "gender", "code_not_in_codebook") in cells
    _gates_pass(gates)


def test_amount_not_positive(built):
    _report, gates, registry, cells = built
    assert ("2014/LA03/holders.csv", "amount_gbp", "amount_not_positive_number") in cells
    _gates_pass(gates)


def test_survey_date_out_of_range(built):
    _report, gates, registry, cells = built
    assert registry["2014/LA04/holders.csv"] == "used"
    assert [c for c in cells if c[0] == "2014/LA04/holders.csv"] == [
        ("2014/LA04/holders.csv", "survey_date", "date_out_of_range")
    ] * 2
    _gates_pass(gates)


def test_wave_out_of_range(built):
    report, gates, registry, _cells = built
    assert "1999/LA05/holders.csv" in report.ignored_reasons
    assert "1999/LA05/holders.csv" not in registry
    _gates_pass(gates)


def test_blank_respondent_id(built):
    _report, gates, registry, _cells = built
    assert registry["2014/LA06/holders.csv"] == "respondent_id blank in 1 row (data row 1)"
    _gates_pass(gates)


def test_repeated_respondent_id(built):
    _report, gates, registry, _cells = built
    assert registry["2014/LA07/holders.csv"] == "respondent_id repeated: R0001 (2 rows)"
    _gates_pass(gates)


def test_contact_detail_respondent_id(built):
    _report, gates, registry, _cells = built
    assert registry["2014/LA08/holders.csv"].startswith(
        "respondent_id looks like a contact detail in 1 row"
    )
    _gates_pass(gates)


def test_same_bytes_in_two_slots(built):
    _report, gates, registry, _cells = built
    assert registry["2014/LA01/holders.csv"] == registry["2014/LA09/holders.csv"] == "used"
    _gates_pass(gates)
