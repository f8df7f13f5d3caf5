"""The reports tests read the suite's shared refresh (tests/conftest.py `default_refresh`):
the default synthetic set, plus a planted organisation (LA98) whose 30 holders include
only 9 for whom paid work is relevant (7 of them positive, 77.8%), run through `poet
run`, which builds the report pack and publishes it with the analysts' warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def refreshed(default_refresh) -> tuple[Path, dict]:
    root, env, run = default_refresh
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return root, env


@pytest.fixture(scope="session")
def pack(refreshed) -> Path:
    return refreshed[0] / "reports"


@pytest.fixture(scope="session")
def published(refreshed) -> Path:
    return refreshed[0] / "poet.duckdb"
