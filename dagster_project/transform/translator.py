"""How dbt nodes become Dagster assets: keys [layer, name], groups by layer, sources = raw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

# The landing stage owns these assets (docs/ARCHITECTURE.md); dbt source `raw.<table>`.
RAW_LAYER = "raw"
SEED_LAYER = "reference"
# Source `statistics`: the stats stage's tables in marts, declared for documentation.
SOURCE_LAYERS = {"raw": RAW_LAYER, "statistics": "marts", "themes": "marts"}


def dbt_layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """The layer of a dbt node: its folder under models/ (= its schema), reference for seeds."""
    resource_type = dbt_resource_props["resource_type"]
    if resource_type == "source":
        return SOURCE_LAYERS[dbt_resource_props["source_name"]]
    if resource_type == "seed":
        return SEED_LAYER
    # fqn is [project, folder, ..., name]; the first folder is the layer.
    return dbt_resource_props["fqn"][1]


class PoetDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey([dbt_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_layer(dbt_resource_props)


TRANSLATOR = PoetDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
