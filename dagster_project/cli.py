"""The `poet` command: generate returns, run the full refresh, start the UI."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dagster_project.settings import REPO_ROOT, Settings


def _fail(message: str, code: int = 1) -> int:
    print(f"poet: {message}", file=sys.stderr)
    return code


def cmd_synth(args: argparse.Namespace) -> int:
    from dagster_project.synth.cli import run_synth

    return run_synth(args)


def _check_landing(settings: Settings) -> str | None:
    landing = settings.landing_dir
    if not landing.exists():
        return f"landing folder {landing} does not exist (set POET_LANDING_DIR or run 'poet synth')"
    if not landing.is_dir():
        return f"landing folder {landing} is not a folder"
    try:
        next(iter(os.scandir(landing)), None)
    except OSError as exc:
        return f"landing folder {landing} cannot be read: {exc.strerror or exc}"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    settings.export()
    from dagster_project.publish.guards import output_path_problem

    problem = _check_landing(settings) or output_path_problem(
        settings.published, settings.warehouse
    )
    if problem:
        return _fail(problem, 2)
    settings.prepare_dagster_home()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)

    from dagster_project.orchestration import run_full_refresh

    outcome = run_full_refresh(settings, accept_shrink=args.accept_shrink)
    if outcome.success:
        print(f"poet: full refresh succeeded (run {outcome.run_id})")
        return 0
    return _fail(f"full refresh failed (run {outcome.run_id}): {outcome.reason}")


def cmd_summary(args: argparse.Namespace) -> int:
    from dagster_project.summary import summarise

    print(summarise(Settings.from_env().published))
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    settings.export()
    settings.prepare_dagster_home()
    os.chdir(REPO_ROOT)
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    argv = [dagster, "dev", "-m", "dagster_project.definitions", "-h", args.host, "-p", str(args.port)]
    os.execv(dagster, argv)
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="poet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    synth = sub.add_parser("synth", help="write a realistic national set of survey returns")
    from dagster_project.synth.cli import add_synth_arguments

    add_synth_arguments(synth)
    synth.set_defaults(func=cmd_synth)

    run = sub.add_parser("run", help="one full refresh through Dagster (appears in the UI)")
    run.add_argument(
        "--accept-shrink",
        action="store_true",
        help="publish even when organisations or more than 20%% of a wave's used respondents disappear",
    )
    run.set_defaults(func=cmd_run)

    summary = sub.add_parser("summary", help="print a short summary of the published warehouse")
    summary.set_defaults(func=cmd_summary)

    ui = sub.add_parser("ui", help="start the Dagster UI and daemon on localhost")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
