"""The process's shared workers (workers.shared) never keep a process from ending."""

from __future__ import annotations

import multiprocessing


def _use_the_workers() -> None:
    from dagster_project import workers

    assert workers.shared().submit(int, "7").result() == 7


def test_a_process_started_by_multiprocessing_ends_after_using_them():
    """Such a process ends through multiprocessing's exit function, which waits for its
    children: the workers are stopped first, not waited for forever."""
    child = multiprocessing.get_context("spawn").Process(target=_use_the_workers)
    child.start()
    child.join(timeout=60)
    ended = not child.is_alive()
    if not ended:
        child.kill()
    assert ended and child.exitcode == 0
