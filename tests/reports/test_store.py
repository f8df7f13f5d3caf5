"""Swapping a report pack in: a link replaced atomically, old versions removed."""

from __future__ import annotations

from pathlib import Path

from dagster_project.reports.disclosure import min_base
from dagster_project.reports.store import discard, reports_dir, staging_dir, swap_in


def _pack(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    return folder


def test_swap_replaces_the_link_and_removes_the_old_version(tmp_path):
    reports = tmp_path / "reports"
    first = swap_in(_pack(staging_dir(reports, "run1"), "one"), reports)
    assert reports.is_symlink() and (reports / "index.html").read_text() == "one"
    second = swap_in(_pack(staging_dir(reports, "run2"), "two"), reports)
    assert (reports / "index.html").read_text() == "two"
    assert not first.exists() and second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["reports", second.name])


def test_a_plain_folder_from_before_is_replaced(tmp_path):
    reports = _pack(tmp_path / "reports", "old")
    swap_in(_pack(staging_dir(reports, "run"), "new"), reports)
    assert reports.is_symlink() and (reports / "index.html").read_text() == "new"


def test_stale_staging_folders_are_discarded(tmp_path):
    reports = tmp_path / "reports"
    _pack(staging_dir(reports, "killed"), "half")
    assert discard(reports) == [str(staging_dir(reports, "killed"))]
    assert list(tmp_path.iterdir()) == []


def test_default_folder_is_beside_the_published_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("POET_REPORTS", raising=False)
    assert reports_dir(tmp_path / "poet.duckdb") == tmp_path / "reports"
    monkeypatch.setenv("POET_REPORTS", str(tmp_path / "elsewhere"))
    assert reports_dir(tmp_path / "poet.duckdb") == tmp_path / "elsewhere"


def test_disclosure_threshold_is_the_dbt_projects():
    assert min_base() == 10


def test_a_second_swap_through_the_default_folder_keeps_the_link(tmp_path, monkeypatch):
    monkeypatch.delenv("POET_REPORTS", raising=False)
    for run in ("run1", "run2"):
        reports = reports_dir(tmp_path / "poet.duckdb")  # the link itself, not its target
        assert reports == tmp_path / "reports"
        swap_in(_pack(staging_dir(reports, run), run), reports)
    assert (tmp_path / "reports").is_symlink()
    assert (tmp_path / "reports" / "index.html").read_text() == "run2"
    assert len(list(tmp_path.glob(".reports.v-*"))) == 1
