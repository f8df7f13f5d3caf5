"""Two refreshes at once, nothing changed, and a killed run: `poet run` as a person uses it.

One full refresh (A) is built; while it holds the working warehouse a second `poet run`
stops at once naming it, and a third (`--wait`) waits its turn and then finds nothing to
do. A `--force` run killed with SIGKILL leaves only a stale lock, which the next run
clears. No run leaves a failed step behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.refresh_lock import read_holder
from dagster_project.settings import REPO_ROOT, isolated_environment

POET = str(Path(sys.executable).parent / "poet")
pytestmark = pytest.mark.slow


def _wait_for_holder(warehouse: Path, pid: int, process: subprocess.Popen, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = read_holder(warehouse)
        if holder is not None and holder.pid == pid:
            return holder
        assert process.poll() is None, "the first run ended before it took the lock"
        time.sleep(0.2)
    pytest.fail("the first run never took the lock")


def _run_count(root: Path) -> int:
    with dg.DagsterInstance.from_config(str(root / "dagster_home")) as instance:
        return len(instance.get_runs())


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    root = tmp_path_factory.mktemp("concurrency")
    env = isolated_environment(root)
    warehouse = Path(env["POET_WAREHOUSE"])
    subprocess.run(
        [POET, "synth", "--out", env["POET_LANDING_DIR"], "--holders", "600", "--carers", "300"],
        check=True,
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
    )
    popen = dict(env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run = dict(env=env, cwd=REPO_ROOT, capture_output=True, text=True)

    first = subprocess.Popen([POET, "run"], **popen)
    holder = _wait_for_holder(warehouse, first.pid, first)
    second = subprocess.run([POET, "run"], **run)
    waiting = subprocess.Popen([POET, "run", "--wait"], **popen)
    first_out, first_err = first.communicate(timeout=1800)
    waiting_out, waiting_err = waiting.communicate(timeout=600)

    runs_before = _run_count(root)
    again = subprocess.run([POET, "run"], **run)
    runs_after = _run_count(root)

    forced = subprocess.Popen([POET, "run", "--force"], **popen)
    killed = _wait_for_holder(warehouse, forced.pid, forced)
    os.kill(forced.pid, signal.SIGKILL)
    forced.wait()
    after_kill = subprocess.run([POET, "run"], **run)
    return {
        "root": root,
        "env": env,
        "holder": holder,
        "killed": killed,
        "first": (first.returncode, first_out, first_err),
        "second": second,
        "waiting": (waiting.returncode, waiting_out, waiting_err),
        "again": again,
        "again_runs": (runs_before, runs_after),
        "after_kill": after_kill,
    }


def test_first_run_succeeds_with_one_line_per_stage(story):
    code, out, err = story["first"]
    assert code == 0, err[-3000:]
    lines = _lines(out)
    assert any(line.strip().startswith("landing: ") and " files landed" in line for line in lines)
    assert sum(line.strip().startswith("dbt ") and "models built" in line for line in lines) >= 1
    assert any(line.strip().startswith("statistics: ") for line in lines)
    assert any(line.strip().startswith("quality gates: ") and " passed" in line for line in lines)
    assert any(line.strip().startswith("publish: ") and "poet.duckdb" in line for line in lines)
    assert "refresh succeeded" in lines[-1]
    # Quiet: no Dagster debug stream, no warnings, a screenful at most.
    assert len(lines) <= 20, out
    assert "DEBUG" not in out + err and "Warning" not in out + err, (out + err)[-3000:]


def test_second_run_stops_at_once_naming_the_holder(story):
    second, holder = story["second"], story["holder"]
    assert second.returncode == 3
    lines = _lines(second.stderr)
    assert len(lines) == 1, second.stderr
    assert f"run {holder.run_id}" in lines[0] and f"pid {holder.pid}" in lines[0]
    assert f"started {holder.started_at}" in lines[0]


def test_waiting_run_waits_its_turn_then_finds_nothing_changed(story):
    code, out, err = story["waiting"]
    assert code == 0, err
    holder = story["holder"]
    assert f"waiting for run {holder.run_id}" in out
    assert f"nothing changed since run {holder.run_id} at " in out


def test_nothing_changed_is_one_line_and_no_run(story):
    again, holder = story["again"], story["holder"]
    assert again.returncode == 0, again.stderr
    assert _lines(again.stdout) == [
        line
        for line in _lines(again.stdout)
        if line.startswith(f"nothing changed since run {holder.run_id} at ")
    ]
    assert len(_lines(again.stdout)) == 1 and not again.stderr.strip()
    # No Dagster run was started. (Its time, target < 5 s, is printed by
    # benchmarks/bench_refresh.py: timings do not belong in a test on a shared machine.)
    before, after = story["again_runs"]
    assert after == before


def test_killed_run_lock_is_cleared_by_the_next_run(story):
    after, killed = story["after_kill"], story["killed"]
    assert after.returncode == 0, after.stderr
    assert f"cleared the lock left by run {killed.run_id} (pid {killed.pid}" in after.stdout
    # The killed run had not published: the published warehouse is still current.
    assert "nothing changed since run" in after.stdout


def test_no_dagster_dbt_warning_in_the_run(story):
    """The singular dbt tests with several parents are asset checks, not warnings."""
    instance = dg.DagsterInstance.from_config(str(story["root"] / "dagster_home"))
    messages = [
        entry.user_message
        for entry in instance.all_logs(story["holder"].run_id)
        if entry.user_message
    ]
    assert messages, "the run's event log should hold its log messages"
    assert not [m for m in messages if "singular test with multiple dependencies" in m]
    assert not [m for m in messages if "deprecat" in m.lower()]


def test_the_run_shows_its_configuration(story):
    instance = dg.DagsterInstance.from_config(str(story["root"] / "dagster_home"))
    run_id = story["holder"].run_id
    run = instance.get_run_by_id(run_id)
    assert run.tags["poet/landing_dir"] == story["env"]["POET_LANDING_DIR"]
    assert run.tags["poet/published"] == story["env"]["POET_PUBLISHED"]
    messages = [entry.message or "" for entry in instance.all_logs(run_id)]
    assert any(
        m.startswith("settings: landing " + story["env"]["POET_LANDING_DIR"]) for m in messages
    )


def test_no_failed_step_and_the_killed_run_is_closed(story):
    instance = dg.DagsterInstance.from_config(str(story["root"] / "dagster_home"))
    runs = {run.run_id: run for run in instance.get_runs()}
    assert runs[story["holder"].run_id].status == dg.DagsterRunStatus.SUCCESS
    killed = runs.get(story["killed"].run_id)
    assert killed is None or killed.status == dg.DagsterRunStatus.FAILURE
    for run_id in runs:
        failures = instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.STEP_FAILURE
        ).records
        assert failures == [], run_id


def test_brief_summary_fits_in_make_demo(story):
    """`make demo` = synth progress + the stage lines + `poet summary --brief`: one screen."""
    summary = subprocess.run(
        [POET, "summary", "--brief"],
        env=story["env"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert summary.returncode == 0, summary.stderr
    lines = summary.stdout.splitlines()
    assert "Respondents used:" in lines and "Outcomes" not in summary.stdout
    assert len(lines) + len(_lines(story["first"][1])) <= 45
