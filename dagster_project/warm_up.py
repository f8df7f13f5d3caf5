"""Start-up costs of a run's later steps, paid in the background while landing runs.

The first quality gate imports Great Expectations and makes its context (about 6 s), the
first dbt step imports dbt and parses the project (3-9 s), and the report pack starts its
worker server (about 2.5 s of imports) and vl-convert's engine. None needs the data, so
the run's dbt resource starts them in one background thread as the run begins
(resources.py); the gate and the dbt step that come first wait for what is not done yet
(a lock each) instead of doing it again. The run ends only after the thread has: it may
set dbt's environment variables while it parses (transform/inprocess.py).

A failure here is not reported: the step that needs the work does it again and says why.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from pathlib import Path

_LOGGER = logging.getLogger(__name__)


def _prepare_gates() -> None:
    from dagster_project.quality import runner

    runner.prepare()


def _prepare_dbt(
    project_dir: Path, profiles_dir: Path, target_path: Path, warehouse: str, environment: dict
) -> None:
    from dagster_project.transform import inprocess

    inprocess.prepare(project_dir, profiles_dir, target_path, warehouse, environment)


# The imports hold the GIL for long stretches; a step thread coming back from DuckDB
# (which releases it) waits up to the switch interval for it each time. 5 ms by default.
_SWITCH_INTERVAL_SECONDS = 0.0005


def _prepare_reports() -> None:
    from dagster_project import workers

    workers.start()
    workers.warm_charts()


def _work(dbt_args: tuple, reports: bool) -> None:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, _SWITCH_INTERVAL_SECONDS))
    steps = [(_prepare_gates, ()), (_prepare_dbt, dbt_args)]
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


# Packages with circular imports inside that both the warm-up and a step import: two
# threads importing such a package at once can deadlock on its module locks (Python then
# raises `_DeadlockError` in one of them). Seen in CI with narwhals, which Great
# Expectations imports through Altair here while a landing reader imports it through
# pyreadstat. They are imported before the thread starts (about 0.07 s).
SHARED_IMPORTS = ("narwhals.stable.v1", "narwhals.stable.v2")


def start(
    project_dir: Path,
    profiles_dir: Path,
    target_path: Path,
    warehouse: str,
    environment: dict,
    reports: bool = False,
) -> threading.Thread:
    """Start the background preparation; join the thread before the run ends. With
    `reports` (the run builds the report pack), the pack's worker server is started and
    this process's chart engine warmed too (workers.py)."""
    for module in SHARED_IMPORTS:
        importlib.import_module(module)
    thread = threading.Thread(
        target=_work,
        args=((project_dir, profiles_dir, target_path, warehouse, environment), reports),
        name="poet-warm-up",
        daemon=True,
    )
    thread.start()
    return thread
