"""benchmarks/bench_refresh.py: the figures printed beside each timed refresh."""

from __future__ import annotations

import sys
from collections import namedtuple

import pytest

from dagster_project.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_refresh  # noqa: E402
from bench_refresh import CORES, Run, _step_kind, steal_seconds, turn_order  # noqa: E402


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
