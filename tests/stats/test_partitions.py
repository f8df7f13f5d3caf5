"""The odds ratios, regressions and group tests of changed waves and surveys only
(DECISIONS R36): the
partitions whose file versions did not change keep their rows, and the tables always
equal a computation of everything."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from dagster_project.publish.compare import compare_published
from dagster_project.stats import version_counts
from dagster_project.stats.assets import group_differences, odds_ratios, regressions
from dagster_project.stats.group_tests import group_variables
from dagster_project.stats.plan import CARERS, HOLDERS
from dagster_project.transform.build_state import FULL_REFRESH_TAG
from dagster_project.warehouse import WarehouseResource

TABLES = (
    "odds_ratios", "regression_models", "regression_terms", "group_differences", "group_figures",
)  # fmt: skip


@pytest.fixture()
def warehouse(tmp_path, fixture_warehouse, monkeypatch) -> str:
    # The fixture's marts are small: their counts are kept per version all the same, so
    # that the kept counts are checked against a whole computation too (version_counts.py).
    monkeypatch.setattr(version_counts, "MIN_ROWS", 0)
    path = str(tmp_path / "warehouse.duckdb")
    shutil.copy(fixture_warehouse, path)  # the stats fixture (conftest.py), two waves
    with duckdb.connect(path) as con:
        for table in ("holder_responses", "carer_responses"):
            con.execute(f"ALTER TABLE marts.{table} ADD COLUMN source_sha256 VARCHAR")
            con.execute(f"UPDATE marts.{table} SET source_sha256 = org_code || '-' || wave")
    return path


def _materialize(path: str, forced: bool = False) -> dict[str, dict]:
    result = dg.materialize(
        [odds_ratios, regressions, group_differences],
        resources={"warehouse": WarehouseResource(path=path)},
        tags={FULL_REFRESH_TAG: "true"} if forced else None,
    )
    assert result.success
    written = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        metadata = {k: v.value for k, v in materialization.metadata.items()}
        written[materialization.asset_key.path[-1]] = metadata
    return written


def _whole(path: str, copy) -> str:
    """The same warehouse with every statistic computed again (a forced refresh)."""
    shutil.copy(path, copy)
    _materialize(str(copy), forced=True)
    return str(copy)


def _rows(path: str, sql: str) -> list[tuple]:
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_only_the_changed_partitions_are_computed_and_the_tables_equal_a_whole_build(
    warehouse, tmp_path
):
    first = _materialize(warehouse)
    assert all(first[t]["rows_computed"] == first[t]["rows"] > 0 for t in TABLES)

    # One organisation's 2015 holders return is replaced (another version, fewer rows).
    with duckdb.connect(warehouse) as con:
        con.execute(
            "DELETE FROM marts.holder_responses WHERE org_code = 'LA01' AND wave = 2015 "
            "AND respondent_id LIKE '%1'"
        )
        con.execute(
            "UPDATE marts.holder_responses SET source_sha256 = 'LA01-2015-b' "
            "WHERE org_code = 'LA01' AND wave = 2015"
        )
    second = _materialize(warehouse)
    pairs = len(HOLDERS.factors) * len(HOLDERS.outcomes)
    assert second["odds_ratios"]["rows_computed"] == pairs  # holders 2015 only
    assert second["regression_models"]["rows_computed"] == len(HOLDERS.outcomes)
    assert second["group_differences"]["rows_computed"] == len(group_variables()) + 1  # + ANOVA
    assert second["odds_ratios"]["rows"] == first["odds_ratios"]["rows"]
    assert compare_published(warehouse, _whole(warehouse, tmp_path / "whole1.duckdb")) == []

    # Nothing changed: nothing computed. The carers' 2015 wave goes: its rows go.
    assert _materialize(warehouse)["odds_ratios"]["rows_computed"] == 0
    with duckdb.connect(warehouse) as con:
        con.execute("DELETE FROM marts.carer_responses WHERE wave = 2015")
    third = _materialize(warehouse)
    assert third["odds_ratios"]["rows_computed"] == 0
    assert third["group_differences"]["rows_computed"] == 0  # the holders did not change
    assert third["odds_ratios"]["rows"] == first["odds_ratios"]["rows"] - len(CARERS.factors) * len(
        CARERS.outcomes
    )
    assert _rows(
        warehouse, "SELECT count(*) FROM marts.odds_ratios WHERE survey = 'carers' AND wave = 2015"
    ) == [(0,)]
    assert compare_published(warehouse, _whole(warehouse, tmp_path / "whole2.duckdb")) == []


def test_a_forced_build_computes_every_partition(warehouse):
    _materialize(warehouse)
    forced = _materialize(warehouse, forced=True)
    assert all(forced[t]["rows_computed"] == forced[t]["rows"] for t in TABLES)
