"""Worker processes for the CPU-bound steps, forked from one server started early.

Three steps work in worker processes: the gates (Great Expectations, in one worker,
quality/gate_worker.py, DECISIONS R37), the report pack (the national report and the
spreadsheet beside the local reports, DECISIONS V10) and the comment themes (the learned
model's judgement of many new texts, themes/coder.py). The workers are forked from one
`forkserver` that imported the modules they run once. Starting that server is mostly
those imports (Great Expectations, Altair, vl-convert, Jinja2, pandas, scipy), so `poet
run` starts it before it imports Dagster, on the core those imports leave idle, and any
other run starts it when its warm-up forks the gate worker (warm_up.py). This module
imports only the standard library.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

PACK_MODULE = "dagster_project.reports.pack"
THEME_MODEL_MODULE = "dagster_project.themes.learned"
GATE_MODULE = "dagster_project.quality.engine"  # Great Expectations (quality/gate_worker.py)
PRELOADED = [GATE_MODULE, PACK_MODULE, THEME_MODEL_MODULE]
WORKERS = 2  # the machine's cores (docs/refresh.md)


def forkserver_context() -> BaseContext:
    """The process's forkserver context, preloading the workers' modules."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def pool(workers: int = WORKERS) -> ProcessPoolExecutor:
    """Worker processes forked from the server (started now if it is not running)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=forkserver_context())


def start() -> None:
    """Start the forkserver now (a no-op when it is running): its imports happen in its
    own process, beside whatever this one does meanwhile."""
    forkserver_context()
    multiprocessing.forkserver.ensure_running()


def warm_charts() -> None:
    """vl-convert starts its JavaScript engine on the first chart a process renders
    (about 0.4 s); render a one-point chart so the local reports need not."""
    import vl_convert

    vl_convert.vegalite_to_svg(
        {"data": {"values": [{"a": 1}]}, "mark": "point",
         "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    )  # fmt: skip
