"""The README's example queries for analysts, as the tests run them."""

from __future__ import annotations

import re

import duckdb

from dagster_project.settings import REPO_ROOT

MARKER = "<!-- analyst-queries"


def readme_queries() -> list[str]:
    """The statements of the first ```sql block after the analyst-queries marker."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", text[text.index(MARKER) :], re.S).group(1)
    statements = [s.strip() for s in block.split(";")]
    return [
        s for s in statements if s and not all(line.startswith("--") for line in s.splitlines())
    ]


def build_working(path: str, trend_rows: int = 3) -> None:
    """A working warehouse with every contract mart; the three the README queries hold
    rows that match them, with the label columns the marts carry."""
    import quality_fixtures as fx  # tests/quality, on the path of the publish tests

    with duckdb.connect(path) as con:
        fx.create_other_marts(
            con, skip=("outcome_summary", "org_benchmark", "odds_ratios", "trends")
        )
        fx.create_outcome_summary(con)
        fx.create_org_benchmark(con)
        fx.create_odds_ratios(con)
        con.execute(
            f"CREATE OR REPLACE TABLE marts.trends AS SELECT i AS wave FROM range({trend_rows}) t(i)"
        )
        con.execute(
            "UPDATE marts.org_benchmark SET outcome_id = 'independence', comparison = 'higher' WHERE NOT suppressed"
        )
        for table in ("outcome_summary", "org_benchmark", "odds_ratios"):
            con.execute(f"ALTER TABLE marts.{table} ADD COLUMN outcome_label VARCHAR")
            con.execute(f"UPDATE marts.{table} SET outcome_label = 'Label of ' || outcome_id")
        con.execute("ALTER TABLE marts.odds_ratios ADD COLUMN factor_label VARCHAR")
        con.execute("ALTER TABLE marts.odds_ratios ADD COLUMN report_table INTEGER")
        con.execute(
            "UPDATE marts.odds_ratios SET factor_label = 'Factor ' || factor_id, report_table = 1"
        )
