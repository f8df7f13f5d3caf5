"""Dagster objects of the transform stage, merged into the code location by ../definitions.py."""

import dagster as dg

defs = dg.Definitions()
