"""Marts statistics against independent Python calculations of analysis_plan.md section 2-3."""

from __future__ import annotations

import math
from collections import Counter

import pytest

Z95 = 1.959964
Z998 = 3.090232


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def outcome_codes(files, survey, wave, variable, org_code=None):
    codes = []
    for f in files:
        if (
            f.survey == survey
            and f.status == "used"
            and f.wave == wave
            and org_code in (None, f.org_code)
        ):
            codes += [int(r[variable]) for r in f.consenting if r.get(variable) not in (None, "8")]
    return codes


def test_outcome_summary_counts_and_wilson_interval(built_warehouse):
    rows = built_warehouse.records(
        "select * from marts.outcome_summary where wave = 2014 and survey = 'holders' "
        "and outcome_id = 'quality_of_life'"
    )
    assert len(rows) == 1
    row = rows[0]
    codes = outcome_codes(built_warehouse.files, "holders", 2014, "out_quality_of_life")
    n, k = len(codes), sum(c <= 2 for c in codes)
    assert (row["n_relevant"], row["n_positive"]) == (n, k)
    assert row["pct_positive"] == pytest.approx(100 * k / n)
    low, high = wilson(k, n)
    assert row["ci_low"] == pytest.approx(low, abs=1e-9)
    assert row["ci_high"] == pytest.approx(high, abs=1e-9)
    assert row["pct_negative"] == pytest.approx(100 * sum(c >= 4 for c in codes) / n)
    assert row["pct_no_difference"] == pytest.approx(100 * codes.count(3) / n)


def test_every_outcome_and_wave_in_summary_and_trends(built_warehouse):
    summary = built_warehouse.query(
        "select survey, wave, count(*) from marts.outcome_summary group by all"
    )
    assert sorted(summary) == [("carers", 2014, 8), ("holders", 2014, 15), ("holders", 2015, 15)]
    trends = built_warehouse.query(
        "select count(*) from marts.trends t join marts.outcome_summary s using (survey, outcome_id, wave) "
        "where t.pct_positive is not distinct from s.pct_positive"
    )
    assert trends[0][0] == 38


def test_org_benchmark_suppresses_small_bases(built_warehouse):
    rows = built_warehouse.records(
        "select * from marts.org_benchmark where wave = 2014 and survey = 'holders' and org_code = 'LA02'"
    )
    assert len(rows) == 15
    for row in rows:
        assert row["suppressed"] is True
        for column in (
            "n_relevant",
            "n_positive",
            "pct_positive",
            "ci_low",
            "ci_high",
            "comparison",
            "funnel_95_low",
            "funnel_95_high",
            "funnel_998_low",
            "funnel_998_high",
        ):
            assert row[column] is None, column
        assert row["national_pct"] is not None  # national figures are never suppressed


def test_org_benchmark_figures_and_funnel(built_warehouse):
    row = built_warehouse.records(
        "select * from marts.org_benchmark where wave = 2014 and survey = 'holders' "
        "and org_code = 'LA01' and outcome_id = 'dignity'"
    )[0]
    org = outcome_codes(built_warehouse.files, "holders", 2014, "out_dignity", "LA01")
    national = outcome_codes(built_warehouse.files, "holders", 2014, "out_dignity")
    n, k = len(org), sum(c <= 2 for c in org)
    assert n >= 10 and row["suppressed"] is False
    assert (row["n_relevant"], row["n_positive"], row["org_name"]) == (n, k, "Leeds City Council")
    p0 = sum(c <= 2 for c in national) / len(national)
    assert row["national_pct"] == pytest.approx(100 * p0)
    low, high = wilson(k, n)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    expected = "higher" if low > 100 * p0 else "lower" if high < 100 * p0 else "similar"
    assert row["comparison"] == expected
    for z, suffix in ((Z95, "95"), (Z998, "998")):
        half = z * math.sqrt(p0 * (1 - p0) / n)
        assert row[f"funnel_{suffix}_low"] == pytest.approx(max(0.0, 100 * (p0 - half)))
        assert row[f"funnel_{suffix}_high"] == pytest.approx(min(100.0, 100 * (p0 + half)))


