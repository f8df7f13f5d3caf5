"""The stats tables carry the labels of the reference data beside their ids."""

from __future__ import annotations

import duckdb
import pandas as pd

from dagster_project.stats.labels import add_labels


def test_add_labels_keeps_rows_and_order_and_leaves_unknown_ids_unlabelled():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA reference")
    con.execute(
        "CREATE TABLE reference.outcomes AS SELECT * FROM (VALUES "
        "('holders', 'dignity', 'Dignity'), ('carers', 'dignity', 'Carer dignity')) "
        "t(survey, outcome_id, outcome_label)"
    )
    con.execute(
        "CREATE TABLE reference.factor_definitions AS SELECT * FROM (VALUES "
        "('holders', 'female', 'Female gender', 1)) t(survey, factor_id, factor_label, report_table)"
    )
    frame = pd.DataFrame(
        {
            "survey": ["carers", "holders", "holders"],
            "outcome_id": ["dignity", "dignity", "unknown"],
            "factor_id": ["female", "female", "female"],
            "odds_ratio": [1.5, 2.0, 3.0],
        }
    )
    out = add_labels(con, frame)
    assert list(out["odds_ratio"]) == [1.5, 2.0, 3.0]
    assert list(out["outcome_label"].fillna("-")) == ["Carer dignity", "Dignity", "-"]
    assert list(out["factor_label"].fillna("-")) == ["-", "Female gender", "Female gender"]
    assert list(out["report_table"].fillna(0)) == [0, 1, 1]


def test_every_stats_table_is_written_with_its_labels(materialized_warehouse):
    con = duckdb.connect(materialized_warehouse, read_only=True)
    try:
        checks = {
            "odds_ratios": "outcome_label = 'Outcome ' || outcome_id "
            "AND factor_label = 'Factor ' || factor_id AND report_table BETWEEN 1 AND 6",
            "regression_models": "outcome_label = 'Outcome ' || outcome_id",
            "regression_terms": "outcome_label = 'Outcome ' || outcome_id "
            "AND factor_label = 'Factor ' || factor_id",
            "group_differences": "variable_label = 'Variable ' || variable",
            "group_figures": "variable_label = 'Variable ' || variable",
        }
        for table, condition in checks.items():
            total, labelled = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {condition}) FROM marts.{table}"
            ).fetchone()
            assert total > 0 and labelled == total, table
    finally:
        con.close()


def test_an_empty_frame_with_its_label_columns_keeps_one_of_each():
    """A table with no rows (e.g. every regression refused on a small set) is built with all
    of its columns: the labels replace them instead of coming back as _x/_y."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA reference")
    con.execute(
        "CREATE TABLE reference.outcomes AS SELECT * FROM (VALUES "
        "('holders', 'dignity', 'Dignity')) t(survey, outcome_id, outcome_label)"
    )
    frame = pd.DataFrame(columns=["survey", "outcome_id", "estimate", "outcome_label"])
    out = add_labels(con, frame)
    assert list(out.columns) == ["survey", "outcome_id", "estimate", "outcome_label"]
