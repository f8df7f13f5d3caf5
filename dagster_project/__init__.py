"""POET survey warehouse: Dagster definitions, stages and the `poet` command."""
