"""Fixtures of the hostile-input suite: landing folders built by hand (tests/landing's
builders) and an in-memory warehouse."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# tests/ has no packages: the landing and quality builders are imported by folder.
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "landing"))
sys.path.insert(0, str(HERE.parent / "quality"))

from landing_builders import Landing  # noqa: E402


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    folder = Landing(tmp_path / "landing")
    yield folder
    folder.con.close()
