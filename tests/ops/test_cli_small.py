"""Small promises of the `poet` command: summary without a warehouse, run's options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_project.cli import build_parser
from dagster_project.settings import REPO_ROOT, isolated_environment

POET = str(Path(sys.executable).parent / "poet")


def test_summary_without_a_published_warehouse_fails_with_one_line(tmp_path):
    env = isolated_environment(tmp_path)
    result = subprocess.run(
        [POET, "summary"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert (
        len(lines) == 1
        and "no published warehouse" in lines[0]
        and env["POET_PUBLISHED"] in lines[0]
    )
    assert result.stdout == ""


def test_run_options():
    parser = build_parser()
    args = parser.parse_args(["run", "--force", "--wait", "--verbose"])
    assert (args.force, args.wait, args.verbose) == (True, True, True)
    args = parser.parse_args(["run"])
    assert (args.force, args.wait, args.verbose) == (False, False, False)
    assert parser.parse_args(["ui", "--port", "3111"]).port == 3111


def test_held_warehouse_stops_poet_run_with_one_line(tmp_path):
    """A Dagster-launched run (here: any process holding the lock) stops `poet run` at once."""
    from dagster_project.refresh_lock import RefreshLock

    env = isolated_environment(tmp_path)
    Path(env["POET_LANDING_DIR"]).mkdir()
    lock = RefreshLock(Path(env["POET_WAREHOUSE"])).acquire(
        run_id="run-in-ui", command="dagster run"
    )
    try:
        result = subprocess.run(
            [POET, "run"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
        )
    finally:
        lock.release()
    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "run run-in-ui" in lines[0] and "dagster run" in lines[0] and "pid " in lines[0]


def _heavy_modules_after(statement: str, heavy: tuple[str, ...]) -> list[str]:
    """The modules of `heavy` a fresh interpreter has loaded after `statement`."""
    probe = f"import sys; {statement}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_the_parser_imports_no_heavy_library():
    """Every `poet` command builds the whole parser before it prints anything: the
    libraries of the reports, the pipeline and the statistics wait for the command that
    uses them (the report pack's alone cost 1.3 s of each `poet run`)."""
    heavy = ("altair", "vl_convert", "jinja2", "pandas", "duckdb", "dagster", "dbt")
    statement = "from dagster_project.cli import build_parser; build_parser()"
    assert _heavy_modules_after(statement, (*heavy, "great_expectations", "scipy")) == []


def test_the_no_change_answer_imports_no_pipeline_library():
    """`poet run` with nothing changed answers in a fraction of a second: the modules it
    imports for that answer leave Dagster, dbt and the statistics' libraries alone (the
    publish stage's package once imported Dagster: 0.9 s of every answer)."""
    statement = (
        "import dagster_project.publish.guards, dagster_project.fingerprint, "
        "dagster_project.refresh_lock"
    )
    heavy = ("altair", "pandas", "dagster", "dbt", "great_expectations", "scipy")
    assert _heavy_modules_after(statement, heavy) == []
