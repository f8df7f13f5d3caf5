"""Dagster objects of the quality stage, merged into the code location by ../definitions.py."""

import dagster as dg

defs = dg.Definitions()
