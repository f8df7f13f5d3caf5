"""The publish step's guards (issue 10, points 3, 7 and 8): pure logic on small files."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.publish import guards

LANDED = """CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE TABLE marts.landed_files (path VARCHAR, sha256 VARCHAR, wave INTEGER, org_code VARCHAR,
    survey VARCHAR, status VARCHAR, rows_used INTEGER)"""


def _warehouse(
    path: Path, files: list[tuple], organisations: list[str], registry: bool = True
) -> Path:
    """files: (org_code, survey, status, rows_used, sha)."""
    con = duckdb.connect(str(path))
    con.execute(LANDED)
    for org, survey, status, used, sha in files:
        con.execute(
            "INSERT INTO marts.landed_files VALUES (?, ?, 2014, ?, ?, ?, ?)",
            [f"2014/{org}/{survey}.csv", sha, org, survey, status, used],
        )
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        "CREATE OR REPLACE TABLE raw.organisations AS SELECT unnest(?::VARCHAR[]) AS org_code",
        [organisations],
    )
    if registry:
        con.execute(
            "CREATE OR REPLACE TABLE raw.file_registry AS SELECT path AS source_path, sha256 AS source_sha256, "
            "status FROM marts.landed_files"
        )
    con.close()
    return path


ALL = [(f"LA{i:02d}", "holders", "used", 200, f"s{i}") for i in range(1, 16)]


def test_cut_down_organisations_list_is_named_as_the_cause(tmp_path):
    published = _warehouse(tmp_path / "published.duckdb", ALL, [f[0] for f in ALL])
    cut = [f if f[0] == "LA01" else (f[0], f[1], "quarantined", 0, f[4]) for f in ALL]
    working = _warehouse(tmp_path / "working.duckdb", cut, ["LA01"])
    shrunk = guards.compare_with_published(published, working, 0.2)
    assert shrunk.any
    message = guards.shrink_refusal(shrunk)
    assert "\n" not in message
    assert message == (
        "publish stopped, the published warehouse was left unchanged: organisations.csv no longer lists "
        "14 organisations with used returns: LA02, LA03, LA04, LA05, LA06, LA07, LA08, LA09, LA10, LA11, "
        "and 4 more; used respondents of 2014 holders would fall from 3,000 to 200 (-93%, limit 20%); "
        "if this is intended, run 'poet run --accept-shrink' to publish it"
    )


def test_a_small_fall_within_the_share_passes(tmp_path):
    published = _warehouse(tmp_path / "published.duckdb", ALL, [f[0] for f in ALL])
    smaller = [(o, s, st, 170 if o == "LA01" else n, sha) for o, s, st, n, sha in ALL]
    working = _warehouse(tmp_path / "working.duckdb", smaller, [f[0] for f in ALL])
    assert not guards.compare_with_published(published, working, 0.2).any


def test_organisation_losing_its_returns_while_listed(tmp_path):
    published = _warehouse(tmp_path / "published.duckdb", ALL, [f[0] for f in ALL])
    quarantined = [
        (o, s, "quarantined" if o == "LA03" else st, 0 if o == "LA03" else n, sha)
        for o, s, st, n, sha in ALL
    ]
    working = _warehouse(tmp_path / "working.duckdb", quarantined, [f[0] for f in ALL])
    shrunk = guards.compare_with_published(published, working, 0.2)
    assert (
        shrunk.describe()
        == "1 organisations no longer have a used return (see marts.landed_files): LA03"
    )


def test_first_publish_has_nothing_to_compare(tmp_path):
    working = _warehouse(tmp_path / "working.duckdb", ALL, [f[0] for f in ALL])
    assert guards.compare_with_published(tmp_path / "absent.duckdb", working, 0.2) is None


def test_marts_built_before_the_latest_landing_are_stale(tmp_path):
    working = _warehouse(tmp_path / "working.duckdb", ALL, [f[0] for f in ALL])
    con = duckdb.connect(str(working))
    # Landing has since superseded LA02's file by a new version the marts never saw.
    con.execute(
        "UPDATE raw.file_registry SET status = 'superseded' WHERE source_path = '2014/LA02/holders.csv'"
    )
    con.execute("INSERT INTO raw.file_registry VALUES ('2014/LA02/holders.xlsx', 'new', 'used')")
    con.close()
    problem = guards.freshness_problem(working, "run-1", [])
    assert problem == (
        "publish refused, the published warehouse was left unchanged: the marts were built before the latest "
        "landing (files changed since: 2014/LA02/holders.csv, 2014/LA02/holders.xlsx); run the full "
        "refresh (poet run, or materialise every asset in the UI)"
    )


def test_publishing_without_gates_in_this_run_is_refused(tmp_path):
    working = _warehouse(tmp_path / "working.duckdb", ALL, [f[0] for f in ALL])
    con = duckdb.connect(str(working))
    con.execute("CREATE SCHEMA quality")
    con.execute(
        "CREATE TABLE quality.validation_results AS SELECT 'old-run' AS run_id, 'marts.trends' AS \"table\", "
        "true AS success, 'critical' AS severity"
    )
    con.close()
    problem = guards.freshness_problem(working, "this-run", ["marts.trends"])
    assert problem.startswith(
        "publish refused, the published warehouse was left unchanged: marts.trends were not built and gated in this run"
    )
    assert guards.freshness_problem(working, "old-run", ["marts.trends"]) is None


def test_output_paths_are_checked_first(tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    assert guards.output_path_problem(folder) == (
        f"POET_PUBLISHED {folder} is a folder: set it to a file path, e.g. {folder}/published.duckdb"
    )
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    assert guards.output_path_problem(a_file / "poet.duckdb") == (
        f"POET_PUBLISHED {a_file}/poet.duckdb cannot be created: {a_file} is a file, not a folder"
    )
    assert (
        guards.output_path_problem(tmp_path / "new" / "poet.duckdb", tmp_path / "w.duckdb") is None
    )
