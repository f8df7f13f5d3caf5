"""Redaction at national scale: every comment of 1M holders and 500k carers.

Builds the comments `poet synth` would write for that many respondents (the 2014
shares of non-blank comments per question, 8% of them carrying a personal detail in
one of the forms of synth/faults.py), then times, in DuckDB on this machine:
- the redaction expression staging applies to each comment column (the SQL the dbt
  macro renders, `redaction.redact_sql`), over every comment of both surveys;
- the gate's scan of the redacted text with the same patterns (quality/runner.py).
It checks the redacted text passes the gate. Prints the figures:

    python benchmarks/bench_redaction.py [--holders 1000000] [--carers 500000] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
import pandas as pd

from dagster_project.quality.contact_details import CONTACT_DETAIL_PATTERNS
from dagster_project.redaction import redact_sql
from dagster_project.synth.comments import comment_texts
from dagster_project.synth.config import FaultRates
from dagster_project.synth.targets import survey_targets

# The five patterns of version 0.1 (e-mail, phone, NHS number, postcode, title + name),
# timed beside the current rules so the figure says what the stronger redaction costs
# on the same machine at the same moment.
V0_1_RULES = (
    (r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", "[email]"),
    (r"(\+44[ ]?(\(0\)[ ]?)?|\(?\b0)([0-9][ \-\)]{0,2}){9}[0-9]\b", "[phone]"),
    (r"\b[0-9]{3}[ ]?[0-9]{3}[ ]?[0-9]{4}\b", "[nhs_number]"),
    (r"(?i)\b[A-Z]{1,2}[0-9][A-Z0-9]?[ ]?[0-9][A-Z]{2}\b", "[postcode]"),
    (
        r"\b(Mrs|Mr|Ms|Miss|Dr|mrs|mr|ms|dr|MRS|MR|MISS|DR)\b\.?[ ]+[A-Za-z][A-Za-z'\-]+"
        r"([ ]+[A-Z][A-Za-z'\-]+)?",
        "[name]",
    ),
)


def v0_1_sql(column: str) -> str:
    sql = column
    for pattern, tag in V0_1_RULES:
        sql = f"regexp_replace({sql}, '{pattern.replace(chr(39), chr(39) * 2)}', '{tag}', 'g')"
    return sql


def comments(survey: str, n: int, rng: np.random.Generator) -> pd.DataFrame:
    columns = {}
    for variable, share in survey_targets(survey).comments.items():
        answered = rng.random(n) < share  # share of non-blank answers, as synth writes
        columns[variable] = comment_texts(variable, answered, FaultRates().comment_pii, rng)
    return pd.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=1_000_000)
    parser.add_argument("--carers", type=int, default=500_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(2014)
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    for survey, n in (("holders", args.holders), ("carers", args.carers)):
        frame = comments(survey, n, rng)  # noqa: F841 - read by DuckDB below
        con.execute(f"CREATE TABLE {survey} AS SELECT * FROM frame")
    print(
        f"generated {args.holders:,} holders and {args.carers:,} carers' comments "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    total_comments = 0
    seconds = {"current": 0.0, "v0.1": 0.0}
    for survey in ("holders", "carers"):
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [survey]
            ).fetchall()
        ]
        total_comments += sum(
            con.execute(f"SELECT count({c}) FROM {survey}").fetchone()[0] for c in cols
        )
        for name, render in (("v0.1", v0_1_sql), ("current", redact_sql)):
            select = ", ".join(f"{render(c)} AS {c}" for c in cols)
            suffix = "redacted" if name == "current" else "v0_1"
            started = time.perf_counter()
            con.execute(f"CREATE TABLE {survey}_{suffix} AS SELECT {select} FROM {survey}")
            seconds[name] += time.perf_counter() - started
    redact_seconds = seconds["current"]
    print(
        f"redaction: {total_comments:,} non-blank comments in {redact_seconds:.1f} s "
        f"({total_comments / redact_seconds:,.0f} comments/s, {args.threads} threads); "
        f"the five v0.1 patterns on the same comments: {seconds['v0.1']:.1f} s",
        flush=True,
    )
    regex = "|".join(f"(?:{p})" for p in CONTACT_DETAIL_PATTERNS.values())
    started = time.perf_counter()
    flagged = 0
    for survey in ("holders", "carers"):
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [f"{survey}_redacted"],
            ).fetchall()
        ]
        flagged += sum(
            con.execute(
                "SELECT "
                + ", ".join(f"count(*) FILTER (WHERE regexp_matches({c}, $re))" for c in cols)
                + f" FROM {survey}_redacted",
                {"re": regex},
            ).fetchone()
        )
    print(
        f"gate scan of the redacted comments: {time.perf_counter() - started:.1f} s, "
        f"{flagged} values flagged (must be 0)"
    )


if __name__ == "__main__":
    main()
