"""Every theme table, column and seed is documented for analysts (dbt docs), and the
tables hold the columns the contract promises."""

from __future__ import annotations

import re

import yaml

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT
from dagster_project.themes import marts

DOCS = DBT_PROJECT_DIR / "models" / "statistics" / "_themes.yml"
SEEDS = DBT_PROJECT_DIR / "seeds" / "reference" / "_theme_seeds.yml"
DECLARED = {
    "comment_themes": marts.COMMENT_THEMES,
    "theme_shares": marts.THEME_SHARES,
    "theme_agreement": marts.THEME_AGREEMENT,
}


def _contract_columns(table: str) -> list[str]:
    for line in (REPO_ROOT / "docs" / "contract" / "marts.md").read_text().splitlines():
        cells = line.split("|")
        if len(cells) > 3 and f"`{table}`" in cells[1]:
            return re.findall(r"\b[a-z_]+\b", re.sub(r"\(.*?\)", "", cells[3]))
    raise AssertionError(f"{table} is not in the contract")


def test_every_theme_column_is_described():
    source = yaml.safe_load(DOCS.read_text())["sources"][0]
    documented = {
        table["name"]: {c["name"]: c.get("description", "") for c in table["columns"]}
        for table in source["tables"]
    }
    assert set(documented) == set(DECLARED)
    for name, columns in DECLARED.items():
        assert list(documented[name]) == list(columns), name
        assert all(text.strip() for text in documented[name].values()), name


def test_the_contract_columns_are_there():
    for name, columns in DECLARED.items():
        assert set(_contract_columns(name)) <= set(columns), name


def test_the_rule_seeds_are_documented():
    seeds = {s["name"]: s for s in yaml.safe_load(SEEDS.read_text())["seeds"]}
    assert set(seeds) == {"themes", "theme_rules_holders", "theme_rules_carers"}
    for seed in seeds.values():
        assert seed["description"].strip()
        assert all(c["description"].strip() for c in seed["columns"])
