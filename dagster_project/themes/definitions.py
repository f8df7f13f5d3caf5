"""Dagster objects of the themes stage, merged into the code location by ../definitions.py."""

import dagster as dg

from dagster_project.themes.assets import THEMES_ASSETS

defs = dg.Definitions(assets=THEMES_ASSETS)
