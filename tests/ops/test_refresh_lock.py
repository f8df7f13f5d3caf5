"""The refresh lock: one holder, a one-line refusal naming it, waiting, and a killed holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dagster_project.refresh_lock import RefreshLock, WarehouseBusy, lock_path_for, read_holder

HOLDER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from dagster_project.refresh_lock import RefreshLock
    lock = RefreshLock(Path(sys.argv[1])).acquire(run_id="run-held", command="poet run")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    lock.release()
    """
)


def start_holder(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds the lock for `seconds`; returns once it holds it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_second_acquire_is_refused_naming_the_holder(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = start_holder(warehouse, 30)
    try:
        with pytest.raises(WarehouseBusy) as refused:
            RefreshLock(warehouse).acquire(run_id="second", command="poet run")
        message = str(refused.value)
        assert "\n" not in message
        assert (
            "run run-held" in message and f"pid {holder.pid}" in message and "started 20" in message
        )
        assert read_holder(warehouse).pid == holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_waiting_acquire_gets_the_lock_when_the_holder_ends(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = start_holder(warehouse, 2)
    waited_for = []
    started = time.monotonic()
    lock = RefreshLock(warehouse).acquire(
        run_id="second", command="poet run", wait=True, on_wait=waited_for.append
    )
    try:
        assert time.monotonic() - started >= 1
        assert [h.run_id for h in waited_for] == ["run-held"]
        assert lock.stale is None  # released cleanly, not a killed run's trace
        assert read_holder(warehouse).run_id == "second"
    finally:
        lock.release()
        holder.wait()
    assert read_holder(warehouse) is None


def test_waiting_gives_up_after_its_timeout(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = start_holder(warehouse, 30)
    try:
        with pytest.raises(WarehouseBusy):
            RefreshLock(warehouse).acquire(run_id="x", command="dagster run", wait=True, timeout=1)
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_is_detected_and_cleared(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = start_holder(warehouse, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert read_holder(warehouse).pid == holder.pid  # the trace of the killed run
    lock = RefreshLock(warehouse).acquire(run_id="next", command="poet run")
    try:
        assert lock.stale is not None and lock.stale.pid == holder.pid
        assert lock.stale.run_id == "run-held"
        assert read_holder(warehouse).run_id == "next"
    finally:
        lock.release()


def test_reentrant_within_one_process(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    outer = RefreshLock(warehouse).acquire(run_id="outer", command="poet run")
    inner = RefreshLock(warehouse).acquire(run_id="inner", command="dagster run")
    inner.release()
    assert read_holder(warehouse).run_id == "outer"  # still held by the outer
    outer.release()
    assert read_holder(warehouse) is None
    assert lock_path_for(warehouse).exists()  # never unlinked: no race on the inode
