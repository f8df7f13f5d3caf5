"""Land a whole folder into the raw layer: the one entry point of the landing stage."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.landing.land_file import (
    STAGE_DATABASE,
    FileOutcome,
    LandingFailed,
    StagedVersion,
    database_cause,
    drop_stage,
    hide_contact_details,
    land_new_version,
    read_version,
    record_checks,
    stage_table,
)
from dagster_project.landing.layout import (
    ORGANISATIONS_FILE,
    LandingFolderError,
    Slot,
    scan,
    sha256_of,
)
from dagster_project.landing.organisations import ORGANISATION_COLUMNS, land_organisations
from dagster_project.landing.readers import UnreadableFile
from dagster_project.landing.registry import (
    QUARANTINED,
    PresentFile,
    apply_statuses,
    insert_version,
    known_versions,
)
from dagster_project.landing.rules import QuarantineLimits
from dagster_project.landing.schema import ensure_schema

_LOGGER = logging.getLogger(__name__)
DEFAULT_LIMITS = QuarantineLimits()
# Each file commits on its own (a broken file rolls back alone). With DuckDB's default
# 16 MiB threshold those small commits trigger a checkpoint every few files, and each one
# rewrites the tables' last, partly filled row groups; one checkpoint at the end of the
# run writes them once (measured: the commit time of a 1M-row folder fell from 14 s to 3 s).
RUN_CHECKPOINT_THRESHOLD = "1GB"


@dataclass(frozen=True)
class BatchLimits:
    """How many staged files land in one transaction.

    A transaction holding more than one row group (122,880 rows) per table lets DuckDB
    write the rows straight to the database file instead of through the write-ahead log
    and the final checkpoint; one commit per batch instead of per file saves the rest.
    The staged files are held in memory until their batch commits.
    """

    rows: int = 250_000
    files: int = 24
    # Reading and cleaning one file is one DuckDB statement that uses about one core;
    # several files are read at once, each on its own cursor, while a batch lands.
    read_workers: int = 2
    read_ahead: int = 4  # files staged beyond the batch being landed (bounds memory)


DEFAULT_BATCH = BatchLimits()


@dataclass
class LandingReport:
    files_found: int = 0
    landed: int = 0
    unchanged: int = 0
    ignored: list[str] = field(default_factory=list)
    ignored_reasons: dict[str, str] = field(
        default_factory=dict
    )  # path -> why, every ignored entry
    changed_while_landing: list[str] = field(default_factory=list)  # left for the next run
    status_changes: int = 0
    quarantined: dict[str, str] = field(default_factory=dict)  # path -> reason, files present now
    organisations_replaced: bool = False
    organisations_problem: str | None = None  # why organisations.csv was not used this run
    organisation_lines: list[str] = field(default_factory=list)  # its lines with a note


def _present_files(
    folder_returns, log: logging.Logger, content_hash: Callable[[Path], str]
) -> dict[Slot, list[PresentFile]]:
    slots: dict[Slot, list[PresentFile]] = defaultdict(list)
    for item in folder_returns:
        try:
            sha = content_hash(item.path)
        except OSError as exc:
            # No content hash, no version: the file is reported and retried next run.
            log.error(f"{item.relative_path}: file cannot be read: {exc.strerror or exc}")
            continue
        slots[item.slot].append(PresentFile(item, sha))
    return dict(slots)


def _forget(slots: dict[Slot, list[PresentFile]], present: PresentFile) -> None:
    """A file left for the next run: its slot's statuses are derived as if it were absent."""
    remaining = [p for p in slots[present.item.slot] if p is not present]
    if remaining:
        slots[present.item.slot] = remaining
    else:
        del slots[present.item.slot]


def _store(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[PresentFile, StagedVersion | UnreadableFile]],
    landed_at: dt.datetime,
) -> list[FileOutcome]:
    """One transaction: every file's rows, invalid cells, checks and registry row, so a
    file is landed with its registry row or not at all (also when the process dies)."""
    outcomes = []
    con.execute("BEGIN TRANSACTION")
    try:
        for present, read in batch:
            outcome = land_new_version(con, present.item, present.sha, read, landed_at)
            record_checks(con, present.item, present.sha, outcome)
            insert_version(con, present, landed_at, outcome)
            outcomes.append(outcome)
        with_invalid = [
            present.sha for (present, _), o in zip(batch, outcomes, strict=True) if o.invalid_cells
        ]
        hide_contact_details(con, with_invalid)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return outcomes


