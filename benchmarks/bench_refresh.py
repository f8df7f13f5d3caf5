"""Refresh benchmark (issue 11): the figures of its acceptance list, and the earlier ones.

Part 1, on the default `poet synth` set (about 4,000 respondents, 90 files):
  - full refresh from an empty warehouse: wall time (target < 25 s), CPU time of the
    process tree, where it went (Dagster's step statistics), time to the first line of
    output and to the run's start in Dagster (target < 5 s); with `--repeat N`, N full
    refreshes and their median;
  - `poet run` again with nothing changed (target: < 5 s with the no-change short-cut;
    without it, this prints the time of a whole re-run and says so);
  - with `--against CHECKOUT` (another version, e.g. `git worktree add /tmp/wt18
    1876920`, the eighteenth pass's last commit, whose code met the target on
    2026-12-02), that version's full refreshes of a copy of the same returns, alternated
    with this version's, and their median: the same code takes twice as long on some
    days as on others here, and only runs minutes apart tell the code's share from the
    machine's.

Part 2, at national scale (`--national DIR`, e.g. /work/shared_data/landing_1m, read
only: it is copied with hard links, and the one changed file is written as a new file):
  - full refresh from an empty warehouse with DuckDB capped at `--memory-limit` (2GB),
    its time (target: no slower than before issue 11) and peak memory (the largest total
    resident memory of all the run's processes, sampled). With `--baseline
    CHECKOUT` (a checkout of 0.1, `git worktree add /tmp/poet-0.1 ac90f67`), that
    version's `poet run` of the same folder runs too, in the checkout's folder and
    stopping unless it imported the checkout's code, and its time is the target: the
    114.5 s measured for 0.1 came from a machine of its day. 0.1 cannot land every
    folder this version's `poet synth` writes (its redaction misses some contact
    details the generator now plants, and its gate stops the run), so give both a folder
    0.1's own `poet synth` wrote;
  - a refresh after one council's holders return changed (its last respondent removed):
    its time and its share of the full refresh (target < 30%);
  - with `--repeat N`, N rounds of these runs, each from the returns as they were, the
    baseline's full refresh first in rounds 1, 3, ... and last in rounds 2, 4, ...; the
    figures are the medians: of the full refreshes of each version, and of the rounds'
    shares, each share being of its own round's full refresh (the machine's speed moves
    by half within minutes here, docs/refresh.md, and one pair of runs is one sample);
  - with `--equality`, a full refresh (`poet run --force`) of the same landed data (a
    copy of the working warehouse, after the last round) and a table-by-table,
    row-for-row comparison of both published warehouses (publish/compare.py).

Part 3 (`--resilience`, the benchmark of the quality-gates issue): a refresh while a
reader queries the published file, and a refresh killed with SIGKILL then run again.

Timings on a shared machine vary with its load: the load average is printed with each
figure, the CPU seconds of the process tree, which depend on it much less, and, on a
virtual machine, the CPU time its host gave to other machines while the run waited
("steal" in /proc/stat: the core-seconds the run could have had but did not). Each
timed run starts after `os.sync()`, so that the write-back of what the run before it
wrote (hundreds of megabytes after a full refresh at national scale) is not charged
to it.

Usage: python benchmarks/bench_refresh.py [--root DIR] [--repeat N] [--against CHECKOUT]
           [--skip-default]
           [--national DIR [--memory-limit 2GB] [--equality] [--baseline CHECKOUT]]
           [--resilience]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil

from dagster_project.publish.compare import compare_published
from dagster_project.settings import isolated_environment

BIN = Path(sys.executable).parent
CORES = os.cpu_count() or 1
BEFORE_1M_SECONDS = 114.5  # full refresh at 1M holders before issue 11 (docs/refresh-passes.md)


@dataclass
class Run:
    returncode: int
    seconds: float
    cpu_seconds: float
    first_line_seconds: float | None
    peak_rss_bytes: int
    output: str
    load: float
    reference: tuple[float, float] = (float("nan"), float("nan"))
    steal_seconds: float | None = None  # what the host took during the run (steal_seconds())

    def describe(self) -> str:
        first = (
            ""
            if self.first_line_seconds is None
            else f", first line at {self.first_line_seconds:.1f} s"
        )
        steal = (
            ""
            if self.steal_seconds is None
            else f"; the host took {self.steal_seconds:.1f} of its "
            f"{self.seconds * CORES:.0f} core-seconds"
        )
        return (
            f"{self.seconds:.1f} s wall ({self.cpu_seconds:.1f} CPU s{first}; "
            f"peak memory {self.peak_rss_bytes / 2**30:.2f} GiB; load average {self.load:.1f}; "
            f"reference imports {self.reference[0]:.1f} s before, {self.reference[1]:.1f} s after"
            f"{steal})"
        )


def steal_seconds() -> float | None:
    """Seconds of CPU time, summed over the cores, that the hypervisor has given to other
    virtual machines while this one had work to run ("steal" in /proc/stat), counted
    since the machine started: the difference over a run is what the run could not use
    although it was ready to. None where the system does not say (not Linux)."""
    return getattr(psutil.cpu_times(), "steal", None)


def reference_seconds() -> float:
    """The time a new Python process takes to import Dagster and dagster-dbt: a fixed
    piece of the kind of work a refresh is made of (reading and running Python modules),
    taken before and after each timed run. This machine's speed changes by half within
    hours (docs/refresh.md): when this takes longer, so does the same refresh. 2.4-6.7 s
    on 2026-12-03, when the default set's refresh took 34-44 s (37-46 CPU s) against
    21-28 s (22-30 CPU s) in earlier sessions, whose import times were not recorded."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import dagster, dagster_dbt"], check=True)
    return time.perf_counter() - started


