"""Dagster objects of the landing stage, merged into the code location by ../definitions.py."""

import dagster as dg

from dagster_project.landing.assets import land_returns
from dagster_project.landing.sensors import landing_sensor, nightly_full_refresh
from dagster_project.landing.theme_codes import land_theme_codes_asset

defs = dg.Definitions(
    assets=[land_returns, land_theme_codes_asset],
    sensors=[landing_sensor],
    schedules=[nightly_full_refresh],
)
