"""benchmarks/bench_refresh.py: a full refresh starts from nothing but the returns and
Dagster's home, whatever order the folder lists its entries in."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dagster_project.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from bench_refresh import _empty_warehouse  # noqa: E402


@pytest.mark.parametrize("link_first", [True, False])
def test_emptying_removes_the_reports_link_without_following_it(
    tmp_path: Path, monkeypatch, link_first
):
    # The folder listed with the link before the pack's folder it points at, and after.
    listing = Path.iterdir
    monkeypatch.setattr(
        Path,
        "iterdir",
        lambda self: iter(sorted(listing(self), key=lambda p: p.name, reverse=link_first)),
    )
    pack_folder = ".reports.v-1"
    for name in ("landing", "dagster_home", "warehouse.dbt_target", "warehouse.duckdb.charts"):
        (tmp_path / name).mkdir()
    (tmp_path / "landing" / "holders.csv").write_text("kept")
    (tmp_path / pack_folder).mkdir()
    (tmp_path / pack_folder / "national.html").write_text("pack")
    (tmp_path / "reports").symlink_to(pack_folder)
    for name in ("warehouse.duckdb", "poet.duckdb", "poet.duckdb.fingerprint.json"):
        (tmp_path / name).write_text("built")
    _empty_warehouse(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dagster_home", "landing"]
    assert (tmp_path / "landing" / "holders.csv").read_text() == "kept"
