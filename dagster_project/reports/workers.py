"""The report pack's worker processes, and starting them ahead of the pack step.

The pack writes the national report and the spreadsheet in two processes forked from a
`forkserver` that imported `dagster_project.reports.pack` once (DECISIONS V10). Starting
that server is mostly the import (about 2.5 CPU s: Altair, vl-convert, Jinja2, pandas),
so a run starts it in the background well before the pack step (warm_up.py), and the
step forks its workers from the server already running. This module imports only the
standard library, so the warm-up need not import the pack itself.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from multiprocessing.context import BaseContext

PACK_MODULE = "dagster_project.reports.pack"


def forkserver_context() -> BaseContext:
    """The process's forkserver context, preloading the pack module."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PACK_MODULE])
    return context


def start() -> None:
    """Start the forkserver now (a no-op when it is running): its import of the pack
    happens in its own process, beside whatever this one does meanwhile."""
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
