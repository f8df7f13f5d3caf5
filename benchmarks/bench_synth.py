"""Benchmark of `poet synth` at national-times-400 scale (not a test).

Runs `poet synth --holders 1000000 --carers 500000` into a temporary folder in a
subprocess and reports wall time, the child's peak resident memory and the target.

    /work/main/.venv/bin/python benchmarks/bench_synth.py [--holders N] [--carers N]
        [--waves 2013,2014] [--keep]

With several waves (each with its own targets and planted change, docs/synth.md) the
peak memory should stay that of one wave.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_PEAK_GIB = 2.0


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=1_000_000)
    parser.add_argument("--carers", type=int, default=500_000)
    parser.add_argument("--waves", default="2014", help="comma-separated waves (default 2014)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="poet_bench_synth_"))
    command = [
        sys.executable,
        "-m",
        "dagster_project.cli",
        "synth",
        "--out",
        str(out),
        "--holders",
        str(args.holders),
        "--carers",
        str(args.carers),
        "--waves",
        args.waves,
    ]
    print("running:", " ".join(command), flush=True)
    started = time.monotonic()
    child = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    watched = psutil.Process(child.pid)
    polled_peak = 0
    while child.poll() is None:
        try:
            polled_peak = max(polled_peak, _tree_rss(watched))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.monotonic() - started
    stderr = child.stderr.read() if child.stderr else ""
    # ru_maxrss of waited-for children, in KiB on Linux: the kernel's own peak
    peak = max(polled_peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    if child.returncode != 0:
        print(stderr[-2000:], file=sys.stderr)
        print(f"poet synth failed with exit status {child.returncode}")
        return 1
    peak_gib = peak / 2**30
    print(
        f"holders {args.holders:,}, carers {args.carers:,} a wave, waves {args.waves}: "
        f"{len(files)} files, "
        f"{size / 2**20:,.0f} MiB"
    )
    print(f"wall time: {wall:,.1f} s")
    print(
        f"peak memory (max RSS of the child): {peak_gib:.2f} GiB "
        f"(target < {TARGET_PEAK_GIB:.0f} GiB: {'met' if peak_gib < TARGET_PEAK_GIB else 'MISSED'})"
    )
    return 0 if peak_gib < TARGET_PEAK_GIB else 1


if __name__ == "__main__":
    sys.exit(main())
