"""Marts written as Parquet ahead of the publish (DECISIONS R35): the publish moves in a
staged file only when its table still has the rows the file was written with, and the
published Parquet file always holds the published table's rows."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import quality_fixtures as fx

from dagster_project.publish import parquet, parquet_stage
from dagster_project.publish.publisher import publish

STAGED = ("holder_responses", "carer_responses")


@pytest.fixture()
def working(tmp_path) -> Path:
    return fx.working_warehouse(
        tmp_path / "working.duckdb",
        {
            name: f"SELECT 2014 AS wave, 'LA01' AS org_code, '{name}-' || i AS respondent_id, "
            f"'sha-{name}' AS source_sha256 FROM range(60) t(i)"
            for name in STAGED
        },
    )


def _connect(path: Path):
    @contextmanager
    def connect():
        con = duckdb.connect(str(path))
        try:
            yield con
        finally:
            con.close()

    return connect


def _same_rows(parquet_file: Path, published: Path, table: str) -> bool:
    con = duckdb.connect()
    con.execute(f"ATTACH '{published}' AS p (READ_ONLY)")
    differ = con.execute(
        f"SELECT count(*) FROM ((SELECT * FROM '{parquet_file}' EXCEPT ALL "
        f"SELECT * FROM p.marts.{table}) UNION ALL (SELECT * FROM p.marts.{table} "
        f"EXCEPT ALL SELECT * FROM '{parquet_file}'))"
    ).fetchone()[0]
    con.close()
    return differ == 0


def test_staged_files_are_moved_into_the_published_folder(working, tmp_path):
    folder = parquet_stage.start(str(working), "run-1", _connect(working), tables=STAGED)
    staged, why_not = parquet_stage.collect(str(working), "run-1")
    assert why_not is None and {name: rows for name, (_, rows) in staged.items()} == {
        "holder_responses": 60,
        "carer_responses": 60,
    }
    inodes = {name: path.stat().st_ino for name, (path, _) in staged.items()}
    published = tmp_path / "poet.duckdb"
    publish(working, published, "run-1", log=lambda _: None, staged_parquet=staged)
    out = parquet.parquet_dir(published)
    for name in STAGED:
        assert (out / f"{name}.parquet").stat().st_ino == inodes[name]  # moved, not written
        assert _same_rows(out / f"{name}.parquet", published, name)
    parquet_stage.discard(str(working))
    assert not folder.exists() and not parquet_stage.stage_root(working).exists()


def test_a_staged_file_with_other_rows_is_written_again(working, tmp_path):
    parquet_stage.start(str(working), "run-1", _connect(working), tables=STAGED)
    staged, _ = parquet_stage.collect(str(working), "run-1")
    # The table changed after it was staged (which no step of a run does): the file is stale.
    with duckdb.connect(str(working)) as con:
        con.execute("DELETE FROM marts.holder_responses WHERE respondent_id LIKE '%-1%'")
    stale = staged["holder_responses"][0].stat().st_ino
    published = tmp_path / "poet.duckdb"
    publish(working, published, "run-1", log=lambda _: None, staged_parquet=staged)
    written = parquet.parquet_dir(published) / "holder_responses.parquet"
    assert written.stat().st_ino != stale
    assert _same_rows(written, published, "holder_responses")
    parquet_stage.discard(str(working))


def test_a_failed_or_other_runs_stage_offers_nothing(working, tmp_path):
    @contextmanager
    def broken():
        raise duckdb.IOException("disk full")
        yield  # pragma: no cover

    parquet_stage.start(str(working), "run-1", broken, tables=STAGED)
    assert parquet_stage.collect(str(working), "run-1") == (
        {},
        "the stage failed (IOException: disk full)",
    )
    parquet_stage.start(str(working), "run-1", _connect(working), tables=STAGED)
    assert parquet_stage.collect(str(working), "run-2") == ({}, "no stage of this run")
    # A new stage removes the folders earlier ones left behind.
    left = parquet_stage.stage_root(working) / "run-1"
    assert left.is_dir()
    parquet_stage.start(str(working), "run-3", _connect(working), tables=STAGED)
    parquet_stage.wait(str(working))
    assert not left.exists()
    parquet_stage.discard(str(working))


def test_a_later_step_adds_its_table_to_the_runs_stage(working, tmp_path):
    first, later = STAGED
    folder = parquet_stage.start(str(working), "run-1", _connect(working), tables=(first,))
    assert parquet_stage.add(str(working), "run-1", _connect(working), (later,)) == folder
    staged, why_not = parquet_stage.collect(str(working), "run-1")
    assert why_not is None and {name: rows for name, (_, rows) in staged.items()} == {
        first: 60,
        later: 60,
    }
    # Another run's stage is not extended: the table starts a stage of its own run.
    other = parquet_stage.add(str(working), "run-2", _connect(working), (later,))
    assert other != folder and not folder.exists()
    staged, _ = parquet_stage.collect(str(working), "run-2")
    assert set(staged) == {later}
    parquet_stage.discard(str(working))


def test_an_added_table_is_not_offered_after_the_stage_failed(working):
    @contextmanager
    def broken():
        raise duckdb.IOException("disk full")
        yield  # pragma: no cover

    parquet_stage.start(str(working), "run-1", broken, tables=(STAGED[0],))
    parquet_stage.add(str(working), "run-1", _connect(working), (STAGED[1],))
    assert parquet_stage.collect(str(working), "run-1") == (
        {},
        "the stage failed (IOException: disk full)",
    )
    parquet_stage.discard(str(working))
