"""Launching the full refresh in the Dagster instance: one line per stage, and why it failed.

`poet run` executes the job in its own process (`execute_in_process`) against the
instance at DAGSTER_HOME, so the run, its events and its materialisations appear in the
UI like any other. The console shows one line per stage, read from the run's own event
log while it runs; the Dagster debug stream is printed only with `--verbose` (the event
log, and so the UI, always has all of it).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import dagster as dg

from dagster_project.settings import Settings

POLL_SECONDS = 0.5
PROGRESS_EVERY_SECONDS = 10.0  # a long stage says how far it got at most this often
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
MAX_REASONS_SHOWN = 2


@dataclass(frozen=True)
class RefreshOutcome:
    success: bool
    run_id: str
    reason: str


def _first_detail(text: str) -> str:
    """The first specific line of a multi-line message (a bullet if there is one)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    bullets = [line.lstrip("- ") for line in lines if line.startswith("- ")]
    return (bullets or lines or [""])[0]


def _failure_reason(result: dg.ExecuteInProcessResult) -> str:
    """One line a person can act on: the failed gates, else the failed steps' own errors."""
    gates: list[str] = []
    steps: list[str] = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                gates.append(
                    f"quality gate {evaluation.check_name} failed: "
                    f"{_first_detail(evaluation.description or '')}"
                )
        elif event.event_type in (
            dg.DagsterEventType.STEP_FAILURE,
            dg.DagsterEventType.RUN_FAILURE,
        ):
            data = event.event_specific_data
            error = getattr(data, "error", None)
            # The innermost cause is the user-facing error, not the framework's wrapper.
            while error is not None and error.cause is not None:
                error = error.cause
            if error is None or error.cls_name == "DagsterAssetCheckFailedError":
                continue  # already said, as the gate that failed
            where = f"step {event.step_key}" if event.step_key else "the run"
            steps.append(f"{where} failed: {_first_detail(error.message)}")
    reasons = gates + steps
    if not reasons:
        return "the run did not succeed (see the Dagster UI for its events)"
    return "; ".join(reasons)


# --- one line per stage ---------------------------------------------------------------------


def _seconds(ms: float | None) -> str:
    return f"{(ms or 0) / 1000:.1f} s"


def _metadata_value(metadata: dict, name: str, default=None):
    entry = metadata.get(name)
    return default if entry is None else entry.value


def _quarantine_reasons(markdown: str) -> list[str]:
    """`- `path`: reason` lines of the landing metadata -> 'path: reason'."""
    return [line[2:].replace("`", "") for line in markdown.splitlines() if line.startswith("- ")]


