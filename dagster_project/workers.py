"""Worker processes for the CPU-bound steps, forked from one server started early.

Four steps work in worker processes: landing's large spreadsheets and SPSS files
(landing/readers.py, DECISIONS L11), the gates (Great Expectations, quality/gate_worker.py,
DECISIONS R37), the report pack (the national report and the
spreadsheet beside the local reports, DECISIONS V10) and the comment themes (the learned
model's judgement of many new texts, themes/coder.py). The workers are forked from one
`forkserver` that imported the modules they run once. Starting that server is mostly
those imports (Great Expectations, Altair, vl-convert, Jinja2, pandas, scipy), so `poet
run` starts it before it imports Dagster, on the core those imports leave idle, and any
other run starts it when its warm-up forks the gate worker (warm_up.py). This module
imports only the standard library.

Landing and the gates share the process's two workers (`shared`), forked once and
reused: landing is over before the first gate. When they cannot be used (one died, or
the process cannot fork them) the caller does the work itself, with the same code.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

PACK_MODULE = "dagster_project.reports.pack"
THEME_MODEL_MODULE = "dagster_project.themes.learned"
GATE_MODULE = "dagster_project.quality.engine"  # Great Expectations (quality/gate_worker.py)
PRELOADED = [GATE_MODULE, PACK_MODULE, THEME_MODEL_MODULE]
WORKERS = 2  # the machine's cores (docs/refresh.md)

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
_SHARED: list[ProcessPoolExecutor] = []  # the process's shared workers, once forked
# Workers that broke before they answered once (e.g. a process whose main module cannot
# be imported again, such as a script read from stdin) would break again: this process
# then does their work itself.
_UNUSABLE: list[bool] = []
_STARTED: list[bool] = []  # this process started the worker server (`start`)


def forkserver_context() -> BaseContext:
    """The process's forkserver context, preloading the workers' modules."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def pool(workers: int = WORKERS) -> ProcessPoolExecutor:
    """Worker processes forked from the server (started now if it is not running)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=forkserver_context())


def shared(if_started: bool = False) -> ProcessPoolExecutor | None:
    """The process's shared workers (forked on first use), or None once they proved
    unusable. Call `answered` after a result, `failed` when they broke.

    With `if_started`, None unless this process has started the worker server or the
    shared workers already (`poet run` and a run's warm-up do, for the gates): a caller
    that could do its work here does not pay for the server's imports alone."""
    with _LOCK:
        if _UNUSABLE:
            return None
        if not _SHARED:
            if if_started and not _STARTED:
                return None
            _SHARED.append(pool())
        return _SHARED[0]


def answered(workers: ProcessPoolExecutor) -> None:
    workers.poet_answered = True


def failed(workers: ProcessPoolExecutor) -> None:
    """Drop broken workers (the caller says why): the next call of `shared` forks new
    ones, unless these never answered once."""
    with _LOCK:
        if _SHARED and _SHARED[0] is workers:
            _SHARED.clear()
        if not getattr(workers, "poet_answered", False) and not _UNUSABLE:
            _UNUSABLE.append(True)
            _LOGGER.warning("worker processes unusable in this process: it does their work")
    workers.shutdown(wait=False, cancel_futures=True)


def _stop() -> None:
    """Stop the shared workers before multiprocessing's own exit function waits for the
    process's children to end, the workers among them."""
    with _LOCK:
        pools = list(_SHARED)
        _SHARED.clear()
    for workers in pools:
        workers.shutdown(wait=True, cancel_futures=True)


# `poet` exits without the threading shutdown that would otherwise tell the workers to end
# (cli.entry_point): atexit runs `_stop` before multiprocessing's exit function, which
# was registered earlier (when this module imported multiprocessing.forkserver). A
# process started by multiprocessing (a benchmark's phase, a test's child) ends through
# that function instead of atexit; it runs finalizers of priority >= 0 before its joins.
atexit.register(_stop)
multiprocessing.util.Finalize(None, _stop, exitpriority=100)


def start() -> None:
    """Start the forkserver now (a no-op when it is running): its imports happen in its
    own process, beside whatever this one does meanwhile."""
    forkserver_context()
    multiprocessing.forkserver.ensure_running()
    with _LOCK:
        _STARTED[:] = [True]


def warm_charts() -> None:
    """vl-convert starts its JavaScript engine on the first chart a process renders
    (about 0.4 s); render a one-point chart so the local reports need not."""
    import vl_convert

    vl_convert.vegalite_to_svg(
        {"data": {"values": [{"a": 1}]}, "mark": "point",
         "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    )  # fmt: skip
