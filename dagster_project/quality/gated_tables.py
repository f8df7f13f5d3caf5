"""Which warehouse tables are gated, and where each one's expectation suite lives.

One list drives the suite generator, the blocking asset checks and the publish step's
dependencies, so a table cannot be gated in one place and forgotten in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project.settings import EXPECTATIONS_DIR


@dataclass(frozen=True)
class GatedTable:
    schema: str
    table: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def asset_key(self) -> dg.AssetKey:
        # Asset keys are [layer, model] (docs/ARCHITECTURE.md); the layer is the schema.
        return dg.AssetKey([self.schema, self.table])

    @property
    def suite_name(self) -> str:
        return self.qualified

    @property
    def suite_path(self) -> Path:
        return EXPECTATIONS_DIR / f"{self.qualified}.json"


# Every marts table of docs/contract/marts.md: all of them reach analysts, so every one
# is scanned for contact details before it is published.
MARTS_TABLES = (
    "holder_responses", "carer_responses", "distributions", "outcome_summary",
    "odds_ratios", "regression_models", "regression_terms", "group_differences",
    "group_figures", "process_scale", "org_benchmark", "org_summary", "trends",
    "comments", "landed_files", "data_quality_issues", "report_fidelity",
    "trend_changes", "org_trend_changes",
    "comment_themes", "theme_shares", "theme_agreement",
    "organisations",
)  # fmt: skip

GATED_TABLES: tuple[GatedTable, ...] = (
    GatedTable("raw", "holders"),
    GatedTable("raw", "carers"),
    GatedTable("staging", "stg_holders"),
    GatedTable("staging", "stg_carers"),
    GatedTable("recoded", "rec_holders"),
    GatedTable("recoded", "rec_carers"),
    *(GatedTable("marts", name) for name in MARTS_TABLES),
)


def gated_table(qualified: str) -> GatedTable:
    for gated in GATED_TABLES:
        if gated.qualified == qualified:
            return gated
    raise KeyError(
        f"{qualified} is not a gated table; gated: {[g.qualified for g in GATED_TABLES]}"
    )
