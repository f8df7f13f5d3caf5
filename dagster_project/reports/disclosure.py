"""Disclosure control of the reports (analysis plan section 3).

The marts already suppress an organisation's figure on a base below the threshold; the
reports apply the same threshold to every percentage they draw, national ones included,
so that no chart, table, alt text or embedded data shows a figure on a small base.
"""

from __future__ import annotations

from functools import cache

import yaml

from dagster_project.settings import DBT_PROJECT_DIR

SUPPRESSED = "[c]"  # the GSS symbol for a confidential (suppressed) cell


@cache
def min_base() -> int:
    """The dbt project's `disclosure_min_base`: one threshold for marts and reports."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["disclosure_min_base"])


def shown(base: object) -> bool:
    """True when a figure on this base may be shown."""
    try:
        return base is not None and int(base) >= min_base()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
