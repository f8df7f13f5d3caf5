"""The published file opens in DuckDB 1.x clients, and the Parquet folder matches it.

The clients are real: the `duckdb` command line of the registry's `duckdb-cli` package
(installed in the project's venv, as the README tells analysts to use it) and the oldest
1.x release of the `duckdb` Python package, in a virtualenv of its own made from the
package registry on first use (kept under the project's venv, so later runs reuse it).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
import venv
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from readme_queries import build_working, readme_queries

from dagster_project.publish import parquet
from dagster_project.publish.publisher import publish

OLD_DUCKDB = "1.0.0"  # the first 1.x release: every later 1.x reads what it reads
CLI = Path(sys.executable).with_name("duckdb")
OLD_CLIENT = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__, "results": []}
for query in json.loads(sys.stdin.read()):
    out["results"].append([[None if v is None else str(v) for v in row]
                           for row in con.execute(query).fetchall()])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clients")
    build_working(str(root / "working.duckdb"))
    publish(root / "working.duckdb", root / "poet.duckdb", "run-1", log=lambda _: None)
    return root / "poet.duckdb"


def _reference_results(path: Path) -> list[list[tuple]]:
    """What this project's own DuckDB (2.x) reads."""
    with duckdb.connect(str(path), read_only=True) as con:
        return [con.execute(q).fetchall() for q in readme_queries()]


def _same(row_a, row_b) -> bool:
    """A client's row (as text; NULL, empty or None for NULL) equals DuckDB 2's."""
    for a, b in zip(row_a, row_b, strict=True):
        if a in (None, "", "NULL") or b is None:
            if not (a in (None, "", "NULL") and b is None):
                return False
        elif isinstance(b, float):
            if abs(float(a) - b) > 1e-9 * max(1.0, abs(b)):
                return False
        elif str(b).lower() != str(a).lower():
            return False
    return True


def test_the_readme_queries_match_the_published_rows(published):
    results = _reference_results(published)
    assert len(results) == 3
    assert all(results), "each README query finds rows in the fixture warehouse"


