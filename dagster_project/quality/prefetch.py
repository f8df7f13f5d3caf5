"""A gate's Great Expectations work, started as soon as its table is built (DECISIONS R38).

A run's steps execute one at a time, so the gates of a layer (eleven marts, nine
statistics tables) ran one after another, each waiting for the workers to validate its
own batches. The step that builds a gated table now sends that table's batches to the
gate workers as it ends (the run's hook, `jobs.py`); the gate step then finds them
validated or under way, and only runs its SQL checks and gathers the outcomes. The
workers validate the next gates' batches while this process runs the current gate's SQL
checks and Dagster's bookkeeping.

Only a small table (up to runner.ONE_BATCH_ROWS rows) is prepared ahead: its batches
are sent all at once, and a large one's would hold its columns in memory. A gate uses
what was prepared only when nothing changed in between: same run, same file versions to
check, same row count; otherwise it reads the table again. A preparation that failed is
simply not used: the gate does the work itself and reports what goes wrong.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from dagster_project.quality.runner import ONE_BATCH_ROWS, Submitted, Suite, submit, table_columns

if TYPE_CHECKING:
    from dagster_project.quality.gated_tables import GatedTable
    from dagster_project.warehouse import WarehouseResource

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
# (run id, schema.table) -> the gate's first half, being prepared or prepared
_PREPARED: dict[tuple[str, str], Future[Submitted | None]] = {}
_THREAD: list[ThreadPoolExecutor] = []
# Every batch of a prepared table goes out at once (its gate gathers them).
_ALL_AT_ONCE = 1_000_000


def _executor() -> ThreadPoolExecutor:
    with _LOCK:
        if not _THREAD:
            _THREAD.append(ThreadPoolExecutor(1, thread_name_prefix="poet-gate-prefetch"))
        return _THREAD[0]


def _prepare(warehouse: WarehouseResource, gated: GatedTable, forced: bool) -> Submitted | None:
    # It imports this module.
    from dagster_project.quality.checks import carried_outcomes, versions_to_check

    with warehouse.connect() as con:
        if not table_columns(con, gated.qualified):  # its gate says the table is missing
            return None
        [(rows,)] = con.execute(f"SELECT count(*) FROM {gated.qualified}").fetchall()
        if rows > ONE_BATCH_ROWS:
            return None
        versions, digest = versions_to_check(con, gated, warehouse.path, forced, read_only=True)
        suite = Suite.load(gated.suite_path)
        # An unchanged table's gate repeats its recorded verdicts: nothing to validate.
        _, carried = carried_outcomes(con, gated, suite, versions, digest, forced)
        return submit(con, suite, versions, in_flight=_ALL_AT_ONCE, carried=carried)


def _quietly(job, *args) -> Submitted | None:
    try:
        return job(*args)
    except Exception as error:  # the gate does the work itself and reports the error
        _LOGGER.debug("gate prefetch failed: %s", error)
        return None


def start(
    run_id: str, warehouse: WarehouseResource, tables: list[GatedTable], forced: bool
) -> None:
    """Send the tables' batches to the gate workers, in the background, in order."""
    for gated in tables:
        future = _executor().submit(_quietly, _prepare, warehouse, gated, forced)
        with _LOCK:
            _PREPARED[(run_id, gated.qualified)] = future


def take(run_id: str, qualified: str) -> Submitted | None:
    """The gate's first half, if it was prepared in this run (waits for it); the gate
    checks that it is still current (runner.still_current)."""
    with _LOCK:
        future = _PREPARED.pop((run_id, qualified), None)
    return None if future is None else future.result()


def settle(run_id: str | None = None) -> None:
    """Wait until nothing is being prepared (each preparation holds a connection to the
    warehouse). With `run_id` (the run's end), also drop what that run prepared and did
    not use, and end the thread: `poet` exits without Python's finalisation only when no
    other thread is left (cli.entry_point)."""
    with _LOCK:
        futures = list(_PREPARED.values())
        if run_id is not None:
            for key in [k for k in _PREPARED if k[0] == run_id]:
                del _PREPARED[key]
    for future in futures:
        future.exception()  # waits; a failure was logged and is not used
    if run_id is not None:
        with _LOCK:
            threads = list(_THREAD)
            _THREAD.clear()
        for executor in threads:
            executor.shutdown(wait=True)
