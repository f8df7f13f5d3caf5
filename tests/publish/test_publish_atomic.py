"""The swap is atomic for readers, and unsafe publishes are refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
import quality_fixtures as fx
from published_tables import tables_of

from dagster_project.publish.publisher import PublishRefused, publish
from dagster_project.quality.gated_tables import gated_table
from dagster_project.quality.results_store import record
from dagster_project.quality.runner import Suite, run_suite

READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    count = lambda c: c.execute("SELECT count(*) FROM marts.trends").fetchone()[0]
    print(count(con), flush=True)
    sys.stdin.readline()  # the publish has replaced the file meanwhile
    print(count(con), flush=True)
    # DuckDB shares one database instance per path within a process: reopen to see
    # the new file (docs/quality.md tells analysts so).
    con.close()
    fresh = duckdb.connect(sys.argv[1], read_only=True)
    print(count(fresh), flush=True)
    """
)


def _working(path: Path, trend_rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        fx.create_other_marts(con, skip=("trends",))
        con.execute(
            f"CREATE OR REPLACE TABLE marts.trends AS SELECT i AS wave FROM range({trend_rows}) t(i)"
        )


def test_reader_keeps_working_while_publish_replaces_the_file(tmp_path):
    working, published = tmp_path / "working.duckdb", tmp_path / "poet.duckdb"
    _working(working, 3)
    publish(working, published, "run-1", log=lambda _: None)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert reader.stdout.readline().strip() == "3"
        _working(working, 5)
        # The reader's open connection does not block the publish.
        publish(working, published, "run-2", log=lambda _: None)
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"  # still the old, complete state
        assert reader.stdout.readline().strip() == "5"  # a new connection sees the new one
        assert reader.wait(timeout=30) == 0
    finally:
        reader.kill()


def test_a_failed_latest_gate_refuses_publish_and_keeps_the_file(tmp_path):
    working, published = tmp_path / "working.duckdb", tmp_path / "poet.duckdb"
    _working(working, 3)
    publish(working, published, "run-1", log=lambda _: None)
    before = published.read_bytes()
    with duckdb.connect(str(working)) as con:
        fx.create_outcome_summary(con)
        con.execute("UPDATE marts.outcome_summary SET pct_positive = 101")
        suite = Suite.load(gated_table("marts.outcome_summary").suite_path)
        record(con, "run-2", run_suite(con, suite))
    with pytest.raises(PublishRefused, match="marts.outcome_summary"):
        publish(working, published, "run-2", log=lambda _: None)
    assert published.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "parquet",
        "poet.duckdb",
        "working.duckdb",
    ]


def test_missing_contract_mart_refuses_publish(tmp_path):
    working, published = tmp_path / "working.duckdb", tmp_path / "poet.duckdb"
    _working(working, 3)
    with duckdb.connect(str(working)) as con:
        con.execute("DROP TABLE marts.org_benchmark")
    with pytest.raises(PublishRefused, match="org_benchmark"):
        publish(working, published, "run-1", log=lambda _: None)
    assert not published.exists()


def test_views_are_published_as_tables(tmp_path):
    working, published = tmp_path / "working.duckdb", tmp_path / "poet.duckdb"
    _working(working, 3)
    with duckdb.connect(str(working)) as con:
        con.execute("CREATE SCHEMA recoded")
        con.execute("CREATE TABLE recoded.rec AS SELECT 1 AS x")
        con.execute("DROP TABLE marts.trends")
        con.execute("CREATE VIEW marts.trends AS SELECT x AS wave FROM recoded.rec")
    publish(working, published, "run-1", log=lambda _: None)
    assert tables_of(published)["marts.trends"] == 1
    assert "recoded.rec" not in tables_of(published)
