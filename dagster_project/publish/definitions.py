"""Dagster objects of the publish stage, merged into the code location by ../definitions.py."""

import dagster as dg

from dagster_project.publish.assets import analysts_warehouse

defs = dg.Definitions(assets=[analysts_warehouse])
