"""Where a refresh's cores go, over time: `poet run` on a folder, each of its processes'
CPU use sampled every half second (docs/refresh-passes.md, twenty-fourth pass).

The folder is a refresh's root as `isolated_environment` lays it out: its `landing/`
holds the returns, and the warehouses, Dagster's home and the reports go beside it.
Each line gives the cores in use over the last interval: all of the run's processes,
the `poet` process alone, and the busiest others (the worker server's workers). The
progress lines of `poet run` are printed with their time, and the CPU seconds at the end.

Usage: python benchmarks/refresh_timeline.py ROOT [--every 0.5] [-- poet run's options]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from bench_refresh import BIN, process_tree

from dagster_project.settings import isolated_environment


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _sample(root: psutil.Process, totals: dict[int, float]) -> dict[int, float]:
    """The CPU seconds each process of the tree used since it was last sampled."""
    used = {}
    for member in process_tree(root):
        try:
            now = _cpu(member)
        except psutil.Error:
            continue
        used[member.pid] = now - totals.get(member.pid, 0.0)
        totals[member.pid] = now
    return used


def _label(pid: int, poet: int) -> str:
    """What a process of the run is: the worker server (multiprocessing's forkserver,
    started by `poet`), one of its workers, or the start of its command line (empty for
    a process seen between its fork and its exec)."""
    try:
        process = psutil.Process(pid)
        command = " ".join(process.cmdline())
        parent = process.ppid()
    except psutil.Error:
        return "ended"
    if "multiprocessing.forkserver" in command:
        return "worker server" if parent == poet else "worker"
    return command[:40]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--every", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("options", nargs="*", help="options of `poet run`, after --")
    args = parser.parse_args()
    if not (args.root / "landing").is_dir():
        parser.error(f"{args.root / 'landing'} is not a folder of returns")
    start = time.perf_counter()
    run = subprocess.Popen(
        [str(BIN / "poet"), "run", *args.options],
        env=isolated_environment(args.root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    poet = psutil.Process(run.pid)
    totals: dict[int, float] = {}
    names: dict[int, str] = {}
    rows: list[tuple[float, dict[int, float]]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(args.every):
            used = _sample(poet, totals)
            for pid in used:
                if not names.get(pid):  # a process not yet exec'd is named again later
                    names[pid] = _label(pid, run.pid)
            rows.append((time.perf_counter() - start, used))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert run.stdout is not None
    for line in run.stdout:
        print(f"{time.perf_counter() - start:6.1f} s | {line.rstrip()}", flush=True)
    run.wait()
    done.set()
    sampler.join()
    print(f"{'at':>7}  {'all':>5}  {'poet':>5}  the busiest others (cores)")
    for at, used in rows:
        others = sorted(
            ((seconds, pid) for pid, seconds in used.items() if pid != run.pid), reverse=True
        )
        busiest = "; ".join(
            f"{pid} {names[pid]}: {seconds / args.every:.2f}"
            for seconds, pid in others[:2]
            if seconds > 0.05 * args.every
        )
        print(
            f"{at:6.1f}s  {sum(used.values()) / args.every:5.2f}  "
            f"{used.get(run.pid, 0.0) / args.every:5.2f}  {busiest}"
        )
    seconds = time.perf_counter() - start
    whole = sum(totals.values())
    print(
        f"poet run: rc {run.returncode}, {seconds:.1f} s; {whole:.1f} CPU s sampled, "
        f"{totals.get(run.pid, 0.0):.1f} in `poet` (a process's last {args.every} s and "
        "short-lived processes are not seen)"
    )
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