def process_tree(process: psutil.Process) -> list[psutil.Process]:
    """A process and its descendants; none once it has ended."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def _rss(members: list[psutil.Process]) -> int:
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


PR_SET_CHILD_SUBREAPER = 36  # prctl(2), Linux


def adopt_orphans() -> bool:
    """Make this process the one that inherits the processes a run leaves behind.

    `poet run` starts a worker server (multiprocessing's forkserver) that reaps the
    workers it forks and outlives the run by a moment; nothing waits for it, so without
    this its CPU seconds, and its workers', are missing from `os.times()`'s children:
    a third of a small refresh's (docs/refresh-passes.md, twenty-fourth pass). With it,
    such processes become this one's children when their parent ends, and
    `_reap_adopted` waits for them. False where the system has no such setting (then the
    CPU figure is the run's process and the children it waited for)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _reap_adopted(descendants: set[int], timeout: float = 60.0) -> int:
    """Wait for the processes of a run that outlived it and were given to this process
    (`adopt_orphans`), and reap them, so that their CPU seconds count in `os.times()`.
    Only processes seen in the run's tree are waited for (never another child of the
    benchmark, such as the reader of part 3). Returns how many still ran at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        adopted = [child.pid for child in psutil.Process().children() if child.pid in descendants]
        for pid in adopted:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
        if not adopted:
            return 0
        if time.monotonic() > deadline:
            return len(adopted)
        time.sleep(0.05)


def poet_run(
    env: dict[str, str], *args: str, command: list[str] | None = None, cwd: Path | None = None
) -> Run:
    """`poet run` as a user runs it: wall time, time to its first line of output, CPU
    seconds of the whole process tree and the peak of its total resident memory."""
    # The previous run's writes still in the page cache are written out first, so that
    # their write-back is not charged to this run.
    os.sync()
    reference_before = reference_seconds()
    load = os.getloadavg()[0]
    before = os.times()
    steal_before = steal_seconds()
    start = time.perf_counter()
    process = subprocess.Popen(
        [*(command or [str(BIN / "poet")]), "run", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watched = psutil.Process(process.pid)
    peak = [0]
    descendants: set[int] = set()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            members = process_tree(watched)
            descendants.update(member.pid for member in members)
            peak[0] = max(peak[0], _rss(members))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines: list[str] = []
    first_line = None
    assert process.stdout is not None
    for line in process.stdout:
        if first_line is None and line.strip():
            first_line = time.perf_counter() - start
        lines.append(line)
    process.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    descendants.discard(process.pid)
    still_running = _reap_adopted(descendants)
    if still_running:
        print(
            f"   ({still_running} processes of the run still ran a minute after it: "
            "their CPU seconds are not counted)"
        )
    after = os.times()
    steal_after = steal_seconds()
    stolen = None if steal_before is None or steal_after is None else steal_after - steal_before
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    reference = (reference_before, reference_seconds())
    return Run(
        process.returncode,
        seconds,
        cpu,
        first_line,
        peak[0],
        "".join(lines),
        load,
        reference,
        stolen,
    )


def _last_run_steps(dagster_home: Path) -> tuple[float | None, dict[str, float]]:
    """Seconds from the run's creation to its start, and seconds per kind of step."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    record = instance.get_run_records(limit=1)[0]
    created = record.create_timestamp.timestamp()
    started = record.start_time
    kinds: dict[str, float] = {}
    for stat in instance.get_run_step_stats(record.dagster_run.run_id):
        if stat.start_time is None or stat.end_time is None:
            continue
        kind = _step_kind(stat.step_key)
        kinds[kind] = kinds.get(kind, 0.0) + (stat.end_time - stat.start_time)
    return (started - created if started else None), kinds


def _step_kind(step_key: str) -> str:
    if "_gate_" in step_key:
        return "quality gates (GE)"
    if step_key.startswith("dbt_"):
        return step_key
    if step_key.startswith("land_"):
        return "landing"
    if step_key.startswith("publish"):
        return "publish"
    if step_key.startswith("reports__"):
        return "report pack"
    if "theme" in step_key:
        return "comment themes"
    return "statistics"


def _print_steps(kinds: dict[str, float]) -> None:
    total = sum(kinds.values())
    for kind, seconds in sorted(kinds.items(), key=lambda item: -item[1]):
        print(f"     {kind:28s} {seconds:7.1f} s")
    print(f"     {'all steps':28s} {total:7.1f} s")


def _synth(landing: Path, env: dict[str, str], *extra: str) -> None:
    if landing.exists():
        return
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "poet"), "synth", "--out", str(landing), *extra],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"   (synth: {time.perf_counter() - start:.1f} s)")


