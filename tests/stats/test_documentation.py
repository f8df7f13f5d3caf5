"""Every statistics table and column is documented for analysts (dbt docs)."""

from __future__ import annotations

import yaml

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.stats import tables, trends

DOCS = DBT_PROJECT_DIR / "models" / "statistics" / "_statistics.yml"
DECLARED = {
    "odds_ratios": tables.ODDS_RATIOS,
    "regression_models": tables.REGRESSION_MODELS,
    "regression_terms": tables.REGRESSION_TERMS,
    "group_differences": tables.GROUP_DIFFERENCES,
    "group_figures": tables.GROUP_FIGURES,
    "process_scale": tables.PROCESS_SCALE,
    "report_fidelity": tables.REPORT_FIDELITY,
    "trend_changes": trends.TREND_CHANGES,
    "org_trend_changes": trends.ORG_TREND_CHANGES,
}


def test_every_statistics_column_is_described():
    source = yaml.safe_load(DOCS.read_text())["sources"][0]
    documented = {
        table["name"]: {c["name"]: c.get("description", "") for c in table["columns"]}
        for table in source["tables"]
    }
    assert set(documented) == set(DECLARED)
    for name, columns in DECLARED.items():
        assert list(documented[name]) == list(columns), name
        assert all(text.strip() for text in documented[name].values()), name
