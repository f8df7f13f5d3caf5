"""`poet run` as a person uses it, on one small installation: a refresh after returns
change builds incrementally and publishes what a full refresh does; two refreshes at once,
nothing changed, and a killed run.

Issue 11, points 2-4 (docs/refresh.md, "One changed return"). Four small `poet run`s
build:

1. a first refresh (every layer rebuilt: no build recorded yet). While it holds the
   working warehouse a second `poet run` stops at once naming it, and a third (`--wait`)
   waits its turn and then finds nothing to do; run again, nothing changed is one line
   and no Dagster run;
2. after one return changes (a row removed, a cell changed), a held-back return arrives
   (a new slot), a return is removed from the folder (landing withdraws nothing) and a
   return is replaced by one landing quarantines (its slot's used version is superseded,
   so its rows must go): an incremental refresh;
3. after the changed return is re-sent as it was first (its old version is used again):
   an incremental refresh;
4. a full refresh (`poet run --force`) of the same landed data, on a copy of the working
   warehouse: every published table of 3 must equal its table, row for row.

Last, a `--force` run killed with SIGKILL leaves only a stale lock, which the next run
clears. No run leaves a failed step behind. (One story, so the suite pays for one first
refresh, not two.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.publish.compare import compare_published
from dagster_project.refresh_lock import read_holder
from dagster_project.settings import REPO_ROOT, isolated_environment
from dagster_project.transform.assets import DBT_ASSETS

POET = str(Path(sys.executable).parent / "poet")
pytestmark = pytest.mark.slow


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`poet run <args>`, to its end; what it printed, whatever its exit code."""
    return subprocess.run(
        [POET, "run", *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )


def _start(env: dict[str, str], *args: str) -> subprocess.Popen:
    """`poet run <args>` started in the background, its output piped."""
    return subprocess.Popen(
        [POET, "run", *args], env=env, cwd=REPO_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _poet_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    run = _run(env, *args)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    return run


def _latest_run_messages(env: dict[str, str]) -> list[tuple[str | None, str]]:
    """(step key, message) of every log line of the latest run."""
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        return [(e.step_key, e.user_message or "") for e in instance.all_logs(run_id)]


def _dbt_build_modes(env: dict[str, str]) -> dict[str, str]:
    """How each dbt step of the latest run built: 'incremental' or 'full refresh'."""
    return {
        step: message.rsplit("(", 1)[1].rstrip(")")
        for step, message in _latest_run_messages(env)
        if message.startswith("dbt build finished:")
    }


def _kept_tables(env: dict[str, str]) -> set[str]:
    """The tables the latest run's dbt steps kept as they were (`rebuilt: false`)."""
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        run_id = instance.get_run_records(limit=1)[0].dagster_run.run_id
        events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        kept = set()
        for event in events:
            materialization = event.dagster_event.event_specific_data.materialization
            rebuilt = materialization.metadata.get("rebuilt")
            if rebuilt is not None and rebuilt.value is False:
                kept.add(materialization.asset_key.to_user_string())
        return kept


def _gate_line(env: dict[str, str], table: str) -> str:
    """The latest run's log line of the passed gate of `table`."""
    (line,) = [m for _, m in _latest_run_messages(env) if m.startswith(f"{table}: all ")]
    return line


def _by_version_lines(env: dict[str, str]) -> list[str]:
    """The latest run's lines of the themes and publish steps saying what they rebuilt,
    updated by file version or copied whole (DECISIONS R33, R34)."""
    return [
        m
        for step, m in _latest_run_messages(env)
        if step in ("marts__comment_themes", "publish__analysts_warehouse")
        and ("file version" in m or m.startswith(("copied marts.", "Parquet written ahead")))
    ]


def _query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _rows_not_of_used_versions(published: Path) -> list[tuple]:
    """Respondent rows whose count per file version differs from the registry's rows_used
    of the used versions (rows of a superseded or quarantined version count as extra)."""
    return _query(
        published,
        """
        with published_rows as (
            select 'holders' as survey, wave, org_code, source_sha256 as sha256, count(*) as n
            from marts.holder_responses group by all
            union all
            select 'carers', wave, org_code, source_sha256, count(*)
            from marts.carer_responses group by all
        ),
        used as (
            select survey, wave, org_code, sha256, rows_used as n
            from marts.landed_files where status = 'used' and rows_used > 0
        )
        (select * from published_rows except all select * from used)
        union all
        (select * from used except all select * from published_rows)
        """,
    )


def _wait_for_holder(warehouse: Path, pid: int, process: subprocess.Popen, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = read_holder(warehouse)
        if holder is not None and holder.pid == pid:
            return holder
        assert process.poll() is None, "the run ended before it took the lock"
        time.sleep(0.2)
    pytest.fail("the run never took the lock")


def _run_count(env: dict[str, str]) -> int:
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        return len(instance.get_runs())


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _first_run_beside_two_more(env: dict[str, str]) -> dict[str, object]:
    """The first refresh; while it holds the working warehouse, `poet run` and `poet run
    --wait`; then `poet run` again with nothing changed."""
    first = _start(env)
    holder = _wait_for_holder(Path(env["POET_WAREHOUSE"]), first.pid, first)
    second = _run(env)
    waiting = _start(env, "--wait")
    first_out, first_err = first.communicate(timeout=1800)
    waiting_out, waiting_err = waiting.communicate(timeout=600)
    assert first.returncode == 0, (first_out + first_err)[-4000:]
    runs_before = _run_count(env)
    again = _run(env)
    return {
        "holder": holder,
        "first": (first.returncode, first_out, first_err),
        "second": second,
        "waiting": (waiting.returncode, waiting_out, waiting_err),
        "again": again,
        "again_runs": (runs_before, _run_count(env)),
    }


def _killed_then_next(env: dict[str, str]) -> dict[str, object]:
    """A `--force` run killed once it holds the working warehouse, then `poet run`."""
    forced = _start(env, "--force")
    killed = _wait_for_holder(Path(env["POET_WAREHOUSE"]), forced.pid, forced)
    os.kill(forced.pid, signal.SIGKILL)
    forced.communicate()
    return {"killed": killed, "after_kill": _run(env)}


def _only_file(folder: Path, survey: str) -> Path:
    (found,) = folder.glob(f"{survey}.*")
    return found


def _change_one_return(path: Path) -> None:
    """Remove the last respondent and change one answer of the first (a CSV return)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    column = header.index("general_health")
    first[column] = "5" if first[column] != "5" else "1"
    lines[1] = ",".join(first)
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")


def _quarantinable_copy(path: Path) -> None:
    """The same return with its second respondent_id repeated on the third row."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("respondent_id")
    third = lines[3].split(",")
    third[column] = lines[2].split(",")[column]
    lines[3] = ",".join(third)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def refreshes(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    env = isolated_environment(root)
    landing = Path(env["POET_LANDING_DIR"])
    subprocess.run(
        [POET, "synth", "--out", str(landing), "--holders", "600", "--carers", "300",
         "--orgs", "8", "--waves", "2013,2014", "--no-faults"],
        check=True, env=env, cwd=REPO_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    csv_holders = sorted(p.parent for p in landing.glob("2014/*/holders.csv"))
    changed, quarantined = csv_holders[0], csv_holders[1]
    orgs_2014 = sorted(p for p in (landing / "2014").iterdir() if p.is_dir())
    held_back = _only_file(orgs_2014[-1], "carers")
    removed = _only_file(sorted(p for p in (landing / "2013").iterdir() if p.is_dir())[0], "carers")
    aside = root / "aside"
    aside.mkdir()
    shutil.move(held_back, aside / held_back.name)

    concurrency = _first_run_beside_two_more(env)
    first_modes = _dbt_build_modes(env)
    first_kept = _kept_tables(env)
    original = (changed / "holders.csv").read_bytes()

    _change_one_return(changed / "holders.csv")
    shutil.move(aside / held_back.name, held_back)
    removed.unlink()
    _quarantinable_copy(quarantined / "holders.csv")
    second = _poet_run(env)
    second_modes = _dbt_build_modes(env)
    second_kept = _kept_tables(env)
    second_dbt_line = [
        line for line in second.stdout.splitlines() if "reference_and_staging" in line
    ]
    second_gate = _gate_line(env, "staging.stg_holders")
    second_by_version = _by_version_lines(env)
    second_mismatch = _rows_not_of_used_versions(root / "poet.duckdb")
    second_statuses = _query(
        root / "poet.duckdb",
        "select path, status from marts.landed_files order by path, status",
    )

    (changed / "holders.csv").write_bytes(original)
    # A reference table gone from the warehouse: the next build makes the whole reference
    # layer again instead of keeping it (DECISIONS R46).
    con = duckdb.connect(env["POET_WAREHOUSE"])
    con.execute("DROP TABLE reference.themes")
    con.close()
    third = _poet_run(env)
    third_modes = _dbt_build_modes(env)
    third_kept = _kept_tables(env)
    third_statistics = [
        m
        for _, m in _latest_run_messages(env)
        if m.startswith(("odds_ratios:", "regression_", "group_"))
    ]

    # The reference: the same landed data (a copy of the working warehouse, so the same
    # registry history) rebuilt from scratch.
    reference = tmp_path_factory.mktemp("reference")
    reference_env = isolated_environment(reference)
    shutil.copytree(landing, reference_env["POET_LANDING_DIR"])
    shutil.copy(env["POET_WAREHOUSE"], reference_env["POET_WAREHOUSE"])
    _poet_run(reference_env, "--force")
    # The published warehouse of run 3 is compared with the reference's by the tests: the
    # killed run never reaches the publish, and the next finds nothing changed.
    concurrency.update(_killed_then_next(env))
    return {
        "root": root,
        "env": env,
        "concurrency": concurrency,
        "reference": reference,
        "modes": (first_modes, second_modes, third_modes, _dbt_build_modes(reference_env)),
        "kept": (first_kept, second_kept, third_kept, _kept_tables(reference_env)),
        "second_dbt_line": second_dbt_line,
        "gates": (second_gate, _gate_line(reference_env, "staging.stg_holders")),
        "by_version": (second_by_version, _by_version_lines(reference_env)),
        "second_mismatch": second_mismatch,
        "second_statuses": second_statuses,
        "third": third,
        "third_statistics": third_statistics,
        # Slots as <wave>/<org_code>/<survey> (the path without its extension).
        "slots": {
            "changed": (changed / "holders").relative_to(landing).as_posix(),
            "quarantined": (quarantined / "holders").relative_to(landing).as_posix(),
            "held_back": held_back.with_suffix("").relative_to(landing).as_posix(),
            "removed": removed.with_suffix("").relative_to(landing).as_posix(),
        },
    }


def test_each_run_builds_as_expected(refreshes):
    first, second, third, forced = refreshes["modes"]
    steps = {"dbt_reference_and_staging", "dbt_recoded", "dbt_marts"}
    assert set(first) == set(second) == set(third) == set(forced) == steps
    assert set(first.values()) == {"full refresh"}  # a new warehouse
    assert set(second.values()) == {"incremental"}
    assert set(third.values()) == {"incremental"}
    assert set(forced.values()) == {"full refresh"}  # poet run --force


def test_an_incremental_build_keeps_the_reference_tables(refreshes):
    first, second, third, forced = refreshes["kept"]
    # Every seed and reference model, and nothing else; never in a full refresh, nor when
    # one of them is missing (the third run). The equality test below compares the
    # reference schema of the third run with the forced run's, table by table.
    reference = {
        key.to_user_string()
        for assets in DBT_ASSETS
        for key in assets.keys
        if key.path[0] == "reference"
    }
    assert len(reference) == 18 and second == reference
    assert first == third == forced == set()
    (line,) = refreshes["second_dbt_line"]
    assert "18 reference tables unchanged" in line, line


def test_gates_read_new_versions_row_by_row_unless_forced(refreshes):
    incremental, forced = refreshes["gates"]
    # The changed holders return is the one new staging version (R32); the quarantined
    # one never reaches staging.
    assert "row by row:" in incremental and " of 1 new version(s)" in incremental
    assert "0 version(s) passed before" in forced


def test_themes_and_publish_work_by_file_version_unless_forced(refreshes):
    incremental, forced = refreshes["by_version"]
    themes = [m for m in incremental if "file version(s) coded" in m]
    assert len(themes) == 1 and not themes[0].startswith("rebuilt whole")
    # The held-back carers return arrived; nothing left the carers' responses.
    assert any(
        m.startswith("updated marts.carer_responses by file version: 0 removed, 1 added")
        for m in incremental
    ), incremental
    assert any(m.startswith("updated marts.holder_responses by file version") for m in incremental)
    assert any(m.startswith("updated marts.comment_themes by file version") for m in incremental)
    # The respondent-level marts and the comment themes were written as Parquet while the
    # statistics ran (R35, R39).
    ahead = (
        "Parquet written ahead of the publish: "
        "carer_responses, comment_themes, comments, holder_responses"
    )
    assert ahead in incremental and ahead in forced
    # A forced refresh rebuilds the themes and writes every table whole.
    assert any(m.startswith("rebuilt whole (a full refresh was asked for") for m in forced)
    assert not any(m.startswith("updated marts.") for m in forced)
    assert any(m.startswith("copied marts.holder_responses") for m in forced)


def test_statistics_of_the_changed_wave_and_survey_only(refreshes):
    # The third run restored one 2014 holders return: the holders' 2014 odds ratios,
    # regressions and group tests are computed again, every other wave and survey kept
    # (DECISIONS R36).
    kept = "holders: computed [2014], kept [2013]; carers: computed none, kept [2013, 2014]"
    assert sorted(refreshes["third_statistics"]) == [
        "group_differences, group_figures: holders: computed [2014], kept [2013]",
        f"odds_ratios: {kept}",
        f"regression_models, regression_terms: {kept}",
    ]


def test_the_changes_reached_the_registry(refreshes):
    slots = refreshes["slots"]
    statuses = refreshes["second_statuses"]

    def of(slot: str) -> list[str]:
        return sorted(status for path, status in statuses if path.rsplit(".", 1)[0] == slot)

    # changed: the old version superseded, the new used; the quarantined slot has no used
    # version; the held-back return is used; the removed one is still used (landing
    # withdraws nothing when a file disappears from the folder).
    assert of(slots["changed"]) == ["superseded", "used"]
    assert of(slots["quarantined"]) == ["quarantined", "superseded"]
    assert of(slots["held_back"]) == ["used"]
    assert of(slots["removed"]) == ["used"]


def test_incremental_refresh_publishes_only_rows_of_used_versions(refreshes):
    assert refreshes["second_mismatch"] == []
    assert _rows_not_of_used_versions(refreshes["root"] / "poet.duckdb") == []


def test_incremental_refresh_equals_a_full_refresh_row_for_row(refreshes):
    published = refreshes["root"] / "poet.duckdb"
    reference = refreshes["reference"] / "poet.duckdb"
    tables = _query(
        published,
        "select count(*) from information_schema.tables where table_schema in ('marts', 'reference')",
    )[0][0]
    assert tables > 30
    assert compare_published(published, reference) == []


def test_each_published_parquet_file_holds_its_published_mart(refreshes):
    # Whether written by the publish, hard-linked from the last one (R34) or written
    # while the statistics ran (R35): the rows of the published table, no more, no fewer.
    published = refreshes["root"] / "poet.duckdb"
    folder = refreshes["root"] / "parquet"
    marts = [
        name
        for (name,) in _query(
            published,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    ]
    assert sorted(p.stem for p in folder.glob("*.parquet")) == sorted(marts)
    for name in marts:
        file = folder / f"{name}.parquet"
        differ = _query(
            published,
            f"select count(*) from ((select * from '{file}' except all select * from marts.{name}) "
            f"union all (select * from marts.{name} except all select * from '{file}'))",
        )
        assert differ == [(0,)], name


def test_the_compare_finds_a_difference(refreshes, tmp_path):
    """The comparison itself can fail: one changed cell of one mart is found."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(refreshes["reference"] / "poet.duckdb", copy)
    con = duckdb.connect(str(copy))
    con.execute(
        "update marts.holder_responses set org_type = 'changed' "
        "where rowid = (select min(rowid) from marts.holder_responses)"
    )
    con.close()
    assert compare_published(refreshes["root"] / "poet.duckdb", copy) == [
        "marts.holder_responses: 1 rows only in the first, 1 only in the second"
    ]


def test_a_layer_rebuilds_from_scratch_unless_its_last_build_had_this_code(tmp_path):
    """No record, other code, or --force: full refresh; the same code: incremental. A
    full refresh forgets the record first, so one that fails half-way is redone whole."""
    from dagster_project.transform import build_state

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert "no earlier build" in build_state.full_refresh_reason(con, "recoded", "A", False)
    build_state.remember(con, "recoded", "A")
    assert build_state.full_refresh_reason(con, "recoded", "A", False) is None
    assert "--force" in build_state.full_refresh_reason(con, "recoded", "A", True)
    assert "code" in build_state.full_refresh_reason(con, "recoded", "B", False)
    assert "no earlier build" in build_state.full_refresh_reason(con, "marts", "A", False)
    build_state.forget(con, "recoded")  # a full refresh with code B starts, then fails
    assert build_state.full_refresh_reason(con, "recoded", "A", False) is not None
    con.close()


def test_the_code_digest_follows_the_project_files(tmp_path):
    from dagster_project.transform import build_state

    model = tmp_path / "models" / "m.sql"
    model.parent.mkdir()
    model.write_text("select 1")
    paths = (tmp_path / "models",)
    warehouse = tmp_path / "w.duckdb"
    before = build_state.code_inputs(warehouse, paths, tmp_path)
    assert build_state.code_inputs(warehouse, paths, tmp_path) == before
    model.write_text("select 2")
    assert build_state.code_inputs(warehouse, paths, tmp_path) != before
    (tmp_path / "models" / "new.sql").write_text("select 3")
    assert build_state.code_inputs(warehouse, paths, tmp_path) not in (before,)


# Two refreshes at once, nothing changed, a killed run (issue 11, point 4; the first
# refresh of the story above).


@pytest.fixture(scope="module")
def story(refreshes):
    return {"root": refreshes["root"], "env": refreshes["env"], **refreshes["concurrency"]}


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
