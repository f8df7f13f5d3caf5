"""Fixtures of the landing tests: a landing folder and an in-memory warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from landing_builders import Landing


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    folder = Landing(tmp_path / "landing")
    yield folder
    folder.con.close()
