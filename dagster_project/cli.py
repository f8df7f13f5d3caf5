"""The `poet` command: generate returns, run the full refresh, start the UI."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
import time
import uuid
from collections.abc import Sequence

from dagster_project.settings import Settings

# Exit status of `poet run` when another refresh holds the working warehouse.
EXIT_BUSY = 3


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


def _say(message: str) -> None:
    print(f"poet: {message}", flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    """One refresh, unless nothing it reads changed since the last publish.

    Decides before it imports Dagster, so "nothing changed" answers in well under a second.
    """
    started = time.monotonic()
    settings = Settings.from_env()
    from dagster_project.publish.guards import output_path_problem

    problem = _check_landing(settings) or output_path_problem(
        settings.published, settings.warehouse
    )
    if problem:
        return _fail(problem, 2)

    from dagster_project import fingerprint
    from dagster_project.landing.layout import LandingFolderError
    from dagster_project.refresh_lock import RefreshLock, WarehouseBusy

    run_id = str(uuid.uuid4())
    lock = RefreshLock(settings.warehouse)

    def waiting(holder) -> None:
        who = holder.describe() if holder else "another process"
        _say(f"waiting for {who} to release the working warehouse")

    try:
        lock.acquire(run_id=run_id, command="poet run", wait=args.wait, on_wait=waiting)
    except WarehouseBusy as exc:
        return _fail(str(exc), EXIT_BUSY)
    try:
        if lock.stale is not None:
            _say(f"cleared the lock left by {lock.stale.describe()}: that process is gone")
            _close_killed_run(settings, lock.stale)
        try:
            inputs = fingerprint.take(settings)
        except (LandingFolderError, OSError) as exc:
            return _fail(str(exc), 2)
        record = fingerprint.read_record(settings.published)
        if record is not None and record.fingerprint == inputs and not args.force:
            print(
                f"nothing changed since run {record.run_id} at {record.published_at}: "
                "the published warehouse is current"
            )
            return 0
        if record is not None and not args.force:
            changed = ", ".join(inputs.differences(record.fingerprint))
            _say(f"changed since run {record.run_id}: {changed}")
        return _refresh(args, settings, run_id, inputs, started)
    finally:
        lock.release()


def _close_killed_run(settings: Settings, stale) -> None:
    """Mark the killed run failed in the run history (it would show 'started' for ever)."""
    if not (settings.dagster_home / "dagster.yaml").exists():
        return
    import dagster as dg

    from dagster_project.orchestration import mark_run_failed

    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        if mark_run_failed(instance, stale.run_id, f"its process (pid {stale.pid}) was killed"):
            _say(f"marked run {stale.run_id} failed in the run history")


def _refresh(args, settings: Settings, run_id: str, inputs, started: float) -> int:
    settings.prepare_dagster_home()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    _say(f"refreshing into {settings.warehouse} (run {run_id})")
    # The report pack's worker server imports its libraries in a process of its own, on
    # the core this one leaves idle while it imports Dagster (workers.py).
    from dagster_project import workers

    workers.start()
    from dagster_project.transform.project import prepare_manifest

    prepare_manifest()  # the explicit build step: parse only a new or changed dbt project
    from dagster_project.orchestration import console_log_path, run_full_refresh, run_tags

    tags = run_tags(settings, inputs.digest, "poet run")
    if args.force:
        from dagster_project.transform.build_state import FULL_REFRESH_TAG

        # --force rebuilds every dbt table from scratch, not incrementally (docs/refresh.md).
        tags[FULL_REFRESH_TAG] = "true"
    outcome = run_full_refresh(
        settings,
        run_id=run_id,
        tags=tags,
        verbose=args.verbose,
        accept_shrink=args.accept_shrink,
    )
    elapsed = time.monotonic() - started
    if outcome.success:
        _say(
            f"refresh succeeded in {elapsed:.1f} s (run {outcome.run_id}); "
            f"analysts' warehouse: {settings.published}"
        )
        return 0
    log = "" if args.verbose else f" (console output: {console_log_path(settings, run_id)})"
    return _fail(f"refresh failed (run {outcome.run_id}): {outcome.reason}{log}")


def cmd_summary(args: argparse.Namespace) -> int:
    published = Settings.from_env().published
    if not published.exists():
        return _fail(f"no published warehouse at {published} yet: run 'poet run' first")
    from dagster_project.summary import summarise

    print(summarise(published, brief=args.brief))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from dagster_project.reports.cli import run_report

    return run_report(args)


def cmd_ui(args: argparse.Namespace) -> int:
    from dagster_project.ui import serve

    return serve(Settings.from_env(), host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="poet", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    synth = sub.add_parser("synth", help="write a realistic national set of survey returns")
    from dagster_project.synth.cli import add_synth_arguments

    add_synth_arguments(synth)
    synth.set_defaults(func=cmd_synth)

    run = sub.add_parser(
        "run",
        help="one full refresh through Dagster (appears in the UI), unless nothing changed",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="refresh even when nothing changed since the last publish, and rebuild every "
        "dbt table from scratch (no incremental build)",
    )
    run.add_argument(
        "--wait",
        action="store_true",
        help="when another refresh holds the warehouse, wait for it instead of stopping",
    )
    run.add_argument(
        "--verbose", action="store_true", help="print Dagster's full event stream as well"
    )
    run.add_argument(
        "--accept-shrink",
        action="store_true",
        help="publish even when organisations or more than 20%% of a wave's used respondents disappear",
    )
    run.set_defaults(func=cmd_run)

    summary = sub.add_parser("summary", help="print a short summary of the published warehouse")
    summary.add_argument(
        "--brief", action="store_true", help="files, respondents and fidelity only (no outcomes)"
    )
    summary.set_defaults(func=cmd_summary)

    report = sub.add_parser("report", help="write the report pack from the published warehouse")
    from dagster_project.reports.cli import add_report_arguments

    add_report_arguments(report)
    report.set_defaults(func=cmd_report)

    ui = sub.add_parser("ui", help="start the Dagster UI and daemon on localhost (Ctrl-C stops)")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    from dagster_project.serve_cli import add_docs_parser, add_grant_parser

    add_grant_parser(sub)
    add_docs_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def entry_point() -> None:
    """The `poet` command: main(), then an exit without Python's finalisation.

    After a refresh the process holds some 600,000 objects (dbt's manifest, Great
    Expectations, Dagster's definitions); finalisation frees them one by one, about 3.5 s
    after the last line is printed. Nothing is left to write by then: the run's DuckDB
    connections are closed and Dagster's storage is committed. The registered exit
    handlers still run (logging's flush among them) and the output is flushed. Only when
    the main thread is the last one: a command that left another thread working exits
    the ordinary way, which waits for it.
    """
    code = main()
    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be written
            pass
    os._exit(code)


if __name__ == "__main__":
    entry_point()
