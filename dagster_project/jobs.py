"""Jobs shared by the sensor, the schedule, `poet run` and the UI."""

from __future__ import annotations

import dagster as dg

FULL_REFRESH_JOB = "full_refresh"

full_refresh_job = dg.define_asset_job(
    FULL_REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Land every return, rebuild the warehouse, run the gates, fit the statistics "
    "and publish the analysts' warehouse.",
)