def _store_alone(
    con: duckdb.DuckDBPyConnection,
    present: PresentFile,
    read: StagedVersion | UnreadableFile,
    landed_at: dt.datetime,
    log: logging.Logger,
) -> FileOutcome:
    try:
        return _store(con, [(present, read)], landed_at)[0]
    except duckdb.Error as exc:
        # Content landing did not foresee must not stop the other files: the version is
        # registered as unreadable (no rows), with the database's own words.
        cause = database_cause(exc)
        log.error(
            f"{present.item.relative_path}: landing failed, quarantined as unreadable: {cause}"
        )
        return _store(con, [(present, UnreadableFile(cause))], landed_at)[0]


def _store_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[PresentFile, StagedVersion | UnreadableFile]],
    landed_at: dt.datetime,
    log: logging.Logger,
) -> list[FileOutcome]:
    """Land the staged files of a batch in one transaction; when the database rejects
    it, each file again in its own transaction, so one file that breaks landing is
    rolled back alone (its stage tables were committed before the batch began)."""
    if len(batch) > 1:
        try:
            return _store(con, batch, landed_at)
        except duckdb.Error as exc:
            log.warning(
                f"a batch of {len(batch)} files failed ({database_cause(exc)}); landing them one by one"
            )
    return [_store_alone(con, present, read, landed_at, log) for present, read in batch]


