"""Dagster objects of the stats stage, merged into the code location by ../definitions.py."""

import dagster as dg

defs = dg.Definitions()
