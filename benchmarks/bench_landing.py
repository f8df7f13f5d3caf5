"""Benchmark: landing a folder versus DuckDB alone reading the same CSV files.

    python benchmarks/bench_landing.py [LANDING_DIR] [--workdir /tmp/landing/bench]

Without LANDING_DIR a folder is generated under the workdir: with `poet synth --holders
1000000 --carers 500000` when the generator is installed, else with this script's own
CSV writer (same row counts, every codebook column, a few invalid cells and
non-consenting rows).

Phases, each in a fresh process on a fresh warehouse file, after every file has been
read once so all find them in the page cache: DuckDB alone reading the CSV returns;
landing the CSV returns only (the ratio is of these two; target within 3x); landing
every return (CSV, XLSX, SPSS). Prints times, the ratio and each phase's peak resident
memory (target: under 4 GiB).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from dagster_project.codebook import load_codebook  # noqa: E402
from dagster_project.landing.layout import scan, sha256_of  # noqa: E402

DEFAULT_WORKDIR = Path("/tmp/landing/bench")
HOLDERS, CARERS = 1_000_000, 500_000
ORGANISATIONS = 150
WAVES = (2014, 2015)
RATIO_TARGET = 3.0
MEMORY_TARGET_GIB = 4.0


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)  # KiB on Linux


def _generate_with_synth(folder: Path) -> bool:
    try:
        import dagster_project.synth.cli  # noqa: F401
    except ImportError:
        return False
    poet = [sys.executable, "-m", "dagster_project.cli", "synth", "--out", str(folder)]
    subprocess.run(
        poet + ["--holders", str(HOLDERS), "--carers", str(CARERS)], check=True, cwd=REPO_ROOT
    )
    return True


def _cell_sql(variable) -> str:
    """A random cell of one codebook variable: mostly valid, ~0.3% invalid, ~5% blank."""
    blank = "random() < 0.05"
    if variable.name == "respondent_id":
        return "'R' || lpad(CAST(i AS VARCHAR), 8, '0')"
    if variable.name == "consent":
        return "CASE WHEN random() < 0.03 THEN '2' ELSE '1' END"
    if variable.type in ("code", "tick"):
        codes = sorted(variable.codes)
        pick = f"CAST([{', '.join(map(str, codes))}][1 + CAST(floor(random() * {len(codes)}) AS INTEGER)] AS VARCHAR)"
        return f"CASE WHEN {blank} THEN NULL WHEN random() < 0.003 THEN '77' ELSE {pick} END"
    if variable.type == "number":
        return "CAST(round(10 + random() * 400, 2) AS VARCHAR)"
    if variable.type == "date":
        return "CAST(DATE '2014-01-01' + CAST(floor(random() * 300) AS INTEGER) AS VARCHAR)"
    return "CASE WHEN random() < 0.2 THEN 'It has made my life easier, thank you' ELSE NULL END"


def _generate_csv(folder: Path) -> None:
    import duckdb

    con = duckdb.connect()
    orgs = [f"LA{i:03d}" for i in range(1, ORGANISATIONS + 1)]
    (folder / "organisations.csv").write_text(
        "org_code,org_name,org_type,region\n"
        + "".join(f"{o},Council {o},council,North\n" for o in orgs)
    )
    for survey, total in (("holders", HOLDERS), ("carers", CARERS)):
        codebook = load_codebook(survey)
        per_file = total // (len(orgs) * len(WAVES))
        select = ", ".join(f"{_cell_sql(v)} AS {v.name}" for v in codebook.variables)
        for wave in WAVES:
            for org in orgs:
                path = folder / str(wave) / org / f"{survey}.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                con.execute(
                    f"COPY (SELECT {select} FROM range({per_file}) t(i)) TO '{path}' (HEADER, DELIMITER ',')"
                )


def _land(folder: str, warehouse: str, queue) -> None:
    import duckdb

    from dagster_project.landing.land import land_folder

    start = time.perf_counter()
    with duckdb.connect(warehouse) as con:
        report = land_folder(con, Path(folder))
        rows = con.execute("SELECT sum(rows) FROM raw.file_registry").fetchone()[0]
    queue.put((time.perf_counter() - start, _peak_rss_gib(), f"{report.landed} files, {rows} rows"))


def _duckdb_alone(csv_files: list[str], warehouse: str, queue) -> None:
    import duckdb

    start = time.perf_counter()
    with duckdb.connect(warehouse) as con:
        rows = 0
        for survey in ("holders", "carers"):
            files = [f for f in csv_files if Path(f).stem.lower() == survey]
            if files:
                con.execute(
                    f"CREATE TABLE {survey} AS SELECT * FROM read_csv(?, all_varchar=true, union_by_name=true)",
                    [files],
                )
                rows += con.execute(f"SELECT count(*) FROM {survey}").fetchone()[0]
    queue.put(
        (time.perf_counter() - start, _peak_rss_gib(), f"{len(csv_files)} CSV files, {rows} rows")
    )


def _reporting_errors(target, *args) -> None:
    queue = args[-1]
    try:
        target(*args)
    except BaseException as exc:  # the parent waits on the queue: always answer it
        queue.put(exc)
        raise


def _csv_only_folder(landing, target: Path) -> Path:
    """The organisations file and the CSV returns of a folder, hard-linked into another
    folder (landing quarantines symbolic links: a return must be a plain file)."""
    if target.exists():
        shutil.rmtree(target)
    sources = [r.path for r in landing.returns if r.file_format == "csv"]
    if landing.organisations is not None:
        sources.append(landing.organisations)
    for source in sources:
        link = target / source.relative_to(landing.root)
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, link)
        except OSError:  # another file system
            shutil.copy2(source, link)
    return target


def _in_fresh_process(target, *args) -> tuple[float, float, str]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_reporting_errors, args=(target, *args, queue))
    process.start()
    outcome = queue.get()
    process.join()
    if isinstance(outcome, BaseException):
        raise RuntimeError(f"{target.__name__} failed in its process") from outcome
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("landing_dir", nargs="?", type=Path)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--generator",
        choices=("synth", "csv"),
        default="synth",
        help="how to make the folder when none is given (synth falls back to csv when absent)",
    )
    parser.add_argument(
        "--csv-only",
        action="store_true",
        help="skip 'landing all' (the ratio needs only the two CSV phases)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    folder = args.landing_dir
    if folder is None:
        folder = args.workdir / "landing"
        if not folder.exists():
            folder.mkdir()
            synth = args.generator == "synth" and _generate_with_synth(folder)
            if not synth:
                _generate_csv(folder)
            made_by = "poet synth" if synth else "this script's CSV writer"
            print(f"generated {folder} with {made_by}")
    landing = scan(folder)
    csv_files = [str(r.path) for r in landing.returns if r.file_format == "csv"]
    formats = sorted({r.file_format for r in landing.returns})
    size = sum(r.path.stat().st_size for r in landing.returns)
    print(
        f"{folder}: {len(landing.returns)} returns ({', '.join(formats)}), {size / 2**20:.0f} MiB"
    )
    for item in landing.returns:  # warm the page cache for both phases alike
        sha256_of(item.path)

    csv_only = _csv_only_folder(landing, args.workdir / "csv_only")
    results = {}
    phases = [
        ("duckdb alone", _duckdb_alone, csv_files),
        ("landing csv", _land, str(csv_only)),
        ("landing all", _land, str(folder)),
    ]
    for name, target, inputs in phases[:2] if args.csv_only else phases:
        warehouse = args.workdir / f"bench_{name.replace(' ', '_')}.duckdb"
        for stale in (warehouse, Path(f"{warehouse}.wal")):
            stale.unlink(missing_ok=True)
        results[name] = _in_fresh_process(target, inputs, str(warehouse))
        seconds, peak, what = results[name]
        print(f"{name:>13}: {seconds:7.1f} s, peak memory {peak:.2f} GiB ({what})")

    ratio = results["landing csv"][0] / results["duckdb alone"][0]
    peak = max(r[1] for r in results.values())
    print(f"ratio landing / duckdb alone, same CSV files: {ratio:.2f} (target <= {RATIO_TARGET:g})")
    print(f"peak memory: {peak:.2f} GiB (target < {MEMORY_TARGET_GIB:g} GiB)")
    if formats != ["csv"] and not args.csv_only:
        print("'landing all' adds the XLSX and SPSS files, which DuckDB alone cannot read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
