"""benchmarks/bench_refresh.py: the figures printed beside each timed refresh."""

from __future__ import annotations

import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

from dagster_project.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_refresh  # noqa: E402
from bench_refresh import (  # noqa: E402
    CORES,
    NationalRound,
    Run,
    _step_kind,
    round_order,
    rounds_summary,
    separate_copy,
    steal_seconds,
    turn_order,
)


def test_steal_is_the_cpu_times_steal_field(monkeypatch):
    times = namedtuple("scputimes", "user system idle steal")
    monkeypatch.setattr(bench_refresh.psutil, "cpu_times", lambda: times(400.0, 30.0, 700.0, 2.5))
    assert steal_seconds() == 2.5


def test_no_steal_figure_where_the_system_gives_none(monkeypatch):
    times = namedtuple("scputimes", "user system idle")
    monkeypatch.setattr(bench_refresh.psutil, "cpu_times", lambda: times(400.0, 30.0, 700.0))
    assert steal_seconds() is None


def test_a_run_names_what_the_host_took_only_when_known():
    run = Run(0, 60.0, 54.0, 0.4, 2**31, "", 0.5, (5.0, 4.0), None)
    assert "host" not in run.describe()
    run.steal_seconds = 12.34
    assert run.describe().endswith(
        "reference imports 5.0 s before, 4.0 s after; the host took 12.3 of its "
        f"{60 * CORES} core-seconds)"
    )


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        ("land_returns", "landing"),
        ("land_theme_codes", "landing"),
        ("marts__holder_responses_gate_marts_holder_responses", "quality gates (GE)"),
        ("marts__comment_themes_gate_marts_comment_themes", "quality gates (GE)"),
        ("dbt_marts", "dbt_marts"),
        ("reports__pack", "report pack"),
        ("marts__comment_themes", "comment themes"),
        ("marts__theme_shares", "comment themes"),
        ("regressions", "statistics"),
        ("marts__odds_ratios", "statistics"),
        ("publish__analysts_warehouse", "publish"),
    ],
)
def test_steps_are_grouped_by_the_kind_of_work(step, kind):
    assert _step_kind(step) == kind


def test_another_version_alternates_with_this_one_in_turn():
    assert turn_order(3, alternate=True) == ["this", "other", "other", "this", "this", "other"]
    assert turn_order(1, alternate=True) == ["this", "other"]


def test_without_another_version_only_this_one_runs():
    assert turn_order(3, alternate=False) == ["this", "this", "this"]


# A run that leaves a process behind, as `poet run` leaves its worker server: the
# process forks a child that works 1 CPU second after its parent has ended.
_LEAVES_A_WORKER = """
import os, time
if os.fork() == 0:
    time.sleep(0.3)
    started = time.process_time()
    while time.process_time() - started < 1.0:
        pass
    os._exit(0)
time.sleep(0.2)
"""

_MEASURE = """
import os, subprocess, sys, time
import psutil
sys.path.insert(0, {benchmarks!r})
from bench_refresh import _reap_adopted, adopt_orphans, process_tree
if {adopt!r}:
    assert adopt_orphans()
before = os.times()
run = subprocess.Popen([sys.executable, "-c", {child!r}])
seen = set()
while run.poll() is None:
    seen.update(member.pid for member in process_tree(psutil.Process(run.pid)))
    time.sleep(0.02)
seen.discard(run.pid)
left = _reap_adopted(seen) if {adopt!r} else 0
after = os.times()
print(after.children_user - before.children_user + after.children_system - before.children_system, left)
"""


def _children_cpu(adopt: bool) -> tuple[float, int]:
    script = _MEASURE.format(
        benchmarks=str(REPO_ROOT / "benchmarks"), adopt=adopt, child=_LEAVES_A_WORKER
    )
    # In a process of its own: being a subreaper would change this test session.
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_the_cpu_of_a_process_a_run_leaves_behind_is_counted():
    cpu, left = _children_cpu(adopt=True)
    assert left == 0
    assert cpu >= 0.9


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_without_adopting_that_cpu_is_lost():
    # What the benchmark printed before the twenty-fourth pass.
    cpu, _left = _children_cpu(adopt=False)
    assert cpu < 0.5