def test_the_registry_cli_runs_the_readme_queries(published):
    assert CLI.exists(), "the duckdb-cli package must be installed in the venv (pyproject)"
    expected = _reference_results(published)
    for query, rows in zip(readme_queries(), expected, strict=True):
        run = subprocess.run(
            [str(CLI), "-readonly", "-csv", str(published), "-c", query],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        got = list(csv.reader(io.StringIO(run.stdout)))[1:]  # without the header
        assert len(got) == len(rows)
        assert all(_same(g, r) for g, r in zip(got, rows, strict=True)), (got, rows)
    version = subprocess.run([str(CLI), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1."), version


@pytest.fixture(scope="module")
def old_python() -> Path:
    """A virtualenv with duckdb==OLD_DUCKDB from the registry (made once, then reused)."""
    home = Path(sys.prefix) / "clients" / f"duckdb-{OLD_DUCKDB}"
    python = home / "bin" / "python"
    stamp = home / ".installed"
    if not stamp.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={OLD_DUCKDB}"],
            check=True, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        stamp.touch()
    return python


@pytest.mark.slow
def test_an_older_duckdb_1x_python_package_opens_the_file(published, old_python):
    run = subprocess.run(
        [str(old_python), "-c", OLD_CLIENT, str(published)],
        input=json.dumps(readme_queries()), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout)
    assert out["version"] == OLD_DUCKDB
    for got, rows in zip(out["results"], _reference_results(published), strict=True):
        assert len(got) == len(rows)
        assert all(_same(g, r) for g, r in zip(got, rows, strict=True)), (got, rows)


def test_every_mart_is_published_as_parquet(published):
    folder = parquet.parquet_dir(published)
    manifest = json.loads((folder / parquet.MANIFEST).read_text())
    assert manifest["run_id"] == "run-1"
    with duckdb.connect(str(published), read_only=True) as con:
        marts = {
            name: con.execute(f"SELECT count(*) FROM marts.{name}").fetchone()[0]
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        assert manifest["tables"] == marts
        assert sorted(p.stem for p in folder.glob("*.parquet")) == sorted(marts)
        for name, rows in marts.items():
            assert pq.read_metadata(folder / f"{name}.parquet").num_rows == rows
        from_parquet = con.execute(
            f"SELECT * FROM read_parquet('{folder / 'odds_ratios.parquet'}') ORDER BY factor_id"
        ).fetchall()
        assert (
            from_parquet
            == con.execute("SELECT * FROM marts.odds_ratios ORDER BY factor_id").fetchall()
        )


def test_the_parquet_folder_is_never_a_mix_of_two_publishes(tmp_path):
    working, published = tmp_path / "working.duckdb", tmp_path / "poet.duckdb"
    build_working(str(working), trend_rows=3)
    publish(working, published, "run-1", log=lambda _: None)
    folder = parquet.parquet_dir(published)
    complete = sorted(p.name for p in folder.iterdir())
    seen: list[tuple[str, ...]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append(tuple(sorted(p.name for p in folder.iterdir())))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for run in range(2, 6):
            build_working(str(working), trend_rows=run + 2)
            publish(working, published, f"run-{run}", log=lambda _: None)
    finally:
        stop.set()
        watcher.join()
    assert seen and all(list(names) == complete for names in seen), set(seen)
    assert pq.read_metadata(folder / "trends.parquet").num_rows == 7
    assert json.loads((folder / parquet.MANIFEST).read_text())["run_id"] == "run-5"
    # The previous folder stays readable until the next publish removes it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "parquet", "parquet.old-run-5", "poet.duckdb", "working.duckdb",
    ]  # fmt: skip
    old = json.loads((tmp_path / "parquet.old-run-5" / parquet.MANIFEST).read_text())
    assert old["run_id"] == "run-4"


@pytest.mark.slow
def test_a_file_published_from_the_previous_one_still_opens_in_the_1x_clients(tmp_path, old_python):
    """A publish that starts from the file in place (DECISIONS R34) modifies a copy of a
    file in the older storage format: the copy must stay in that format."""
    working, published = tmp_path / "working.duckdb", tmp_path / "poet.duckdb"
    build_working(str(working))
    versions = (
        "SELECT 2014 AS wave, 'LA0' || (i % 5) AS org_code, 'council' AS org_type, "
        "'R' || i AS respondent_id, 'sha' || (i % 5) AS source_sha256 FROM range(5000) t(i)"
    )
    with duckdb.connect(str(working)) as con:
        con.execute(f"CREATE OR REPLACE TABLE marts.holder_responses AS {versions}")
    publish(working, published, "run-1", log=lambda _: None)
    with duckdb.connect(str(working)) as con:
        con.execute("DELETE FROM marts.holder_responses WHERE org_code = 'LA01'")
        con.execute(
            "INSERT INTO marts.holder_responses "
            "SELECT 2014, 'LA01', 'council', 'R' || i, 'new' FROM range(700) t(i)"
        )
    report = publish(working, published, "run-2", log=lambda _: None, previous_run="run-1")
    assert report.by_version["marts.holder_responses"] == (1, 1)
    query = "SELECT count(*), count(*) FILTER (source_sha256 = 'new') FROM marts.holder_responses"
    cli = subprocess.run(
        [str(CLI), "-readonly", "-csv", str(published), "-c", query],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert list(csv.reader(io.StringIO(cli.stdout)))[1] == ["4700", "700"]
    old = subprocess.run(
        [str(old_python), "-c", OLD_CLIENT, str(published)],
        input=json.dumps([query, *readme_queries()]), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert old.returncode == 0, old.stderr[-2000:]
    assert json.loads(old.stdout)["results"][0] == [["4700", "700"]]
