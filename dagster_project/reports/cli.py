"""`poet report [--wave W] [--out DIR]`: a report pack from the published warehouse."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from dagster_project.settings import Settings

# The pack's libraries (Altair, vl-convert, Jinja2, pandas) are imported by `run_report`,
# not here: every `poet` command builds its parser from this module (about 1.3 s).


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wave", type=int, help="wave to report (default: the latest)")
    parser.add_argument(
        "--out",
        type=Path,
        help="folder of the pack (default: POET_REPORTS for the latest wave, "
        "POET_REPORTS_<wave> beside it for an earlier one)",
    )


def run_report(args: argparse.Namespace) -> int:
    import duckdb

    from dagster_project.reports.data import NoWave, waves
    from dagster_project.reports.pack import build_pack
    from dagster_project.reports.store import absolute, discard, reports_dir, staging_dir, swap_in

    published = Settings.from_env().published
    if not published.exists():
        print(f"poet: no published warehouse at {published}: run 'poet run' first", file=sys.stderr)
        return 2
    con = duckdb.connect(str(published), read_only=True)
    try:
        loaded = waves(con)
        latest = loaded[-1] if loaded else None
        target = args.out or reports_dir(published)
        if args.out is None and args.wave is not None and args.wave != latest:
            target = target.with_name(f"{target.name}_{args.wave}")
        target = absolute(target)
        staged = staging_dir(target, f"cli-{uuid.uuid4().hex[:12]}")
        try:
            pack = build_pack(con, staged, args.wave, log=print)
        except NoWave as exc:
            discard(target, staged.name.rsplit("tmp-", 1)[-1])
            print(f"poet: {exc}", file=sys.stderr)
            return 2
        except BaseException:
            discard(target, staged.name.rsplit("tmp-", 1)[-1])
            raise
    finally:
        con.close()
    swap_in(staged, target)
    print(f"poet: reports for wave {pack.wave} in {target} (open {target / 'index.html'})")
    return 0
