"""Start-up costs of a run's later steps, paid in the background while landing runs.

The gates need their worker process, forked from the worker server once that has
imported Great Expectations, with its context made (quality/gate_worker.py); the first
dbt step imports dbt and parses the project (3-9 s); the report pack needs vl-convert's
engine in this process. None needs the data, so the run's dbt resource starts them in
the background as the run begins (resources.py): the gate worker in a thread of its own
(it waits for the server's imports, in another process), the rest in one thread. The
gate and the dbt step that come first wait for what is not done yet instead of doing it
again. The run ends only after the thread has: it may set dbt's environment variables
while it parses (transform/inprocess.py).

A failure here is not reported: the step that needs the work does it again and says why.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

_LOGGER = logging.getLogger(__name__)


def _prepare_gates() -> None:
    """Fork the gate worker in a thread of its own: it waits for the worker server's
    imports, which the dbt parse must not wait for."""
    from dagster_project.quality import gate_worker

    threading.Thread(target=gate_worker.start, name="poet-gate-worker", daemon=True).start()


def _prepare_dbt(
    project_dir: Path, profiles_dir: Path, target_path: Path, warehouse: str, environment: dict
) -> None:
    from dagster_project.transform import inprocess

    inprocess.prepare(project_dir, profiles_dir, target_path, warehouse, environment)


# The imports hold the GIL for long stretches; a step thread coming back from DuckDB
# (which releases it) waits up to the switch interval for it each time. 5 ms by default.
_SWITCH_INTERVAL_SECONDS = 0.0005


def _prepare_statistics() -> None:
    """Import the statistics' modules (scipy's stats alone is about 1 s), which the
    first statistics step would otherwise import on the run's critical path."""
    from dagster_project.stats import group_tests, odds_ratios, regression  # noqa: F401


def _prepare_reports() -> None:
    from dagster_project import workers

    workers.warm_charts()


def _work(dbt_args: tuple, reports: bool) -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_INTERVAL_SECONDS))
    steps = [(_prepare_gates, ()), (_prepare_dbt, dbt_args), (_prepare_statistics, ())]
    if reports:
        steps.append((_prepare_reports, ()))
    try:
        # In the order the run needs them: the raw gates come before the first dbt step,
        # and the report pack is the last step but one.
        for prepare, args in steps:
            try:
                prepare(*args)
            except Exception as exc:  # the step that needs it does it again and reports it
                _LOGGER.debug("warm-up %s failed: %s", prepare.__name__, exc)
    finally:
        sys.setswitchinterval(interval)


def start(
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path,
    warehouse: str,
    environment: dict,
    reports: bool = False,
) -> threading.Thread:
    """Start the background preparation; join the thread before the run ends. With
    `reports` (the run builds the report pack), this process's chart engine is warmed
    too (workers.py)."""
    thread = threading.Thread(
        target=_work,
        args=((project_dir, profiles_dir, target_path, warehouse, environment), reports),
        name="poet-warm-up",
        daemon=True,
    )
    thread.start()
    return thread