@dataclass
class StageReporter:
    """Turns a run's events into one line per stage (landing, each dbt layer, statistics,
    quality gates, publish) and prints them as the stages end."""

    say: Callable[[str], None] = print
    step_materialised: Counter = field(default_factory=Counter)
    step_kept: Counter = field(default_factory=Counter)
    step_checks: dict = field(default_factory=dict)  # step -> [passed, total]
    landing_metadata: dict = field(default_factory=dict)
    organisations_metadata: dict = field(default_factory=dict)
    published_metadata: dict = field(default_factory=dict)
    gates: list = field(default_factory=list)  # (passed, severity)
    stats_tables: int = 0
    stats_ms: float = 0.0
    gates_ms: float = 0.0
    pending_summary: bool = True
    files_landed_so_far: int = 0
    last_progress: float = field(default_factory=time.monotonic)

    def message(self, step: str, text: str) -> None:
        """A log line of a step: landing at scale says how many files it landed so far."""
        if step == "land_returns" and text.startswith("landed "):
            self.files_landed_so_far += 1
            now = time.monotonic()
            if now - self.last_progress >= PROGRESS_EVERY_SECONDS:
                self.last_progress = now
                self.say(f"landing: {self.files_landed_so_far} files landed so far ...")

    def event(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type
        step = event.step_key or ""
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            key = event.asset_key.to_user_string() if event.asset_key else ""
            metadata = event.event_specific_data.materialization.metadata
            # A table an incremental dbt build kept as it was (transform/assets.py).
            kept = _metadata_value(metadata, "rebuilt") is False
            (self.step_kept if kept else self.step_materialised)[step] += 1
            if key == "raw/file_registry":
                self.landing_metadata = dict(metadata)
            if key == "raw/organisations":
                self.organisations_metadata = dict(metadata)
            if key.startswith("publish/"):
                self.published_metadata = dict(metadata)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.check_name.startswith("gate_"):
                self.gates.append((evaluation.passed, evaluation.severity))
            else:
                counts = self.step_checks.setdefault(step, [0, 0])
                counts[0] += int(evaluation.passed)
                counts[1] += 1
        elif kind == dg.DagsterEventType.STEP_START and self._is_publish(step):
            self._summaries()
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            self._step_done(step, event.event_specific_data.duration_ms)

    @staticmethod
    def _is_publish(step: str) -> bool:
        return step.startswith("publish") or "analysts_warehouse" in step

    def _step_done(self, step: str, duration_ms: float) -> None:
        if step == "land_returns":
            self.say(self._landing_line(duration_ms))
        elif step.startswith("dbt_"):
            passed, total = self.step_checks.get(step, [0, 0])
            kept = self.step_kept[step]
            self.say(
                f"dbt {step.removeprefix('dbt_')}: {self.step_materialised[step]} models built"
                + (f", {kept} reference tables unchanged" if kept else "")
                + f", {passed} of {total} tests passed ({_seconds(duration_ms)})"
            )
        elif self._is_publish(step):
            path = _metadata_value(self.published_metadata, "path", "?")
            tables = _metadata_value(self.published_metadata, "tables", 0)
            self.say(f"publish: {tables} tables to {path} ({_seconds(duration_ms)})")
        elif self.step_materialised[step]:
            self.stats_tables += self.step_materialised[step]
            self.stats_ms += duration_ms
        else:
            self.gates_ms += duration_ms

    def _landing_line(self, duration_ms: float) -> str:
        m = self.landing_metadata
        found = _metadata_value(m, "files_found", 0)
        landed = _metadata_value(m, "files_landed", 0)
        unchanged = _metadata_value(m, "files_unchanged", 0)
        quarantined = _metadata_value(m, "files_quarantined", 0)
        line = (
            f"landing: {landed} of {found} files landed ({unchanged} unchanged), "
            f"{quarantined} quarantined"
        )
        reasons = _quarantine_reasons(_metadata_value(m, "quarantined", "") or "")
        if reasons:
            shown = "; ".join(reasons[:MAX_REASONS_SHOWN])
            more = len(reasons) - MAX_REASONS_SHOWN
            line += f" ({shown}" + (
                f"; and {more} more in marts.landed_files)" if more > 0 else ")"
            )
        return f"{line}{self._organisations_note()} ({_seconds(duration_ms)})"

    def _organisations_note(self) -> str:
        """What became of organisations.csv, when it was not simply used."""
        m = self.organisations_metadata
        problem = _metadata_value(m, "organisations_problem")
        if problem:
            return f"; organisations.csv not used, the last list kept: {problem}"
        left_out = _metadata_value(m, "lines_left_out", 0)
        if not left_out:
            return ""
        noted = [
            line[2:]
            for line in (_metadata_value(m, "lines_with_a_note", "") or "").splitlines()
            if line.startswith("- ") and ": left out: " in line
        ]
        shown = "; ".join(noted[:MAX_REASONS_SHOWN])
        more = f"; and {left_out - MAX_REASONS_SHOWN} more" if left_out > MAX_REASONS_SHOWN else ""
        return (
            f"; organisations.csv: {left_out} lines left out ({shown}{more}; "
            "see marts.organisations)"
        )

    def _summaries(self) -> None:
        if not self.pending_summary:
            return
        self.pending_summary = False
        if self.stats_tables:
            self.say(f"statistics: {self.stats_tables} tables ({_seconds(self.stats_ms)})")
        if self.gates:
            passed = sum(1 for ok, _ in self.gates if ok)
            warnings = sum(
                1
                for ok, severity in self.gates
                if not ok and severity == dg.AssetCheckSeverity.WARN
            )
            line = f"quality gates: {passed} of {len(self.gates)} passed"
            if warnings:
                line += f" ({warnings} warnings)"
            self.say(f"{line} ({_seconds(self.gates_ms)})")

    def finish(self) -> None:
        self._summaries()


class _EventFollower(threading.Thread):
    """Reads the run's event log as it grows and hands each event to the reporter."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, reporter: StageReporter):
        super().__init__(daemon=True)
        self.instance, self.run_id, self.reporter = instance, run_id, reporter
        self.cursor: str | None = None
        self.stopping = threading.Event()

    def drain(self) -> None:
        while True:
            connection = self.instance.get_records_for_run(self.run_id, cursor=self.cursor)
            for record in connection.records:
                entry = record.event_log_entry
                if entry.dagster_event is not None:
                    self.reporter.event(entry.dagster_event)
                elif entry.step_key:
                    self.reporter.message(entry.step_key, entry.user_message)
            self.cursor = connection.cursor
            if not connection.has_more:
                return

    def run(self) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            try:
                self.drain()
            except Exception:  # the run may not exist yet; the final drain reports
                continue

    def stop(self) -> None:
        self.stopping.set()
        self.join()
        self.drain()


def run_tags(settings: Settings, fingerprint_digest: str | None, command: str) -> dict[str, str]:
    """The run's configuration as tags: shown on the run's page in the UI."""
    tags = {
        "poet/command": command,
        "poet/landing_dir": str(settings.landing_dir),
        "poet/warehouse": str(settings.warehouse),
        "poet/published": str(settings.published),
    }
    if fingerprint_digest:
        tags["poet/inputs"] = fingerprint_digest[:12]
    return tags


def console_log_path(settings: Settings, run_id: str) -> Path:
    return settings.dagster_home / "poet_run_logs" / f"{run_id}.log"


@contextmanager
def _console_to_file(path: Path) -> Iterator[TextIO]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so also dbt's
    re-emitted output, the compute-log tails Dagster starts and library warnings) to
    `path`; yield a stream on the real terminal for the stage lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


def run_full_refresh(
    settings: Settings,
    run_id: str | None = None,
    tags: dict[str, str] | None = None,
    verbose: bool = False,
    accept_shrink: bool = False,
) -> RefreshOutcome:
    """Run the job in this process; quiet unless verbose (the console output then goes to
    console_log_path, the UI has every event either way)."""
    from dagster_project.definitions import FULL_REFRESH_JOB, defs
    from dagster_project.publish.assets import publish_run_config

    run_id = run_id or str(uuid.uuid4())
    with ExitStack() as stack:
        terminal = sys.stdout
        if not verbose:
            terminal = stack.enter_context(_console_to_file(console_log_path(settings, run_id)))

        def say(line: str) -> None:  # indented under "poet: refreshing ..."
            terminal.write(f"  {line}\n")
            terminal.flush()

        instance = stack.enter_context(dg.DagsterInstance.from_config(str(settings.dagster_home)))
        job = defs.resolve_job_def(FULL_REFRESH_JOB)
        reporter = StageReporter(say=say)
        follower = _EventFollower(instance, run_id, reporter)
        follower.start()
        try:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_id=run_id,
                tags=tags,
                # The publish step's config (--accept-shrink), with the quiet console logger.
                run_config={
                    **publish_run_config(accept_shrink),
                    **({} if verbose else QUIET_RUN_CONFIG),
                },
            )
        finally:
            follower.stop()
        reporter.finish()
    reason = "" if result.success else _failure_reason(result)
    return RefreshOutcome(success=result.success, run_id=result.run_id, reason=reason)


def mark_run_failed(instance: dg.DagsterInstance, run_id: str, why: str) -> bool:
    """Close a run a killed process left 'started' in the run history. True if it did."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.is_finished:
        return False
    instance.report_run_failed(run, message=why)
    return True
