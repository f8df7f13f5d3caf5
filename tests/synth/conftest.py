"""One default national set per test session (the 2014 sizes), read back once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synth_returns import used_rows

from dagster_project.synth.config import SynthConfig
from dagster_project.synth.generate import MANIFEST_NAME, generate


@pytest.fixture(scope="session")
def default_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_default")
    generate(out, SynthConfig())
    return out


@pytest.fixture(scope="session")
def manifest(default_landing) -> dict:
    return json.loads((default_landing / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def holders(default_landing):
    return used_rows(default_landing, "holders")


@pytest.fixture(scope="session")
def carers(default_landing):
    return used_rows(default_landing, "carers")
