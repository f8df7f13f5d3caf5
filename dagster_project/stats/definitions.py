"""Dagster objects of the stats stage, merged into the code location by ../definitions.py."""

import dagster as dg

from dagster_project.stats.assets import STATS_ASSETS

defs = dg.Definitions(assets=STATS_ASSETS)
