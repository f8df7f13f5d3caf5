"""The Dagster code location: every asset, check, job, sensor and schedule of the project."""

from __future__ import annotations

import dagster as dg

# Stage modules, not their `defs` objects: Dagster refuses a module with more than one
# Definitions object at module scope.
from dagster_project.jobs import FULL_REFRESH_JOB, full_refresh_job
from dagster_project.landing import definitions as landing
from dagster_project.publish import definitions as publish
from dagster_project.quality import definitions as quality
from dagster_project.reports import definitions as reports
from dagster_project.resources import build_resources
from dagster_project.settings import Settings
from dagster_project.stats import definitions as stats
from dagster_project.themes import definitions as themes
from dagster_project.transform import definitions as transform

__all__ = ["FULL_REFRESH_JOB", "defs"]

# The one place the environment is read: every asset, check and sensor gets the settings
# through these resources (the UI shows their values under Deployment > Resources).
SETTINGS = Settings.from_env()

defs = dg.Definitions.merge(
    landing.defs,
    transform.defs,
    stats.defs,
    themes.defs,
    quality.defs,
    reports.defs,
    publish.defs,
    dg.Definitions(
        jobs=[full_refresh_job],
        resources=build_resources(SETTINGS),
        # DuckDB takes one writer: every step of a run executes in one process, in turn.
        executor=dg.in_process_executor,
    ),
)
