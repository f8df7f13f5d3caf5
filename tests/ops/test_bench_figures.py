"""benchmarks/bench_refresh.py: the figures printed beside each timed refresh."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dagster_project.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from bench_refresh import CORES, Run, _step_kind, steal_seconds  # noqa: E402


def test_steal_is_read_from_the_eighth_number_of_the_cpu_line(tmp_path: Path):
    stat = tmp_path / "stat"
    # cpu user nice system idle iowait irq softirq steal guest guest_nice
    stat.write_text("cpu  400 10 30 700 2 0 1 250 0 0\ncpu0 200 5 15 350 1 0 0 125 0 0\n")
    assert steal_seconds(str(stat)) == pytest.approx(250 / os.sysconf("SC_CLK_TCK"))


@pytest.mark.parametrize(
    "content", ["", "cpu0 1 2 3 4 5 6 7 8 9\n", "cpu  1 2 3\n", "intr 1 2 3 4 5 6 7 8\n"]
)
def test_no_steal_figure_when_the_kernel_does_not_give_one(tmp_path: Path, content):
    stat = tmp_path / "stat"
    stat.write_text(content)
    assert steal_seconds(str(stat)) is None
    assert steal_seconds(str(tmp_path / "absent")) is None


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
