"""Full-refresh benchmark at national scale (issue: quality gates and safe publish).

Prints, for a landing folder of ~1M holders and 0.5M carers:
  1. the wall time of `poet run` and the share of it spent in the quality gates
     (Dagster's step statistics of the run; target: gates add at most 25%);
  2. a second refresh while another process keeps querying the published file
     read-only: errors seen (target 0) and whether it ever saw a mixed state;
  3. a refresh killed with SIGKILL mid-way, then run again: the rerun succeeds, the
     published warehouse is complete and no landed file version is lost.

Usage: python benchmarks/bench_refresh.py [--holders 1000000 --carers 500000] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.settings import isolated_environment

BIN = Path(sys.executable).parent
READER = r"""
import sys, time, duckdb
path, stop_file, out = sys.argv[1], sys.argv[2], sys.argv[3]
queries = errors = mixed = 0
states = set()
last_error = ""
import os
while not os.path.exists(stop_file):
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            n_outcomes, total_relevant = con.execute(
                "select count(*), sum(n_relevant) from marts.outcome_summary"
            ).fetchone()
            # A complete state is internally consistent: the national figure of the
            # benchmark equals the summary of the same publish.
            bad = con.execute(
                "select count(*) from marts.org_benchmark b join marts.outcome_summary o "
                "using (wave, survey, outcome_id) where abs(b.national_pct - o.pct_positive) > 1e-9"
            ).fetchone()[0]
            mixed += int(bad > 0)
            states.add((n_outcomes, total_relevant))
            queries += 1
        finally:
            con.close()
    except Exception as exc:  # noqa: BLE001 - every failure of a reader counts
        errors += 1
        last_error = str(exc).splitlines()[0]
    time.sleep(0.05)
with open(out, "w") as handle:
    handle.write(f"{queries} {errors} {mixed} {len(states)}\n{last_error}\n")
"""


def _poet_run(env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    run = subprocess.run([str(BIN / "poet"), "run"], env=env, capture_output=True, text=True)
    return time.perf_counter() - start, run


def _gate_share(dagster_home: Path) -> tuple[float, float]:
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    run = instance.get_runs(limit=1)[0]
    gates = total = 0.0
    for stat in instance.get_run_step_stats(run.run_id):
        if stat.start_time is None or stat.end_time is None:
            continue
        duration = stat.end_time - stat.start_time
        total += duration
        if "_gate_" in stat.step_key:  # steps of the blocking GE checks, gate_<schema>_<table>
            gates += duration
    return gates, total


def _landed_versions(root: Path) -> int:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from raw.file_registry").fetchone()[0]
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=1_000_000)
    parser.add_argument("--carers", type=int, default=500_000)
    parser.add_argument("--root", type=Path, default=None, help="reuse a folder between runs")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="poet-bench-refresh-"))
    root.mkdir(parents=True, exist_ok=True)
    env = isolated_environment(root)

    landing = root / "landing"
    if not landing.exists():
        start = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "poet"),
                "synth",
                "--out",
                str(landing),
                "--holders",
                str(args.holders),
                "--carers",
                str(args.carers),
            ],
            env=env,
            check=True,
        )
        print(f"synth: {time.perf_counter() - start:.1f} s")

    seconds, run = _poet_run(env)
    if run.returncode != 0:
        print(run.stderr[-3000:])
        return 1
    gates, steps = _gate_share(root / "dagster_home")
    print(
        f"1. full refresh: {seconds:.1f} s wall; steps {steps:.1f} s of which quality gates "
        f"{gates:.1f} s = {100 * gates / max(steps - gates, 1e-9):.1f}% added to the rest "
        "(target <= 25%)"
    )

    # 2. a refresh with new content while a reader queries the published file
    # New content for one slot (its last respondent withdrawn), so the published
    # figures change and the reader can tell the old state from the new.
    first = sorted(landing.glob("*/*/holders.csv"))[0]
    first.write_bytes(first.read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n")
    stop = root / "reader.stop"
    result = root / "reader.out"
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(root / "poet.duckdb"), str(stop), str(result)]
    )
    seconds, run = _poet_run(env)
    time.sleep(1)
    stop.touch()
    reader.wait(timeout=60)
    queries, errors, mixed, states = result.read_text().splitlines()[0].split()
    print(
        f"2. refresh under read load: {seconds:.1f} s, rc={run.returncode}; reader ran {queries} "
        f"queries, {errors} errors, {mixed} mixed states, {states} distinct states seen"
    )
    if int(errors):
        print(f"   last reader error: {result.read_text().splitlines()[1]}")

    # 3. SIGKILL mid-way, then again
    before = _landed_versions(root)
    process = subprocess.Popen(
        [str(BIN / "poet"), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(max(5.0, seconds / 2))
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    seconds, run = _poet_run(env)
    after = _landed_versions(root)
    con = duckdb.connect(str(root / "poet.duckdb"), read_only=True)
    try:
        outcomes = con.execute("select count(*) from marts.outcome_summary").fetchone()[0]
    finally:
        con.close()
    print(
        f"3. killed mid-way, rerun: rc={run.returncode} in {seconds:.1f} s; landed file versions "
        f"{before} -> {after}; published outcome_summary rows {outcomes}"
    )
    return 0 if run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
