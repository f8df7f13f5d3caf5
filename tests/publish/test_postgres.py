"""PostgreSQL as the shared warehouse, on a real throwaway server.

The load (every analysts' table, nothing else), the swap (a concurrent reader sees the
old or the new complete state, and is not held up by the load), the roles (an
organisation's analyst reads its own respondent rows and every aggregate, nothing more,
through no view or function, and nobody but the loader writes) and the publish asset.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest
from pg_server import start_server
from readme_queries import build_working, readme_queries

from dagster_project.publish import postgres
from dagster_project.publish.postgres import grant, publish_to_postgres
from dagster_project.publish.publisher import publish

# Respondent-level rows of two organisations (LA01: 3 holders, LA02: 2).
RESPONDENTS = {"LA01": ("H1", "H2", "H3"), "LA02": ("H4", "H5")}


def _respondent_marts(con: duckdb.DuckDBPyConnection) -> None:
    rows = [(org, rid) for org, ids in RESPONDENTS.items() for rid in ids]
    values = ", ".join(f"(2014, '{org}', '{rid}')" for org, rid in rows)
    for table in ("holder_responses", "carer_responses"):
        con.execute(
            f"CREATE OR REPLACE TABLE marts.{table} AS SELECT wave, org_code, respondent_id, "
            f"1 AS quality_of_life_positive FROM (VALUES {values}) t(wave, org_code, respondent_id)"
        )
    con.execute(
        "CREATE OR REPLACE TABLE marts.comments AS SELECT wave, 'holders' AS survey, org_code, "
        "respondent_id, 'worked_well' AS question, 'It works [name]' AS comment_redacted "
        f"FROM (VALUES {values}) t(wave, org_code, respondent_id)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE marts.data_quality_issues AS SELECT '2014/' || org_code || "
        "'/holders.csv' AS path, org_code, respondent_id, 'gender' AS variable, '7' AS raw_value, "
        "['a', 'b\"c', NULL] AS notes "
        f"FROM (VALUES {values}) t(wave, org_code, respondent_id)"
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS reference")
    con.execute(
        "CREATE OR REPLACE TABLE reference.codebook_holders AS "
        "SELECT 'gender' AS variable, 'What is your gender' AS question"
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.execute(
        "CREATE OR REPLACE TABLE quality.validation_results AS SELECT 'run-1' AS run_id, "
        "TIMESTAMP '2026-01-01 10:00:00' AS checked_at, 'marts.holder_responses' AS \"table\", "
        "'suite' AS suite, 'expect' AS expectation, 'gender' AS \"column\", true AS success, "
        "'critical' AS severity, 1 AS unexpected_count, CAST('[\"H4\"]' AS JSON) AS examples, "
        "'ok' AS message"
    )


def _working(path: Path, trend_rows: int) -> None:
    build_working(str(path), trend_rows=trend_rows)
    with duckdb.connect(str(path)) as con:
        _respondent_marts(con)
        # A second table that changes with the first: a reader compares the two.
        con.execute(
            f"CREATE OR REPLACE TABLE marts.process_scale AS SELECT i AS wave FROM range({trend_rows}) t(i)"
        )


@pytest.fixture(scope="module")
def server():
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def published(server, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pg")
    _working(root / "working.duckdb", 3)
    publish(root / "working.duckdb", root / "poet.duckdb", "run-1", log=lambda _: None)
    publish_to_postgres(root / "poet.duckdb", server.loader_url, log=lambda _: None)
    grant(server.loader_url, "alice", "LA01", password=None)
    grant(server.loader_url, "bob", None, password=None)
    return root / "poet.duckdb"


def _query(url: str, sql: str, params=None) -> list[tuple]:
    with psycopg.connect(url) as con:
        return con.execute(sql, params).fetchall()


def test_every_analysts_table_is_loaded_and_nothing_else(server, published):
    with duckdb.connect(str(published), read_only=True) as con:
        expected = {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
    loaded = {
        f"{s}.{t}": _query(server.loader_url, f'SELECT count(*) FROM "{s}"."{t}"')[0][0]
        for s, t in _query(
            server.loader_url,
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        )
    }
    assert loaded == expected
    assert {name.split(".")[0] for name in loaded} == {"marts", "reference", "quality"}
    notes = _query(
        server.loader_url, "SELECT notes FROM marts.data_quality_issues WHERE respondent_id = 'H1'"
    )
    assert notes == [(["a", 'b"c', None],)]
    examples = _query(server.loader_url, "SELECT examples FROM quality.validation_results")
    assert examples == [(["H4"],)]


def test_the_readme_queries_give_what_duckdb_gives(server, published):
    with duckdb.connect(str(published), read_only=True) as con:
        expected = [con.execute(q).fetchall() for q in readme_queries()]
    got = [_query(server.url("bob", "poet"), q) for q in readme_queries()]
    assert got == expected and all(got)


def test_an_organisation_reads_its_own_respondent_rows_and_every_aggregate(server, published):
    alice, bob = server.url("alice", "poet"), server.url("bob", "poet")
    for table in ("holder_responses", "carer_responses", "comments", "data_quality_issues"):
        own = _query(alice, f"SELECT org_code, respondent_id FROM marts.{table} ORDER BY 2")
        assert own == [("LA01", rid) for rid in RESPONDENTS["LA01"]], table
        everyone = _query(bob, f"SELECT count(*) FROM marts.{table}")[0][0]
        assert everyone == 5, table
    aggregates = _query(alice, "SELECT DISTINCT org_code FROM marts.org_benchmark ORDER BY 1")
    assert aggregates == [("LA01",), ("LA02",)]
    assert _query(alice, "SELECT count(*) FROM reference.codebook_holders")[0][0] == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _query(alice, "SELECT count(*) FROM quality.validation_results")


def test_no_view_or_function_bypasses_the_policy(server, published):
    alice = server.url("alice", "poet")
    with psycopg.connect(alice) as con:
        con.execute("CREATE TEMP VIEW everyone AS SELECT * FROM marts.holder_responses")
        assert con.execute("SELECT count(*) FROM everyone").fetchone()[0] == 3
        con.execute(
            "CREATE FUNCTION pg_temp.everyone() RETURNS bigint LANGUAGE sql SECURITY DEFINER "
            "AS 'SELECT count(*) FROM marts.holder_responses'"
        )
        assert con.execute("SELECT pg_temp.everyone()").fetchone()[0] == 3
    for statement in (
        "CREATE VIEW marts.everyone AS SELECT * FROM marts.holder_responses",
        "CREATE FUNCTION marts.everyone() RETURNS bigint LANGUAGE sql "
        "AS 'SELECT count(*) FROM marts.holder_responses'",
        "ALTER TABLE marts.holder_responses DISABLE ROW LEVEL SECURITY",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _query(alice, statement)
    # Nothing the loader made runs with its rights or reads past the policy.
    definers = _query(
        server.loader_url,
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
    )
    views = _query(
        server.loader_url,
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%s) "
        "AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)",
        [list(postgres.SCHEMAS)],
    )
    assert definers == [] and views == []


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_nobody_but_the_loader_writes(server, published, user):
    url = server.url(user, "poet")
    for statement in (
        "INSERT INTO marts.holder_responses VALUES (2014, 'LA01', 'X', 1)",
        "UPDATE marts.outcome_summary SET pct_positive = 0",
        "DELETE FROM marts.holder_responses",
        "TRUNCATE marts.trends",
        "CREATE TABLE marts.mine (x int)",
        "DROP TABLE reference.codebook_holders",
        "ALTER SCHEMA marts RENAME TO gone",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _query(url, statement)


def test_the_swap_is_atomic_for_a_concurrent_reader(server, published, tmp_path):
    """A reader querying two tables that change together sees them agree in every one of
    its statements, keeps reading while the new state loads, and sees old then new."""
    bob = server.url("bob", "poet")
    seen: list[tuple[float, int, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        with psycopg.connect(bob, autocommit=True) as con:
            while not stop.is_set():
                try:
                    a, b = con.execute(
                        "SELECT (SELECT count(*) FROM marts.trends), "
                        "(SELECT count(*) FROM marts.process_scale)"
                    ).fetchone()
                    seen.append((time.monotonic(), a, b))
                except psycopg.Error as exc:
                    errors.append(str(exc))

    loaded_at: list[float] = []
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for rows in (5, 7):
            working, file = tmp_path / f"w{rows}.duckdb", tmp_path / f"p{rows}" / "poet.duckdb"
            _working(working, rows)
            publish(working, file, f"run-{rows}", log=lambda _: None)
            publish_to_postgres(
                file,
                server.loader_url,
                log=lambda line: loaded_at.append(time.monotonic()) if "loaded" in line else None,
            )
            time.sleep(0.2)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert all(a == b for _, a, b in seen), {(a, b) for _, a, b in seen if a != b}
    order = [a for _, a, _ in seen]
    assert {3, 5, 7} <= set(order) and order == sorted(order)  # old, then new, never back
    during_load = [t for t, _, _ in seen if loaded_at[0] < t < loaded_at[-1]]
    assert during_load, "the reader kept reading while the new state was loading"
    # The policies and grants came with the new schemas.
    alice = server.url("alice", "poet")
    assert _query(alice, "SELECT count(*) FROM marts.holder_responses")[0][0] == 3
    leftovers = _query(
        server.loader_url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE '%\\_\\_%'"
    )
    assert leftovers == []


def test_grant_refuses_bad_names(server):
    with pytest.raises(ValueError):
        grant(server.loader_url, "x; drop", "LA01", None)
    with pytest.raises(ValueError):
        grant(server.loader_url, "carol", "LA01'--", None)
    with pytest.raises(ValueError):
        grant(server.loader_url, "poet_loader", None, None)


def test_an_unreachable_server_fails_in_one_line(published):
    with pytest.raises(postgres.PostgresPublishError, match="cannot connect to POET_POSTGRES_URL"):
        publish_to_postgres(published, "postgresql://nobody@127.0.0.1:1/poet", log=lambda _: None)


def test_the_publish_asset_loads_postgres_only_after_every_gate_passed(
    server, warehouse_path, published_path, monkeypatch
):
    from test_publish_dagster import _published_in, _run

    with psycopg.connect(server.url(), autocommit=True) as con:
        con.execute("CREATE DATABASE asset_test OWNER poet_loader")
    url = server.url("poet_loader", "asset_test")
    monkeypatch.setenv("POET_POSTGRES_URL", url)
    assert _published_in(_run(warehouse_path))
    assert _query(url, "SELECT count(*) FROM marts.outcome_summary")[0][0] == 3
    before = _query(url, "SELECT count(*) FROM quality.validation_results")[0][0]
    result = _run(warehouse_path, email_in_comment=True)  # the comments gate fails
    assert not result.success and not _published_in(result)
    assert _query(url, "SELECT count(*) FROM quality.validation_results")[0][0] == before
    assert _query(url, "SELECT count(*) FROM marts.comments WHERE comment_redacted LIKE '%@%'") == [
        (0,)
    ]


def test_poet_grant_on_the_command_line(server, published):
    import os
    import subprocess
    import sys

    poet = str(Path(sys.executable).parent / "poet")
    env = {**os.environ, "POET_POSTGRES_URL": server.loader_url, "POET_USER_PASSWORD": "s3cret"}
    run = subprocess.run(
        [poet, "grant", "--org", "la02", "--user", "carol"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "carol" in run.stdout and "LA02" in run.stdout
    carol = server.url("carol", "poet")
    assert {org for (org,) in _query(carol, "SELECT org_code FROM marts.holder_responses")} == {
        "LA02"
    }
    assert _query(
        server.url(), "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'carol'"
    ) == [(True,)]
    env.pop("POET_POSTGRES_URL")
    run = subprocess.run(
        [poet, "grant", "--national", "--user", "dave"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "POET_POSTGRES_URL" in run.stderr


def test_the_replaced_schemas_give_way_to_a_reader(server, published, monkeypatch):
    """A reader holding a replaced table does not fail the publish: dropping `*__prev`
    gives up within its lock timeout, leaves them for the next publish, and that publish
    drops them first (or stops in one line, before loading, while they are held)."""
    monkeypatch.setattr(postgres, "SWAP_ATTEMPTS", 2)
    _query(server.loader_url, "SELECT 1")  # the server is up
    with psycopg.connect(server.loader_url, autocommit=True) as setup:
        setup.execute("CREATE SCHEMA marts__prev")
        setup.execute("CREATE TABLE marts__prev.trends AS SELECT 1 AS wave")
    reader = psycopg.connect(server.loader_url)
    try:
        reader.execute("SELECT count(*) FROM marts__prev.trends").fetchone()  # holds its lock
        said: list[str] = []
        outcome: list[BaseException | None] = []

        def drop(required: bool) -> None:
            with psycopg.connect(server.loader_url) as conn:
                try:
                    postgres._drop_previous(conn, required=required, log=said.append)
                    outcome.append(None)
                except postgres.PostgresPublishError as exc:
                    outcome.append(exc)

        for required in (False, True):
            worker = threading.Thread(target=drop, args=(required,))
            worker.start()
            worker.join(timeout=30)
            assert not worker.is_alive(), "the DROP waited for the reader instead of giving way"
        assert outcome[0] is None and "the next publish drops them" in said[0]
        assert "held the replaced tables" in str(outcome[1]) and "\n" not in str(outcome[1])
        assert _query(server.loader_url, "SELECT to_regclass('marts__prev.trends')") != [(None,)]
    finally:
        reader.close()
    with psycopg.connect(server.loader_url) as conn:
        postgres._drop_previous(conn, required=True, log=said.append)
    assert _query(server.loader_url, "SELECT to_regclass('marts__prev.trends')") == [(None,)]