def test_national_rounds_alternate_the_baseline_and_keep_the_changed_run_after_its_full_one():
    assert round_order(0, baseline=True) == ["before", "full", "changed"]
    assert round_order(1, baseline=True) == ["full", "changed", "before"]
    assert round_order(2, baseline=True) == ["before", "full", "changed"]
    assert round_order(5, baseline=False) == ["full", "changed"]


def _run(seconds: float, cpu: float) -> Run:
    return Run(0, seconds, cpu, 0.5, 2**32, "", 1.0)


def test_each_rounds_share_is_of_its_own_full_refresh_and_the_median_is_the_figure():
    rounds = [
        NationalRound(_run(100.0, 200.0), _run(25.0, 40.0), _run(110.0, 210.0)),
        NationalRound(_run(80.0, 150.0), _run(28.0, 45.0), _run(90.0, 160.0)),
        NationalRound(_run(120.0, 220.0), _run(30.0, 50.0), _run(100.0, 190.0)),
    ]
    assert [round(r.share, 1) for r in rounds] == [25.0, 35.0, 25.0]
    full, changed = rounds_summary(rounds)
    assert full.startswith("full refresh with the limit: median 100.0 s (200.0 CPU s) of 3 runs")
    assert "baseline's median 100.0 s (190.0 CPU s) of 3 runs (90.0-110.0 s)" in full
    assert "peak memory 4.00 GiB" in full
    # Shares 25, 35 and 25%: the median of the shares, not the median changed run over
    # the median full run (28.0 / 100.0).
    assert changed.startswith("refresh after one changed return: median 25.0% of its round's")
    assert "(25.0-35.0%, 3 rounds)" in changed
    assert "its CPU seconds: median 22.7% (20.0-30.0%)" in changed


def test_the_national_copy_never_is_or_leads_into_the_returns_given(tmp_path):
    source = tmp_path / "returns"
    (source / "2014").mkdir(parents=True)
    assert separate_copy(source, tmp_path / "bench" / "landing")
    assert not separate_copy(source, source)
    assert not separate_copy(source, source / "2014")
    assert not separate_copy(source / "2014", source)
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "landing").symlink_to(source)
    assert not separate_copy(source, tmp_path / "bench" / "landing")


def _checkout(folder: Path, *, with_package: bool) -> Path:
    """A stand-in for another version's checkout: its `poet` prints what it was asked."""
    folder.mkdir(parents=True)
    if with_package:
        package = folder / "dagster_project"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "cli.py").write_text(
            "import sys\n\n\ndef main():\n"
            "    print('the checkout ran', sys.argv[0], *sys.argv[1:])\n"
            "    return 0\n"
        )
    return folder


@pytest.fixture
def started_in_this_project(tmp_path, monkeypatch):
    """The benchmark started as the docs say, in this project's folder (whose own
    `dagster_project` a `python -c` there imports first); the timing's reference
    imports are left out."""
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setattr(bench_refresh, "reference_seconds", lambda: 0.0)
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "organisations.csv").write_text("organisation_code\n")
    return returns


def test_the_baseline_runs_the_checkouts_own_code(tmp_path, started_in_this_project):
    checkout = _checkout(tmp_path / "checkout", with_package=True)
    run = bench_refresh.baseline_run(checkout, started_in_this_project, tmp_path / "root")
    assert run.returncode == 0, run.output
    assert run.output.strip() == "the checkout ran poet run"
    assert (tmp_path / "root" / "landing" / "organisations.csv").exists()


def test_a_baseline_that_would_run_another_version_stops_with_one_line(
    tmp_path, started_in_this_project
):
    checkout = _checkout(tmp_path / "not-a-checkout", with_package=False)
    run = bench_refresh.baseline_run(checkout, started_in_this_project, tmp_path / "root")
    assert run.returncode == 1
    assert run.output.strip() == (
        f"the baseline imported {(REPO_ROOT / 'dagster_project').resolve()}, "
        f"not the checkout in {checkout.resolve()}"
    )