def test_org_summary_shares_and_suppression(built_warehouse):
    rows = {
        (r["wave"], r["survey"], r["org_code"]): r
        for r in built_warehouse.records("select * from marts.org_summary")
    }
    la01 = next(
        f
        for f in built_warehouse.files
        if (f.wave, f.survey, f.org_code, f.status) == (2014, "holders", "LA01", "used")
    )
    row = rows[(2014, "holders", "LA01")]
    assert row["rows_landed"] == len(la01.rows)
    assert row["respondents_used"] == len(la01.consenting)
    views = [
        int(r["views_needs"]) for r in la01.consenting if r.get("views_needs") in ("1", "2", "3")
    ]
    assert row["views_included_needs_assessed_n"] == len(views)
    assert row["views_included_needs_assessed_pct"] == pytest.approx(
        100 * views.count(1) / len(views)
    )
    assert row["views_included_person_needs_n"] is None  # a carers' flag
    small = rows[(2014, "holders", "LA02")]
    assert small["suppressed"] is True and small["respondents_used"] == 6
    assert small["process_made_easy_n"] is None and small["process_made_easy_pct"] is None


def test_distribution_of_a_code_and_a_tick_item(built_warehouse):
    used = [
        f
        for f in built_warehouse.files
        if f.survey == "holders" and f.status == "used" and f.wave == 2014
    ]
    gender = Counter(
        int(r["gender"])
        for f in used
        for r in f.consenting
        if r.get("gender") is not None and r["gender"] in ("1", "2", "3", "9")
    )
    rows = {
        r["code"]: r
        for r in built_warehouse.records(
            "select * from marts.distributions where wave = 2014 and survey = 'holders' and variable = 'gender'"
        )
    }
    assert {c: r["n"] for c, r in rows.items()} == dict(gender)
    assert rows[9]["label"] == "Prefer not to say"
    assert rows[1]["pct"] == pytest.approx(100 * gender[1] / sum(gender.values()))

    # plan_help_nhs: absent from LA02; answered in LA01 when any plan_help item is ticked.
    items = [
        "plan_help_family",
        "plan_help_council",
        "plan_help_nhs",
        "plan_help_independent",
        "plan_help_provider",
        "plan_help_none",
    ]
    nhs = Counter()
    for f in used:
        if "plan_help_nhs" not in f.columns_present:
            continue
        for r in f.consenting:
            if any(r.get(i) == "1" for i in items):
                nhs[int(r.get("plan_help_nhs") or 0)] += 1
    rows = {
        r[0]: r[1]
        for r in built_warehouse.query(
            "select code, n from marts.distributions where wave = 2014 and survey = 'holders' "
            "and variable = 'plan_help_nhs'"
        )
    }
    assert rows == dict(nhs)


def test_comments_are_redacted_and_free_text_reaches_no_other_mart(built_warehouse):
    s1 = built_warehouse.query(
        "select comment_redacted from marts.comments where respondent_id = 'S1' and question = 'worked_well'"
    )
    assert s1 == [("[name] rang [phone], email [email], NHS [nhs_number], [postcode]",)]
    text_columns = built_warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'recoded', 'marts') and data_type = 'VARCHAR'"
    )
    for schema, table, column in text_columns:
        leaks = built_warehouse.query(
            f"select count(*) from {schema}.{table} where \"{column}\" like '%07700 900123%' "
            f"or \"{column}\" like '%Mrs Smith%'"
        )[0][0]
        assert leaks == 0, f"unredacted text in {schema}.{table}.{column}"
    comment_columns = {(s, t) for s, t, c in text_columns if c.startswith("comment")}
    assert {t for s, t in comment_columns if s == "marts"} == {"comments"}
