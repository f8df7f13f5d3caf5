"""Planted-change recovery of the change between waves (issue 13; not a test).

Generates `poet synth --waves 2013,2014,2015` (default size, default drift) into a
temporary installation, runs `poet run`, and prints how the published `direction` of
`marts.trend_changes` / `marts.org_trend_changes` finds the changes the generator planted
(`dagster_project/synth/recovery.py`; figures in docs/waves.md). With `--root DIR`, scores
an installation already refreshed (DIR/landing/synth_manifest.json, DIR/poet.duckdb).

    .venv/bin/python benchmarks/trend_recovery.py [--seed S] [--waves 2013,2014,2015] [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from dagster_project.settings import REPO_ROOT, isolated_environment
from dagster_project.synth.generate import MANIFEST_NAME
from dagster_project.synth.recovery import score

POET = str(Path(sys.executable).parent / "poet")


def _run(env: dict[str, str], *args: str) -> None:
    started = time.monotonic()
    done = subprocess.run([POET, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"poet {args[0]} failed: {done.stderr.strip().splitlines()[-1:]}")
    print(f"poet {args[0]}: {time.monotonic() - started:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--waves", default="2013,2014,2015")
    parser.add_argument("--root", type=Path, default=None, help="score this installation")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="poet_trend_recovery_"))
    if args.root is None:
        env = isolated_environment(root)
        seed = [] if args.seed is None else ["--seed", str(args.seed)]
        _run(env, "synth", "--out", env["POET_LANDING_DIR"], "--waves", args.waves, *seed)
        _run(env, "run")
    manifest = json.loads((root / "landing" / MANIFEST_NAME).read_text(encoding="utf-8"))
    con = duckdb.connect(str(root / "poet.duckdb"), read_only=True)
    try:
        national = con.execute("SELECT * FROM marts.trend_changes").df()
        orgs = con.execute("SELECT * FROM marts.org_trend_changes").df()
    finally:
        con.close()
    print(f"seed {manifest['seed']}, waves {manifest['waves']}, installation {root}")
    print(f"drift (points a year): {manifest['drift_points_per_year']}")
    print(f"marked organisations (logit a year): {manifest['org_drift_logit_per_year']}")
    for line in score(manifest, national, orgs).lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
