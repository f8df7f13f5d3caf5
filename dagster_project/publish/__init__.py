"""Stage: publish."""

import dagster as dg

# The publish step's asset; the dbt marts step asks whether a run includes it
# (parquet_stage.py), so it is defined where that step can import it cheaply.
PUBLISH_KEY = dg.AssetKey(["publish", "analysts_warehouse"])
