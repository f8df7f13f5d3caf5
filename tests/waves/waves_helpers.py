"""Helpers of the waves tests: `poet synth` and `poet run` in an isolated installation,
and read-only queries on the published warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.settings import REPO_ROOT

POET = str(Path(sys.executable).parent / "poet")


def poet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [POET, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, (
        f"poet {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    )
    return run


def published(root: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(root / "poet.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
