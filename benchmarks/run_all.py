"""Run every benchmark in turn and print their figures (`make bench`).

Each benchmark is its own script (see its docstring for options and targets); they run
one after the other because DuckDB takes one writer and the machine has two cores.
Takes roughly 15-25 minutes on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "bench_synth.py",
    "bench_landing.py",
    "bench_stats.py",
    "bench_refresh.py",
    "bench_redaction.py",
)


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script)])
        print(f"=== {script}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