def _fail(run: Run, what: str) -> int:
    print(f"   {what} failed (exit {run.returncode}); its last output:\n{run.output[-3000:]}")
    return 1


# What an installation keeps besides its warehouses: the returns and Dagster's run history.
_NOT_WAREHOUSE = frozenset({"landing", "dagster_home"})


def _empty_warehouse(root: Path) -> None:
    """Remove both warehouses and everything kept beside them (dbt's target folder, the
    chart cache, the hash record, the fingerprint, the Parquet files, the reports), so
    a full refresh reuses nothing an earlier one made."""
    for target in root.iterdir() if root.is_dir() else ():
        if target.name in _NOT_WAREHOUSE:
            continue
        # `reports` is a link to the pack's folder: the link is removed, not followed.
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


def _median(runs: list[Run]) -> str:
    """The median wall and CPU seconds of several runs, and their range."""
    seconds = statistics.median(r.seconds for r in runs)
    cpu = statistics.median(r.cpu_seconds for r in runs)
    return (
        f"median {seconds:.1f} s ({cpu:.1f} CPU s) of {len(runs)} run{'s' if len(runs) > 1 else ''} "
        f"({min(r.seconds for r in runs):.1f}-{max(r.seconds for r in runs):.1f} s)"
    )


def in_turn(index: int, first: list[str], second: list[str]) -> list[str]:
    """Round `index` (0-based) of two versions' runs alternated: `first` leads in rounds
    1, 3, ... and follows in rounds 2, 4, ..., so that neither is favoured by a machine
    that slows down or speeds up during the benchmark."""
    return first + second if index % 2 == 0 else second + first


def turn_order(repeat: int, alternate: bool) -> list[str]:
    """Whose full refresh comes next: this version's ("this") `repeat` times, or, when
    alternating with another version ("other"), rounds of both in turn, this version
    first in odd rounds."""
    if not alternate:
        return ["this"] * repeat
    return [which for index in range(repeat) for which in in_turn(index, ["this"], ["other"])]


