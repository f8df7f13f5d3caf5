"""Fixture marts for the stats tests: small synthetic respondent marts, an outcome summary
and distributions computed from them, and the published 2014 seeds loaded from CSV."""

from __future__ import annotations

import pytest
from stats_fixtures import build_fixture_warehouse


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("stats") / "warehouse.duckdb")
    build_fixture_warehouse(path)
    return path


@pytest.fixture(scope="session")
def materialized_warehouse(fixture_warehouse) -> str:
    """The fixture warehouse after one dg.materialize of every stats asset."""
    import dagster as dg

    from dagster_project.stats.assets import STATS_ASSETS
    from dagster_project.warehouse import WarehouseResource

    result = dg.materialize(
        STATS_ASSETS, resources={"warehouse": WarehouseResource(path=fixture_warehouse)}
    )
    assert result.success
    return fixture_warehouse
