"""Dagster objects of the quality stage, merged into the code location by ../definitions.py."""

import dagster as dg

from dagster_project.quality.checks import GATE_CHECKS

defs = dg.Definitions(asset_checks=GATE_CHECKS)
