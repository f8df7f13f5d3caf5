"""A publish may start from the file in place (DECISIONS R34): tables of file versions
are then updated by version, every other table copied whole, unchanged Parquet files
hard-linked; the result always equals a publish written whole."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
import quality_fixtures as fx

from dagster_project.publish import parquet
from dagster_project.publish.compare import compare_published
from dagster_project.publish.publisher import publish

VERSIONED = ("holder_responses", "carer_responses")


def _version_rows(org: str, sha: str, n: int, org_type: str = "council") -> str:
    return (
        f"SELECT 2014 AS wave, '{org}' AS org_code, '{org_type}' AS org_type, "
        f"'{org}-' || i AS respondent_id, '{sha}' AS source_sha256, (i % 2)::INTEGER AS flag "
        f"FROM range({n}) t(i)"
    )


@pytest.fixture()
def working(tmp_path) -> Path:
    return fx.working_warehouse(
        tmp_path / "working.duckdb",
        {
            name: f"{_version_rows('LA01', f'{name}-a', 50)} UNION ALL "
            f"{_version_rows('LA02', f'{name}-b', 40)}"
            for name in VERSIONED
        },
    )


def _whole(working: Path, folder: Path) -> Path:
    folder.mkdir()
    published = folder / "poet.duckdb"
    publish(working, published, "whole", log=lambda _: None)
    return published


def test_a_publish_from_the_previous_file_updates_versions_and_equals_a_whole_one(
    working, tmp_path
):
    published = tmp_path / "poet.duckdb"
    publish(working, published, "run-1", log=lambda _: None)
    old_carers = (parquet.parquet_dir(published) / "carer_responses.parquet").stat().st_ino
    with duckdb.connect(str(working)) as con:
        # LA02's holders return is replaced; LA03's arrives; a small mart changes.
        con.execute("DELETE FROM marts.holder_responses WHERE org_code = 'LA02'")
        con.execute(f"INSERT INTO marts.holder_responses {_version_rows('LA02', 'b2', 30)}")
        con.execute(f"INSERT INTO marts.holder_responses {_version_rows('LA03', 'c1', 20)}")
        con.execute("CREATE OR REPLACE TABLE marts.trends AS SELECT 2015 AS wave")
    lines: list[str] = []
    report = publish(working, published, "run-2", log=lines.append, previous_run="run-1")
    assert report.by_version == {
        "marts.holder_responses": (1, 2),
        "marts.carer_responses": (0, 0),
    }
    assert report.tables["marts.holder_responses"] == 100
    assert any(
        "updated marts.holder_responses by file version: 1 removed, 2 added" in line
        for line in lines
    )
    assert compare_published(published, _whole(working, tmp_path / "whole")) == []
    # The unchanged mart's Parquet file is the previous one; the changed ones are new.
    folder = parquet.parquet_dir(published)
    assert (folder / "carer_responses.parquet").stat().st_ino == old_carers
    rows = duckdb.sql(f"SELECT count(*) FROM '{folder}/holder_responses.parquet'").fetchall()
    assert rows == [(100,)]


def test_a_changed_organisation_type_moves_the_version_and_still_equals_a_whole_publish(
    working, tmp_path
):
    published = tmp_path / "poet.duckdb"
    publish(working, published, "run-1", log=lambda _: None)
    with duckdb.connect(str(working)) as con:
        con.execute("UPDATE marts.carer_responses SET org_type = 'nhs' WHERE org_code = 'LA01'")
    report = publish(working, published, "run-2", log=lambda _: None, previous_run="run-1")
    assert report.by_version["marts.carer_responses"] == (1, 1)
    assert compare_published(published, _whole(working, tmp_path / "whole")) == []


def test_a_published_table_that_does_not_add_up_is_copied_whole(working, tmp_path):
    published = tmp_path / "poet.duckdb"
    publish(working, published, "run-1", log=lambda _: None)
    with duckdb.connect(str(published)) as con:  # a row no version of the working file has
        con.execute(
            "INSERT INTO marts.holder_responses SELECT * REPLACE ('LA01-x' AS respondent_id) FROM marts.holder_responses LIMIT 1"
        )
    lines: list[str] = []
    report = publish(working, published, "run-2", log=lines.append, previous_run="run-1")
    assert "marts.holder_responses" not in report.by_version
    assert any("row counts differ" in line for line in lines)
    assert compare_published(published, _whole(working, tmp_path / "whole")) == []


def test_without_a_previous_run_or_with_many_free_blocks_the_file_is_written_whole(
    working, tmp_path, monkeypatch
):
    published = tmp_path / "poet.duckdb"
    assert publish(working, published, "run-1", log=lambda _: None).by_version is None
    from dagster_project.publish import publisher

    monkeypatch.setattr(publisher, "MAX_FREE_SHARE", -1.0)
    lines: list[str] = []
    report = publish(working, published, "run-2", log=lines.append, previous_run="run-1")
    assert report.by_version is None
    assert any("free blocks" in line for line in lines)
    assert compare_published(published, _whole(working, tmp_path / "whole")) == []


def test_parquet_files_of_another_publish_are_not_reused(working, tmp_path):
    published = tmp_path / "poet.duckdb"
    publish(working, published, "run-1", log=lambda _: None)
    folder = parquet.parquet_dir(published)
    before = (folder / "carer_responses.parquet").stat().st_ino
    # The record names a run whose Parquet folder is not the one in place.
    publish(working, published, "run-2", log=lambda _: None, previous_run="run-0")
    after = parquet.parquet_dir(published) / "carer_responses.parquet"
    assert after.stat().st_ino != before
    assert os.path.getsize(after) > 0
