"""Benchmark of the PostgreSQL publish at national scale (target: under 60 s).

Not a test. Starts a throwaway PostgreSQL server (initdb on a temporary folder, loopback,
a free port; fsync on, as a real server), then loads the analysts' schemas of a published
DuckDB file into it twice with `publish_to_postgres`: into an empty database, and again
over the first load (the swap of a real refresh) while a reader queries two marts in a
loop. Prints each publish's time (load and swap), the rows loaded, and the reader's
statements and slowest statement during the second publish.

The published file is that of a real refresh of the 1M-holder landing folder; build it
once (about 5-10 minutes on 2 cores):

    export POET_LANDING_DIR=/work/shared_data/landing_1m POET_DATA_DIR=$PWD/data/bench_1m
    export POET_WAREHOUSE=$POET_DATA_DIR/warehouse.duckdb POET_PUBLISHED=$POET_DATA_DIR/poet.duckdb
    export DAGSTER_HOME=$POET_DATA_DIR/dagster_home
    .venv/bin/poet run

    .venv/bin/python benchmarks/bench_postgres.py [--published data/bench_1m/poet.duckdb]
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from pathlib import Path

import duckdb
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "publish"))  # the throwaway server of the tests

from pg_server import start_server  # noqa: E402

from dagster_project.publish.postgres import publish_to_postgres  # noqa: E402


def _reader(url: str, stop: threading.Event, latencies: list[float], errors: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                con.execute(
                    "SELECT (SELECT count(*) FROM marts.outcome_summary), "
                    "(SELECT count(*) FROM marts.org_benchmark)"
                ).fetchone()
                latencies.append(time.perf_counter() - started)
            except psycopg.Error as exc:
                errors.append(str(exc).splitlines()[0])
            time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--published", type=Path, default=REPO / "data" / "bench_1m" / "poet.duckdb"
    )
    args = parser.parse_args()
    if not args.published.exists():
        print(
            f"no published file at {args.published}: build it first (see this script's docstring)"
        )
        return 2
    with duckdb.connect(str(args.published), read_only=True) as con:
        holders = con.execute("SELECT count(*) FROM marts.holder_responses").fetchone()[0]
        carers = con.execute("SELECT count(*) FROM marts.carer_responses").fetchone()[0]
    print(f"published file {args.published}: {holders:,} holders, {carers:,} carers")

    server = start_server(fsync=True)
    try:
        first = publish_to_postgres(args.published, server.loader_url, log=lambda _: None)
        total = first.seconds_load + first.seconds_swap
        rows = sum(first.tables.values())
        print(
            f"first publish (empty database): {total:.1f} s ({first.seconds_load:.1f} s load, "
            f"{1000 * first.seconds_swap:.0f} ms swap), {len(first.tables)} tables, {rows:,} rows"
        )
        with psycopg.connect(server.url(), autocommit=True) as con:
            con.execute("CREATE ROLE bench_reader LOGIN IN ROLE poet_analyst")
        stop, latencies, errors = threading.Event(), [], []
        reader = threading.Thread(
            target=_reader, args=(server.url("bench_reader", "poet"), stop, latencies, errors)
        )
        reader.start()
        try:
            again = publish_to_postgres(args.published, server.loader_url, log=lambda _: None)
        finally:
            stop.set()
            reader.join()
        total = again.seconds_load + again.seconds_swap
        print(
            f"second publish (over the first, reader running): {total:.1f} s "
            f"({again.seconds_load:.1f} s load, {1000 * again.seconds_swap:.0f} ms swap)"
        )
        print(
            f"reader: {len(latencies)} statements, {len(errors)} errors, slowest "
            f"{1000 * max(latencies, default=0):.0f} ms"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        print(f"peak memory of this process: {peak:.2f} GiB; target: each publish < 60 s")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