def default_set(root: Path, repeat: int = 1, against: Path | None = None) -> int:
    print("1. Default set (poet synth: about 4,000 respondents, 90 files)")
    env = isolated_environment(root)
    _synth(root / "landing", env)

    def this_run() -> Run:
        _empty_warehouse(root)
        return poet_run(env)

    runners = {"this": this_run}
    labels = {"this": "full refresh from an empty warehouse", "other": f"full refresh by {against}"}
    if against is not None:
        other = _Checkout(against, root.with_name(root.name + "-against"), root / "landing")
        runners["other"] = other.run
        warm = other.run()  # its dbt project's partial-parse state, as this version's
        if warm.returncode:
            return _fail(warm, labels["other"])
        print(f"   {against}, first run (not counted): {warm.describe()}")
    done: dict[str, list[Run]] = {"this": [], "other": []}
    several = repeat > 1 or against is not None
    for which in turn_order(repeat, alternate=against is not None):
        run = runners[which]()
        if run.returncode:
            return _fail(run, labels[which])
        done[which].append(run)
        if several:
            print(f"   {labels[which]}, run {len(done[which])}: {run.describe()}")
    runs = done["this"]
    if done["other"]:
        print(f"   {labels['other']}: {_median(done['other'])}, alternated with this version's")
    if several:
        # This machine's speed changes by a third within minutes (docs/refresh.md): the
        # median of several runs says more than one.
        print(f"   {labels['this']}: {_median(runs)}  (target < 25 s)")
    else:
        print(f"   {labels['this']}: {runs[0].describe()}  (target < 25 s)")
    to_start, kinds = _last_run_steps(root / "dagster_home")
    print(
        f"   time to the first progress line: {runs[-1].first_line_seconds or float('nan'):.1f} s "
        f"(target < 5 s); Dagster run started {to_start or float('nan'):.1f} s after it was created"
    )
    _print_steps(kinds)

    again = poet_run(env)
    if again.returncode:
        return _fail(again, "no-change refresh")
    short_cut = "nothing changed" in again.output
    label = (
        "no-change refresh"
        if short_cut
        else "re-run with nothing changed (no short-cut in this build: a whole refresh)"
    )
    print(f"   {label}: {again.describe()}  (target < 5 s)")
    return 0


def _link_copy(source: Path, destination: Path) -> None:
    """A copy of a landing folder made of hard links (fast, no space); a file to change
    must be replaced, never written in place (see change_one_return)."""
    if destination.exists():
        return
    try:
        shutil.copytree(source, destination, copy_function=os.link)
    except OSError:  # another file system: a real copy
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(source, destination)


def change_one_return(landing: Path) -> Path:
    """One council's holders return changes: its last respondent is removed. The file is
    written anew (unlink first), so a hard-linked original is never touched."""
    council = sorted(p for p in landing.glob("*/*/holders.csv"))[0]
    content = council.read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n"
    council.unlink()
    council.write_bytes(content)
    return council


@dataclass
class _Checkout:
    """Another version of the project (a checkout) refreshing its own copy of a landing
    folder with this environment's libraries, each run from an empty warehouse."""

    checkout: Path
    root: Path
    landing: Path

    def run(self) -> Run:
        self.root.mkdir(parents=True, exist_ok=True)
        _link_copy(self.landing, self.root / "landing")
        _empty_warehouse(self.root)
        env = isolated_environment(self.root)
        env["PYTHONPATH"] = str(self.checkout.resolve())
        return poet_run(env, command=[sys.executable, "-c", BASELINE_MAIN], cwd=self.checkout)


def baseline_run(checkout: Path, source: Path, root: Path) -> Run:
    """`poet run` of another version of the project (a checkout, e.g. `git worktree add
    /tmp/poet-0.1 ac90f67`) on the same landing folder, with this environment's
    libraries: the same machine, minutes apart, so the comparison does not depend on how
    fast the machine is today."""
    shutil.rmtree(root, ignore_errors=True)
    return _Checkout(checkout, root, source).run()


# The checkout's own command line (its `entry_point` may differ from this version's),
# run in the checkout's folder: `python -c` puts the working folder first on sys.path,
# ahead of PYTHONPATH, so started from this project's folder it ran this version (until
# the twenty-eighth pass, docs/refresh-passes.md). It stops with one line unless the
# package it imports is the checkout's.
BASELINE_MAIN = """
import os, sys, dagster_project
package = os.path.realpath(os.path.dirname(dagster_project.__file__))
if package != os.path.join(os.path.realpath(os.getcwd()), "dagster_project"):
    sys.exit(f"the baseline imported {package}, not the checkout in {os.getcwd()}")
from dagster_project.cli import main
sys.argv[0] = "poet"
sys.exit(main())
"""


def separate_copy(source: Path, landing: Path) -> bool:
    """Whether `landing` can be the benchmark's own copy of `source`: each round
    removes it and changes a file in it, which must never reach the returns given."""
    if landing.is_symlink():
        return False
    landing, source = landing.resolve(), source.resolve()
    return landing != source and source not in landing.parents and landing not in source.parents


def round_order(index: int, baseline: bool) -> list[str]:
    """The runs of round `index` (0-based) at national scale: this version's full
    refresh ("full") and, right after it, the refresh after one changed return
    ("changed"), whose share is of that full refresh; with a baseline, its full refresh
    ("before") alternated with those two, first in odd rounds (`in_turn`)."""
    ours = ["full", "changed"]
    return in_turn(index, ["before"], ours) if baseline else ours