@contextmanager
def _stage_database(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {STAGE_DATABASE}")
    try:
        yield
    finally:
        con.execute(f"DETACH DATABASE IF EXISTS {STAGE_DATABASE}")


class ChangedWhileLanding(Exception):
    """The file's bytes changed between hashing and reading: what was parsed may not be
    the version hashed, so it is not landed this run (the next run lands what is there)."""


def _read_on(
    cursor: duckdb.DuckDBPyConnection, present: PresentFile, number: int, limits: QuarantineLimits
) -> StagedVersion | UnreadableFile | ChangedWhileLanding:
    try:
        read = read_version(cursor, present.item, stage_table(number), limits)
        # Hash again after parsing: the registry's sha256 must be that of the bytes parsed.
        try:
            after = sha256_of(present.item.path)
        except OSError as exc:
            after = f"unreadable ({exc.strerror or exc})"
        if after != present.sha:
            drop_stage(cursor, read)
            return ChangedWhileLanding(
                f"{present.item.relative_path} changed while it was being landed"
            )
        return read
    finally:
        cursor.close()


def _staged(
    con: duckdb.DuckDBPyConnection,
    files: Iterable[PresentFile],
    limits: QuarantineLimits,
    batch_limits: BatchLimits,
) -> Iterator[tuple[PresentFile, StagedVersion | UnreadableFile | ChangedWhileLanding]]:
    """The files, in order, each read into its stage table and checked by a worker thread
    on its own cursor (autocommitted, so outside any transaction of `con`)."""
    pool = ThreadPoolExecutor(
        max_workers=batch_limits.read_workers, thread_name_prefix="landing-read"
    )
    pending: deque = deque()
    try:
        for number, present in enumerate(files):
            pending.append((present, pool.submit(_read_on, con.cursor(), present, number, limits)))
            if len(pending) > batch_limits.read_ahead:
                first, future = pending.popleft()
                yield first, future.result()
        while pending:
            first, future = pending.popleft()
            yield first, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def land_folder(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    log: logging.Logger = _LOGGER,
    limits: QuarantineLimits = DEFAULT_LIMITS,
    batch_limits: BatchLimits = DEFAULT_BATCH,
    content_hash: Callable[[Path], str] = sha256_of,
) -> LandingReport:
    """Land every return of the folder; a broken file is quarantined, never fatal.

    `content_hash` gives each file's sha256, which decides whether it is a new version:
    by default read from the bytes; a run passes the refresh's hash record (fingerprint.
    HashCache: the hash again only when size or modification time changed). A new version
    is hashed again from the bytes parsed, whatever this returned (_read_on).

    Raises layout.LandingFolderError when the folder itself cannot be read.
    """
    folder = scan(landing_dir)
    report = LandingReport(
        files_found=len(folder.returns),
        ignored=list(folder.ignored),
        ignored_reasons={path: folder.why_ignored(path) for path in folder.ignored},
    )
    log.info(f"landing folder {folder.root}: {len(folder.returns)} returns found")
    for relative, why in report.ignored_reasons.items():
        log.info(f"ignored {relative}: {why}")

    landed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ensure_schema(con)
    organisations = land_organisations(con, folder.organisations, landed_at, log)
    report.organisations_replaced = organisations.replaced
    report.organisations_problem = organisations.problem
    report.organisation_lines = organisations.lines
    if not organisations.codes and organisations.problem:
        # Said first: without any list every return would be quarantined as unknown and
        # the refresh would fail later with a message about empty tables.
        columns = ", ".join(ORGANISATION_COLUMNS)
        if folder.organisations is None:
            problem = f"{ORGANISATIONS_FILE} is missing from {folder.root}"
        else:
            problem = f"{ORGANISATIONS_FILE} cannot be used ({organisations.problem})"
        raise LandingFolderError(
            f"{problem} and no list was landed before: add it (columns {columns}) and run again"
        )

    slots = _present_files(folder.returns, log, content_hash)
    known = known_versions(con)
    threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
    con.execute(f"SET checkpoint_threshold = '{RUN_CHECKPOINT_THRESHOLD}'")
    batch: list[tuple[PresentFile, StagedVersion | UnreadableFile]] = []

    def land_batch() -> None:
        for (present, read), outcome in zip(
            batch, _store_batch(con, batch, landed_at, log), strict=True
        ):
            report.landed += 1
            log.info(
                f"landed {present.item.relative_path}: {outcome.rows} rows, "
                f"{outcome.rows_without_consent} without consent, {outcome.invalid_cells} invalid cells"
            )
            drop_stage(con, read)
        batch.clear()

    new_files = []
    for slot_files in slots.values():
        for present in slot_files:
            if (present.item.slot, present.sha) in known:
                report.unchanged += 1
            else:
                known.add((present.item.slot, present.sha))
                new_files.append(present)
    try:
        with _stage_database(con):
            for present, read in _staged(con, new_files, limits, batch_limits):
                if isinstance(read, ChangedWhileLanding):
                    log.warning(f"{read}: not landed this run, the next run lands it")
                    report.changed_while_landing.append(present.item.relative_path)
                    _forget(slots, present)
                    continue
                if isinstance(read, LandingFailed):
                    log.error(
                        f"{present.item.relative_path}: landing failed, quarantined as unreadable: {read}"
                    )
                batch.append((present, read))
                staged = sum(r.rows for _p, r in batch if isinstance(r, StagedVersion))
                if staged >= batch_limits.rows or len(batch) >= batch_limits.files:
                    land_batch()
            if batch:
                land_batch()
    finally:
        con.execute(f"SET checkpoint_threshold = '{threshold}'")
    con.execute("CHECKPOINT")

    con.execute("BEGIN TRANSACTION")
    report.status_changes = apply_statuses(con, slots, organisations.codes, organisations.left_out)
    con.execute("COMMIT")

    present_keys = {(p.item.relative_path, p.sha) for files in slots.values() for p in files}
    rows = con.execute(
        "SELECT source_path, source_sha256, reason FROM raw.file_registry WHERE status = ?",
        [QUARANTINED],
    ).fetchall()
    report.quarantined = dict(
        sorted((path, reason) for path, sha, reason in rows if (path, sha) in present_keys)
    )
    log.info(
        f"{report.landed} files landed, {report.unchanged} files unchanged, "
        f"{report.status_changes} registry statuses changed, {len(report.ignored)} files ignored"
    )
    for path, reason in report.quarantined.items():
        log.warning(f"quarantined {path}: {reason}")
    return report
