"""`poet run` end to end: synthetic returns in, a published warehouse with every mart out."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_text import NOT_NAME_LISTS, cells_holding

from dagster_project.settings import REPO_ROOT, isolated_environment

pytestmark = pytest.mark.slow

POET = str(Path(sys.executable).parent / "poet")
CONTRACT_MARTS = REPO_ROOT / "docs" / "contract" / "marts.md"


def _contract_tables() -> set[str]:
    """Every table named in the first column of the contract's table of marts."""
    names: set[str] = set()
    for line in CONTRACT_MARTS.read_text().splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`(\w+)`", line.split("|")[1]))
    return names


def _query(root: Path, sql: str) -> list[tuple]:
    """Rows of a query on the published (analysts') warehouse, opened read-only."""
    con = duckdb.connect(str(root / "poet.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def refreshed(default_refresh):
    """The suite's shared `poet run` of the default set (the 2014 survey's size,
    organisations and faults) plus one planted organisation: tests/conftest.py."""
    return default_refresh


def test_poet_run_succeeds_and_says_so(refreshed):
    _, _, run = refreshed
    assert run.returncode == 0, run.stderr[-4000:]
    assert "poet: refresh succeeded in " in run.stdout


def test_every_contract_mart_is_published(refreshed):
    root, _, _ = refreshed
    published = {
        name
        for (name,) in _query(
            root, "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    raw = _query(root, "select count(*) from information_schema.tables where table_schema = 'raw'")
    expected = _contract_tables()
    assert len(expected) == 22  # the contract of docs/contract/marts.md
    assert expected <= published, sorted(expected - published)
    assert raw[0][0] == 0, "the raw layer (unredacted comments) must not reach the analysts' file"


def test_rows_reconcile_for_every_landed_file(refreshed):
    root, _, _ = refreshed
    unreconciled = _query(
        root,
        "select path from marts.landed_files where status = 'used' "
        "and rows <> rows_used + rows_without_consent",
    )
    statuses = dict(_query(root, "select status, count(*) from marts.landed_files group by status"))
    national = _query(
        root,
        """
        select count(*) from (
            select distinct b.wave, b.survey, b.outcome_id, b.national_pct, o.pct_positive
            from marts.org_benchmark b
            join marts.outcome_summary o using (wave, survey, outcome_id)
            where abs(b.national_pct - o.pct_positive) > 1e-9
        )
        """,
    )
    assert unreconciled == []
    assert statuses.get("used", 0) > 0 and statuses.get("quarantined", 0) > 0
    assert national[0][0] == 0


def test_run_appears_in_dagster_home(refreshed):
    import dagster as dg

    root, _, _ = refreshed
    instance = dg.DagsterInstance.from_config(str(root / "dagster_home"))
    runs = instance.get_runs()
    assert runs and runs[0].job_name == "full_refresh"
    assert runs[0].status == dg.DagsterRunStatus.SUCCESS


def test_every_gate_of_the_run_was_prepared_when_its_table_was_built(refreshed):
    """quality/prefetch.py: the run's hook sent each gated table's batches to the workers
    as the step that built it ended, and each gate used them."""
    import dagster as dg

    from dagster_project.quality.gated_tables import GATED_TABLES

    root, _, _ = refreshed
    instance = dg.DagsterInstance.from_config(str(root / "dagster_home"))
    run_id = instance.get_runs()[0].run_id
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000
    ).records
    gates = {
        record.event_log_entry.dagster_event.event_specific_data.asset_check_key.name: (
            record.event_log_entry.dagster_event.event_specific_data.metadata
        )
        for record in records
        if record.event_log_entry.dagster_event.event_specific_data.asset_check_key.name.startswith(
            "gate_"
        )
    }
    assert len(gates) == len(GATED_TABLES)
    assert all(metadata["prepared_ahead"].value for metadata in gates.values())


def test_unreadable_landing_folder_fails_with_one_line(tmp_path):
    env = isolated_environment(tmp_path)
    env["POET_LANDING_DIR"] = str(tmp_path / "does-not-exist")
    run = subprocess.run([POET, "run"], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode != 0
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "landing folder" in lines[0], run.stderr


def test_summary_reads_the_published_warehouse(refreshed):
    root, env, _ = refreshed
    summary = subprocess.run(
        [POET, "summary"], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    used = _query(root, "select count(*) from marts.holder_responses")[0][0]
    assert f"holders {used} respondents" in " ".join(summary.split())
    assert "Table 7:" in summary and "reported factors reproduced as reported" in summary
    assert "quarantined" in summary


def test_outcome_summary_reproduces_the_published_holder_outcomes(refreshed):
    root, _, _ = refreshed
    published = {
        row["category"]: float(row["value"])
        for row in csv.DictReader(
            (REPO_ROOT / "docs/contract/poet_2014/holder_marginals.csv").open(encoding="utf-8")
        )
        if row["section"] == "outcome_positive"
    }
    reproduced = dict(
        _query(
            root,
            "select outcome_id, pct_positive from marts.outcome_summary "
            "where wave = 2014 and survey = 'holders'",
        )
    )
    assert len(published) == 14
    off = {
        k: (v, reproduced.get(k))
        for k, v in published.items()
        if reproduced.get(k) is None or abs(reproduced[k] - v) > 3
    }
    assert not off, off


def test_no_organisation_figure_under_ten_is_visible(refreshed):
    root, _, _ = refreshed
    visible_small = _query(
        root,
        "select count(*) from marts.org_benchmark where "
        "(n_relevant is not null and n_relevant < 10) or "
        "(suppressed and (pct_positive is not null or n_positive is not null or ci_low is not null))",
    )[0][0]
    suppressed = _query(root, "select count(*) from marts.org_benchmark where suppressed")[0][0]
    assert visible_small == 0
    assert suppressed > 0, (
        "the default set has small organisations: some figures must be suppressed"
    )


def test_the_demo_codes_comments_lands_its_sample_and_publishes_the_theme_marts(refreshed):
    """Issue 12: comment_themes, theme_shares and theme_agreement with the contract's columns."""
    root, _, _ = refreshed
    contract = {
        "comment_themes": ["wave", "survey", "org_code", "respondent_id", "question", "theme_id", "rule"],
        "theme_shares": ["wave", "survey", "question", "theme_id", "label", "n_comments",
                         "n_with_theme", "pct", "ci_low", "ci_high"],
        "theme_agreement": ["survey", "theme_id", "n_compared", "precision", "recall", "f1", "kappa"],
    }  # fmt: skip
    for table, columns in contract.items():
        present = [r[0] for r in _query(root, f"describe marts.{table}")]
        assert set(columns) <= set(present), table
        assert _query(root, f"select count(*) from marts.{table}")[0][0] > 0, table
    # Every non-blank comment is counted, and every share reconciles with the coded rows.
    unreconciled = _query(
        root,
        """select s.survey, s.question, s.theme_id from marts.theme_shares s
           where n_comments <> (select count(*) from marts.comments c where c.wave = s.wave
                                and c.survey = s.survey and c.question = s.question)
              or n_with_theme <> (select count(*) from marts.comment_themes t where t.wave = s.wave
                                  and t.survey = s.survey and t.question = s.question
                                  and t.theme_id = s.theme_id)""",
    )
    assert unreconciled == []
    # The demo's hand-coded sample was landed and compared, for both surveys.
    compared = dict(
        _query(root, "select survey, min(n_compared) from marts.theme_agreement group by survey")
    )
    assert set(compared) == {"holders", "carers"} and min(compared.values()) >= 100


def test_no_planted_personal_detail_leaves_raw(refreshed):
    """Plan 3: synth plants a personal detail in every written form (synth/faults.py);
    after the refresh none is in any schema but raw of the working warehouse, nor in the
    published file."""
    from dagster_project.synth.faults import PLANTED_DETAILS

    root, env, run = refreshed
    assert run.returncode == 0, run.stderr[-4000:]
    warehouse = Path(env["POET_WAREHOUSE"])
    needles = [p.detail for p in PLANTED_DETAILS]

    def found(database: Path, where: str) -> list[tuple[str, str, str]]:
        return cells_holding(database, needles, f"{where} and {NOT_NAME_LISTS}")

    in_raw = {needle for *_, needle in found(warehouse, "table_schema = 'raw'")}
    absent = [p.form for p in PLANTED_DETAILS if p.detail not in in_raw]
    assert absent == [], f"the synth set lacks these forms, so the test proves nothing: {absent}"
    assert found(warehouse, "table_schema <> 'raw'") == []
    assert found(root / "poet.duckdb", "true") == []


LABELLED = [
    # (mart, id column, label column)
    ("outcome_summary", "outcome_id", "outcome_label"),
    ("trends", "outcome_id", "outcome_label"),
    ("org_benchmark", "outcome_id", "outcome_label"),
    ("odds_ratios", "outcome_id", "outcome_label"),
    ("odds_ratios", "factor_id", "factor_label"),
    ("regression_models", "outcome_id", "outcome_label"),
    ("regression_terms", "outcome_id", "outcome_label"),
    ("regression_terms", "factor_id", "factor_label"),
    ("distributions", "variable", "variable_label"),
    ("group_differences", "variable", "variable_label"),
    ("group_figures", "variable", "variable_label"),
]


def test_every_id_carries_one_label_in_every_mart(refreshed):
    root, _, _ = refreshed
    labels: dict[tuple[str, str, str], set[str]] = {}
    for mart, id_column, label_column in LABELLED:
        unlabelled = _query(
            root,
            f"select count(*) from marts.{mart} where {id_column} is not null and {label_column} is null",
        )[0][0]
        assert unlabelled == 0, f"{mart}.{label_column}"
        for survey, key, label in _query(
            root, f"select distinct survey, {id_column}, {label_column} from marts.{mart}"
        ):
            # A codebook variable and an analysis flag may share a name (plan_help_council:
            # the tick item and the factor): distributions label the former.
            space = "codebook" if mart == "distributions" else id_column
            labels.setdefault((space, survey, key), set()).add(label)
    assert {k: v for k, v in labels.items() if len(v) > 1} == {}
    quality_of_life = labels[("outcome_id", "holders", "quality_of_life")]
    assert quality_of_life == {"Your quality of life"}


def test_report_table_1_is_the_reports_table_1(refreshed):
    root, _, _ = refreshed
    seed = REPO_ROOT / "docs/contract/poet_2014/holder_bivariate_odds_ratios.csv"
    published = {
        (row["factor_id"], row["factor_label"])
        for row in csv.DictReader(seed.open(encoding="utf-8"))
        if row["table"] == "1"
    }
    reproduced = set(
        _query(
            root,
            "select distinct factor_id, factor_label from marts.odds_ratios "
            "where wave = 2014 and survey = 'holders' and report_table = 1",
        )
    )
    assert reproduced == published and len(published) == 7
    missing = _query(root, "select count(*) from marts.odds_ratios where report_table is null")
    assert missing == [(0,)]


def test_the_readme_queries_run_in_the_venvs_duckdb_cli(refreshed):
    root, _, _ = refreshed
    sys.path.insert(0, str(REPO_ROOT / "tests" / "publish"))
    from readme_queries import readme_queries

    cli = Path(sys.executable).with_name("duckdb")
    for query in readme_queries():
        run = subprocess.run(
            [str(cli), "-readonly", "-csv", str(root / "poet.duckdb"), "-c", query],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert len(run.stdout.splitlines()) > 1, query  # a header and rows