@dataclass
class NationalRound:
    full: Run
    changed: Run
    before: Run | None = None

    @property
    def share(self) -> float:
        return 100 * self.changed.seconds / self.full.seconds

    @property
    def cpu_share(self) -> float:
        return 100 * self.changed.cpu_seconds / self.full.cpu_seconds


def rounds_summary(rounds: list[NationalRound], baseline: str = "the baseline") -> list[str]:
    """The figures of the rounds: one round's own, or the medians of several (this
    version's and the baseline's full refreshes, and the rounds' shares, each share being
    of its own round's full refresh) with their ranges."""
    befores = [r.before for r in rounds if r.before is not None]
    day = f"{BEFORE_1M_SECONDS} s, 0.1 on the machine of its day"
    if len(rounds) == 1:
        (only,) = rounds
        target = f"{only.before.seconds:.1f} s, {baseline} on this machine now" if befores else day
        return [
            f"full refresh: {only.full.seconds:.1f} s (target: no slower than {target})",
            f"refresh after one changed return: {only.share:.1f}% of the full refresh "
            f"(target < 30%); its CPU seconds {only.cpu_share:.1f}% of the full refresh's",
        ]
    target = f"the baseline's {_median(befores)}, alternated" if befores else day
    shares = [r.share for r in rounds]
    cpu_shares = [r.cpu_share for r in rounds]
    peak = max(r.full.peak_rss_bytes for r in rounds) / 2**30
    return [
        f"full refresh with the limit: {_median([r.full for r in rounds])}, peak memory "
        f"{peak:.2f} GiB  (target: no slower than {target})",
        f"refresh after one changed return: median {statistics.median(shares):.1f}% of its "
        f"round's full refresh ({min(shares):.1f}-{max(shares):.1f}%, {len(rounds)} rounds)  "
        f"(target < 30%); its CPU seconds: median {statistics.median(cpu_shares):.1f}% "
        f"({min(cpu_shares):.1f}-{max(cpu_shares):.1f}%)",
    ]


def national(
    source: Path,
    root: Path,
    memory_limit: str,
    equality: bool,
    baseline: Path | None = None,
    repeat: int = 1,
) -> int:
    print(f"2. National scale ({source}), DuckDB memory_limit {memory_limit}")
    if not separate_copy(source, root / "landing"):
        print(f"   {root / 'landing'} is or leads into {source}: give another --root")
        return 1
    env = isolated_environment(root)
    env["POET_DUCKDB_MEMORY_LIMIT"] = memory_limit
    rounds: list[NationalRound] = []
    for index in range(repeat):
        label = f"round {index + 1} of {repeat}: " if repeat > 1 else ""
        # Each round starts from the returns as they were (the changed file put back).
        shutil.rmtree(root / "landing", ignore_errors=True)
        _link_copy(source, root / "landing")
        runs: dict[str, Run] = {}
        for which in round_order(index, baseline is not None):
            if which == "before":
                run = baseline_run(baseline, source, root.with_name(root.name + "-baseline"))
                if run.returncode:
                    return _fail(run, f"full refresh by {baseline}")
                print(f"   {label}full refresh by {baseline} (no memory limit): {run.describe()}")
            elif which == "full":
                _empty_warehouse(root)
                run = poet_run(env)
                if run.returncode:
                    return _fail(run, "full refresh")
                print(
                    f"   {label}full refresh from an empty warehouse with a {memory_limit} "
                    f"limit: {run.describe()}"
                )
                steps_full = _last_run_steps(root / "dagster_home")[1]
            else:
                changed_file = change_one_return(root / "landing")
                run = poet_run(env)
                if run.returncode:
                    return _fail(run, "refresh after one changed return")
                share = NationalRound(runs["full"], run).share
                print(
                    f"   {label}refresh after one changed return "
                    f"({changed_file.relative_to(root / 'landing')}): {run.describe()} = "
                    f"{share:.1f}% of the full refresh before it"
                )
                steps_changed = _last_run_steps(root / "dagster_home")[1]
            runs[which] = run
        rounds.append(NationalRound(runs["full"], runs["changed"], runs.get("before")))
    if repeat > 1:
        print(f"   the medians of {repeat} rounds:")
    for line in rounds_summary(rounds, str(baseline)):
        print(f"   {line}")
    last = "last round's " if repeat > 1 else ""
    print(f"   where the {last}full refresh's time went:")
    _print_steps(steps_full)
    print(f"   where the {last}refresh after one changed return's time went:")
    _print_steps(steps_changed)

    if equality:
        # The reference: the same landed data (a copy of the working warehouse, so the
        # same registry history: a superseded version stays listed in marts.landed_files)
        # rebuilt from scratch by `poet run --force`.
        fresh_root = root.with_name(root.name + "-full")
        shutil.rmtree(fresh_root, ignore_errors=True)
        fresh_env = isolated_environment(fresh_root)
        fresh_env["POET_DUCKDB_MEMORY_LIMIT"] = memory_limit
        _link_copy(root / "landing", fresh_root / "landing")
        shutil.copy(root / "warehouse.duckdb", fresh_root / "warehouse.duckdb")
        fresh = poet_run(fresh_env, "--force")
        if fresh.returncode:
            return _fail(fresh, "full refresh (--force) of the same landed data")
        print(f"   full refresh (--force) of the same landed data: {fresh.describe()}")
        problems = compare_published(root / "poet.duckdb", fresh_root / "poet.duckdb")
        verdict = "equal, table by table and row for row" if not problems else "; ".join(problems)
        print(f"   published after the change vs a full refresh of the same data: {verdict}")
        return 1 if problems else 0
    return 0


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


