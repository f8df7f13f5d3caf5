"""Dagster objects of the reports stage, merged into the code location by ../definitions.py."""

import dagster as dg

from dagster_project.reports.assets import report_pack

defs = dg.Definitions(assets=[report_pack])
