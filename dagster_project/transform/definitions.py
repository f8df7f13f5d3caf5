"""Dagster objects of the transform stage, merged into the code location by ../definitions.py.

The shared resources must include `dbt` (`dagster_project.transform.project.dbt_resource()`)
and `warehouse` (the warehouse file, and DuckDB settings dbt's connection takes too).
"""

import dagster as dg

from dagster_project.transform.assets import DBT_ASSETS
from dagster_project.transform.project import dbt_resource, ensure_manifest

__all__ = ["defs", "dbt_resource", "ensure_manifest"]

defs = dg.Definitions(assets=DBT_ASSETS)