def _landed_versions(root: Path) -> int:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from raw.file_registry").fetchone()[0]
    finally:
        con.close()


def resilience(root: Path) -> int:
    """A refresh under read load, and one killed mid-way then run again (issue 9)."""
    print("3. Resilience (default set)")
    env = isolated_environment(root)
    _synth(root / "landing", env)
    if not (root / "poet.duckdb").exists() and poet_run(env).returncode:
        return 1
    change_one_return(root / "landing")
    stop, result = root / "reader.stop", root / "reader.out"
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(root / "poet.duckdb"), str(stop), str(result)]
    )
    run = poet_run(env)
    time.sleep(1)
    stop.touch()
    reader.wait(timeout=60)
    queries, errors, mixed, states = result.read_text().splitlines()[0].split()
    print(
        f"   refresh under read load: {run.seconds:.1f} s, rc={run.returncode}; reader ran {queries} "
        f"queries, {errors} errors, {mixed} mixed states, {states} distinct states seen"
    )
    before = _landed_versions(root)
    process = subprocess.Popen(
        [str(BIN / "poet"), "run", "--force"]
        if "--force" in _run_help()
        else [str(BIN / "poet"), "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(max(5.0, run.seconds / 2))
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    again = poet_run(env)
    print(
        f"   killed mid-way, rerun: rc={again.returncode} in {again.seconds:.1f} s; landed file "
        f"versions {before} -> {_landed_versions(root)}"
    )
    return 0 if again.returncode == 0 else 1


def _run_help() -> str:
    return subprocess.run(
        [str(BIN / "poet"), "run", "--help"], capture_output=True, text=True, check=False
    ).stdout


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, default=None, help="work folder (kept between runs)")
    parser.add_argument("--skip-default", action="store_true", help="skip part 1")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="part 1: full refreshes to run; part 2: rounds (the medians are the figures)",
    )
    parser.add_argument(
        "--national", type=Path, default=None, help="a national-scale landing folder"
    )
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit of part 2")
    parser.add_argument(
        "--equality", action="store_true", help="part 2: compare with a full refresh"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="part 2: a checkout of an earlier version (0.1: ac90f67) to run first on the "
        "same folder, as the full refresh's target",
    )
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="part 1: a checkout of another version whose full refreshes alternate with "
        "this version's on the same returns (the machine's speed against the code's)",
    )
    parser.add_argument("--resilience", action="store_true", help="part 3")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="poet-bench-refresh-"))
    root.mkdir(parents=True, exist_ok=True)
    counted = (
        "every process of a run, the worker server's included"
        if adopt_orphans()
        else "a run's process and the children it waited for"
    )
    print(f"work folder: {root}; {os.cpu_count()} cores; CPU seconds: {counted}")
    code = 0
    if not args.skip_default:
        code |= default_set(root / "default", max(1, args.repeat), args.against)
    if args.national:
        code |= national(
            args.national,
            root / "national",
            args.memory_limit,
            args.equality,
            args.baseline,
            max(1, args.repeat),
        )
    if args.resilience:
        code |= resilience(root / "resilience")
    return code


if __name__ == "__main__":
    sys.exit(main())
