"""Benchmark of the theme coding at national-times-400 scale (not a test).

Writes the comments 1,000,000 holders and 500,000 carers would leave (each question
answered at the shares `poet synth` uses, wording from synth/comments.py) into
`marts.comments` of a temporary DuckDB file, then times the three theme marts as the
assets build them, and reports the process's peak resident memory. The generator's
fragments repeat far more than real comments do, and the coder codes each distinct text
once, so by default every comment gets a unique number appended (no rule matches a
number): the worst case, every text distinct. `--as-generated` keeps the repeats.

    .venv/bin/python benchmarks/bench_themes.py [--holders N] [--carers N] [--as-generated]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dagster_project.synth.comments import QUESTIONS, comment_texts
from dagster_project.synth.targets import survey_targets
from dagster_project.themes.marts import (
    build_comment_themes,
    build_theme_agreement,
    build_theme_shares,
)

CHUNK = 200_000


def _fill(con: duckdb.DuckDBPyConnection, survey: str, n: int, seed: int, unique: bool) -> int:
    shares = survey_targets(survey).comments
    rng = np.random.default_rng(seed)
    written = 0
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        ids = np.array([f"R{i:07d}" for i in range(start, start + size)], dtype=object)
        for variable, question in QUESTIONS.items():
            answered = rng.random(size) < shares[variable]
            texts, _ = comment_texts(variable, answered, 0.0, rng, survey)
            frame = pd.DataFrame(
                {"respondent_id": ids[answered], "comment_redacted": texts[answered]}
            )
            con.register("chunk", frame)
            text = "comment_redacted || ' #' || respondent_id" if unique else "comment_redacted"
            con.execute(
                f"INSERT INTO marts.comments SELECT 2014, '{survey}', 'LA01', respondent_id, "
                f"'{question}', {text}, 'sha-{survey}' FROM chunk"
            )
            con.unregister("chunk")
            written += len(frame)
    return written


def _cpu_seconds() -> float:
    """User + system CPU time of this process, every thread: on a shared machine the
    wall time says as much about the neighbours as about the coder."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=1_000_000)
    parser.add_argument("--carers", type=int, default=500_000)
    parser.add_argument("--as-generated", action="store_true", help="keep repeated texts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "bench.duckdb"))
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.comments (wave INTEGER, survey VARCHAR, org_code VARCHAR, "
            "respondent_id VARCHAR, question VARCHAR, comment_redacted VARCHAR, "
            "source_sha256 VARCHAR)"
        )
        started = time.monotonic()
        unique = not args.as_generated
        comments = _fill(con, "holders", args.holders, 1, unique)
        comments += _fill(con, "carers", args.carers, 2, unique)
        distinct = con.execute("SELECT count(DISTINCT comment_redacted) FROM marts.comments")
        print(
            f"wrote {comments:,} comments ({distinct.fetchall()[0][0]:,} distinct texts) "
            f"in {time.monotonic() - started:.1f}s",
            flush=True,
        )
        for name, build in (
            ("comment_themes", lambda con: build_comment_themes(con, "bench").rows),
            ("theme_shares", build_theme_shares),
            ("theme_agreement", build_theme_agreement),
            # A forced rebuild: the texts are coded already (the coder's cache).
            (
                "comment_themes (rebuilt, texts cached)",
                lambda con: build_comment_themes(con, "bench", forced=True).rows,
            ),
            # A refresh after no change of the comments: no file version to code.
            (
                "comment_themes (again, no new version)",
                lambda con: build_comment_themes(con, "bench").rows,
            ),
        ):
            started, cpu = time.monotonic(), _cpu_seconds()
            rows = build(con)
            print(
                f"marts.{name}: {rows:,} rows in {time.monotonic() - started:.1f}s "
                f"(CPU {_cpu_seconds() - cpu:.2f}s, all threads)",
                flush=True,
            )
        con.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak resident memory of this process: {peak:.2f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
