"""The Dagster code location: every asset, check, job, sensor and schedule of the project."""

from __future__ import annotations

import dagster as dg

from dagster_project.jobs import FULL_REFRESH_JOB, full_refresh_job
from dagster_project.landing.definitions import defs as landing_defs
from dagster_project.publish.definitions import defs as publish_defs
from dagster_project.quality.definitions import defs as quality_defs
from dagster_project.resources import build_resources
from dagster_project.stats.definitions import defs as stats_defs
from dagster_project.transform.definitions import defs as transform_defs

__all__ = ["FULL_REFRESH_JOB", "defs"]

defs = dg.Definitions.merge(
    landing_defs,
    transform_defs,
    stats_defs,
    quality_defs,
    publish_defs,
    dg.Definitions(
        jobs=[full_refresh_job],
        resources=build_resources(),
        # DuckDB takes one writer: every step of a run executes in one process, in turn.
        executor=dg.in_process_executor,
    ),
)
