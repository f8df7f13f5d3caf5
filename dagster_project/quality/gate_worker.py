"""The gates' Great Expectations work, in worker processes (DECISIONS R37).

A gate step reads each batch of columns from DuckDB as an Arrow table in the run's
process and sends it here; a worker converts it to pandas and validates it with the
expectations (engine.py). Great Expectations is imported by the worker server
(workers.py), which a run starts before it imports Dagster: its import and its
per-expectation bookkeeping no longer hold the run's interpreter lock, so landing and
dbt do not wait for them. The process's two shared workers (one per core,
`workers.shared`) are forked once and reused by every gate; the warm-up forks them while
landing runs (warm_up.py), which reads its large spreadsheets in them. A large
table's batches are validated two at a time while the run's process reads the next one
and runs the SQL checks (`Validations`).

When a worker cannot be used (it died, or the process cannot fork one), the batch is
validated in this process instead, with the same code: a gate never passes unchecked.
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from dagster_project import workers

if TYPE_CHECKING:
    import pyarrow as pa

    from dagster_project.quality.outcomes import ExpectationOutcome

_LOGGER = logging.getLogger(__name__)
WORKERS = workers.WORKERS
IN_FLIGHT = WORKERS + 1  # batches sent and not yet answered, at most


def _ready() -> bool:
    from dagster_project.quality import engine

    return engine.ready()


def _validate_here(
    table: pa.Table, expectations: list[dict], suite_name: str
) -> list[ExpectationOutcome]:
    from dagster_project.quality import engine

    return engine.validate(table, expectations, suite_name)


def start() -> None:
    """Fork the workers (their Great Expectations context was made by the server);
    returns once they are running."""
    pool = workers.shared()
    if pool is None:
        return
    try:
        for future in [pool.submit(_ready) for _ in range(WORKERS)]:
            future.result()
        workers.answered(pool)
    except Exception as error:  # in a background thread: the first gate meets it again
        _LOGGER.debug("gate workers could not start: %s", error)
        workers.failed(pool)


class Validations:
    """A gate's batches, validated in the workers in the order they were added."""

    def __init__(self, in_flight: int = IN_FLIGHT) -> None:
        # A gate prepared ahead of its step (prefetch.py) sends every batch at once: it
        # holds a small table only.
        self._in_flight = in_flight
        self._pending: deque[tuple[Future | None, ProcessPoolExecutor | None, tuple]] = deque()
        self._outcomes: list[ExpectationOutcome] = []

    def add(self, table: pa.Table, expectations: list[dict], suite_name: str) -> None:
        if not expectations:
            return
        job = (table, expectations, suite_name)
        future = None
        pool = workers.shared()
        if pool is not None:
            try:
                future = pool.submit(_validate_here, *job)
            except (BrokenProcessPool, RuntimeError, OSError) as error:
                self._failed(pool, error)
        self._pending.append((future, pool, job))
        while len(self._pending) >= self._in_flight:
            self._collect()

    def outcomes(self) -> list[ExpectationOutcome]:
        while self._pending:
            self._collect()
        return self._outcomes

    def _collect(self) -> None:
        future, pool, job = self._pending.popleft()
        if future is not None:
            try:
                self._outcomes += future.result()
                workers.answered(pool)
                return
            except BrokenProcessPool as error:
                self._failed(pool, error)
        self._outcomes += _validate_here(*job)

    @staticmethod
    def _failed(pool: ProcessPoolExecutor, error: BaseException) -> None:
        _LOGGER.warning("gate worker failed (%s): validating in this process", error)
        workers.failed(pool)
