"""The gates' Great Expectations work, in one worker process (DECISIONS R37).

A gate step reads each batch of columns from DuckDB as an Arrow table in the run's
process and sends it here; the worker converts it to pandas and validates it with the
expectations (engine.py). Great Expectations is imported by the worker server
(workers.py), which a run starts before it imports Dagster: its import and its
per-expectation bookkeeping no longer hold the run's interpreter lock, so landing and
dbt do not wait for them. The worker is forked once per process and reused by every
gate; the warm-up forks it and makes its context while landing runs (warm_up.py).

When the worker cannot be used (it died, or the process cannot fork one), the batch is
validated in this process instead, with the same code: a gate never passes unchecked.
"""

from __future__ import annotations

import atexit
import logging
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from dagster_project import workers

if TYPE_CHECKING:
    import pyarrow as pa

    from dagster_project.quality.outcomes import ExpectationOutcome

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
_POOL: list[ProcessPoolExecutor] = []  # the process's one worker, once forked


def _worker() -> ProcessPoolExecutor:
    with _LOCK:
        if not _POOL:
            _POOL.append(ProcessPoolExecutor(1, mp_context=workers.forkserver_context()))
        return _POOL[0]


def _forget(pool: ProcessPoolExecutor) -> None:
    with _LOCK:
        if _POOL and _POOL[0] is pool:
            _POOL.clear()
    pool.shutdown(wait=False, cancel_futures=True)


def _prepare_here() -> None:
    from dagster_project.quality import engine

    engine.prepare()


def _validate_here(
    table: pa.Table, expectations: list[dict], suite_name: str
) -> list[ExpectationOutcome]:
    from dagster_project.quality import engine

    return engine.validate(table, expectations, suite_name)


def start() -> None:
    """Fork the worker and make its Great Expectations context (waits for both)."""
    pool = _worker()
    try:
        pool.submit(_prepare_here).result()
    except (BrokenProcessPool, OSError) as error:
        _LOGGER.debug("gate worker could not start: %s", error)
        _forget(pool)


def validate(
    table: pa.Table, expectations: list[dict], suite_name: str
) -> list[ExpectationOutcome]:
    """The outcomes of `expectations` on `table`'s rows, from the worker."""
    if not expectations:
        return []
    pool = _worker()
    try:
        return pool.submit(_validate_here, table, expectations, suite_name).result()
    except (BrokenProcessPool, OSError) as error:
        _LOGGER.warning("gate worker failed (%s): validating in this process", error)
        _forget(pool)
        return _validate_here(table, expectations, suite_name)


@atexit.register
def _stop() -> None:
    """Stop the worker before multiprocessing's own exit handler (registered earlier, so
    run later) waits for it to end: `poet` exits without the threading shutdown that
    would otherwise tell it to (cli.entry_point)."""
    with _LOCK:
        pools = list(_POOL)
        _POOL.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)
