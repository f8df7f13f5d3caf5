"""Time the whole report pack (index, national report, every local report, spreadsheet).

Targets (issue 15): the 2014-size wave (46 organisations) in under 15 s, the 1M-holder
national-scale set in under 60 s. The pack is built from aggregates only: the same
`build_pack` the refresh runs, on a published warehouse, into a temporary folder.

    python benchmarks/bench_reports.py [--warehouse data/poet.duckdb]
        [--warehouse-1m data/bench_1m/poet.duckdb] [--build-1m /work/shared_data/landing_1m]

Without a warehouse at the 2014 size, one is built first (`poet synth` + `poet run` in a
temporary folder). `--build-1m LANDING` refreshes a warehouse from that landing folder
(read only) into the folder of `--warehouse-1m` first; without it, a missing 1M
warehouse is reported as skipped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.reports.pack import build_pack
from dagster_project.settings import REPO_ROOT, isolated_environment

POET = str(Path(sys.executable).parent / "poet")
TARGETS = {"2014-size": 15.0, "1M-holder": 60.0}


def _refresh(root: Path, landing: Path | None = None) -> Path:
    env = isolated_environment(root)
    if landing is None:
        print(f"building a 2014-size warehouse in {root} (poet synth + poet run)", flush=True)
        subprocess.run([POET, "synth", "--out", env["POET_LANDING_DIR"]], env=env, check=True,
                       cwd=REPO_ROOT, capture_output=True)  # fmt: skip
    else:
        print(f"refreshing a warehouse from {landing} into {root}", flush=True)
        env["POET_LANDING_DIR"] = str(landing)
    started = time.perf_counter()
    subprocess.run([POET, "run"], env=env, check=True, cwd=REPO_ROOT, capture_output=True)
    print(f"  refresh took {time.perf_counter() - started:.0f} s", flush=True)
    return Path(env["POET_PUBLISHED"])


def time_pack(name: str, published: Path) -> tuple[float, int]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        respondents = con.execute(
            "SELECT (SELECT count(*) FROM marts.holder_responses), "
            "(SELECT count(*) FROM marts.carer_responses)"
        ).fetchone()
        with tempfile.TemporaryDirectory(prefix="poet-bench-reports-") as out:
            started = time.perf_counter()
            pack = build_pack(con, Path(out))
            seconds = time.perf_counter() - started
            size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    finally:
        con.close()
    verdict = "within" if seconds < TARGETS[name] else "OVER"
    cpu = pack.cpu_seconds
    # The three parts run at once, one per process; on an idle 2-core machine the pack
    # takes about the larger of (local) and (national + workbook), or half their sum.
    idle = max(cpu["local"], cpu["national"], cpu["workbook"], sum(cpu.values()) / 2)
    print(
        f"{name}: {pack.organisations} organisations, {respondents[0]:,} holders and "
        f"{respondents[1]:,} carers in the warehouse, wave {pack.wave}: pack in {seconds:.1f} s "
        f"wall; CPU: local reports {cpu['local']:.1f} s, national report {cpu['national']:.1f} s, "
        f"spreadsheet {cpu['workbook']:.1f} s (about {idle:.1f} s on an idle 2-core machine); "
        f"{pack.files} files, {size / 1e6:.1f} MB; target < {TARGETS[name]:.0f} s: {verdict}",
        flush=True,
    )
    return seconds, pack.organisations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO_ROOT / "data" / "poet.duckdb")
    parser.add_argument(
        "--warehouse-1m", type=Path, default=REPO_ROOT / "data" / "bench_1m" / "poet.duckdb"
    )
    parser.add_argument("--build-1m", type=Path, help="landing folder of the 1M-holder set")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores", flush=True)

    with tempfile.TemporaryDirectory(prefix="poet-bench-2014-") as tmp:
        published = args.warehouse
        if not published.exists():
            published = _refresh(Path(tmp))
        time_pack("2014-size", published)

    if args.build_1m:
        built = _refresh(args.warehouse_1m.parent, args.build_1m)
        if built != args.warehouse_1m.resolve():
            print(f"note: built {built}", flush=True)
    if args.warehouse_1m.exists():
        time_pack("1M-holder", args.warehouse_1m)
    else:
        print(f"1M-holder: skipped (no warehouse at {args.warehouse_1m}; see --build-1m)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
