"""Great Expectations runs in the gate workers (quality/gate_worker.py, DECISIONS R37):
the same outcomes as in this process, in order, and a dead worker never lets a batch
pass unchecked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pyarrow as pa

from dagster_project import workers
from dagster_project.quality import engine, gate_worker

IN_SET = {
    "type": "expect_column_values_to_be_in_set",
    "kwargs": {"column": "a", "value_set": [1, 2]},
}
NOT_NULL = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "b"}}


def _batches() -> list[tuple[pa.Table, list[dict], str]]:
    """Enough batches to fill the workers' queue (gate_worker.IN_FLIGHT), each failing
    in its own way, so the order of the outcomes shows."""
    return [
        (pa.table({"a": [1, 2, 7 + i, 2], "b": ["x", None, "y", None][: 4 - i % 2] + ["z"] * (i % 2)}),
         [IN_SET, NOT_NULL], f"suite{i}")
        for i in range(gate_worker.IN_FLIGHT + 2)
    ]  # fmt: skip


def _here(batches) -> list:
    return [outcome for batch in batches for outcome in engine.validate(*batch)]


def _in_workers(batches) -> list:
    validations = gate_worker.Validations()
    for batch in batches:
        validations.add(*batch)
    return validations.outcomes()


def test_the_workers_give_the_outcomes_of_this_process_in_order():
    batches = _batches()
    expected = _here(batches)
    assert [o.unexpected_count for o in expected if o.column == "a"] == [1] * len(batches)
    assert [o.examples for o in expected if o.column == "a"] == [
        [7 + i] for i in range(len(batches))
    ]
    assert _in_workers(batches) == expected


def test_a_killed_worker_leaves_no_batch_unchecked():
    batches = _batches()
    expected = _here(batches)
    gate_worker.start()
    pool = workers._SHARED[0]
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    assert _in_workers(batches) == expected  # validated in this process instead
    assert not workers._SHARED or workers._SHARED[0] is not pool
    assert _in_workers(batches) == expected  # and in new workers after that
    assert workers._SHARED and workers._SHARED[0] is not pool


def test_workers_that_cannot_start_are_not_forked_again_for_every_batch():
    """A script read from stdin cannot be imported again by a forked worker: the first
    workers break before answering, and the process then validates every batch itself
    instead of forking new workers for each one."""
    probe = """
import logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="%(message)s")
import pyarrow as pa
from dagster_project.quality import engine, gate_worker
spec = {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a", "value_set": [1]}}
batches = [(pa.table({"a": [1, 2]}), [spec], f"s{i}") for i in range(8)]
validations = gate_worker.Validations()
for batch in batches:
    validations.add(*batch)
got = validations.outcomes()
print("equal", got == [o for b in batches for o in engine.validate(*b)])
"""
    result = subprocess.run(
        [sys.executable, "-"], input=probe, capture_output=True, text=True, timeout=300
    )
    lines = result.stdout.splitlines()
    assert "equal True" in lines, result.stdout + result.stderr[-2000:]
    assert sum("unusable" in line for line in lines) == 1
    assert sum("gate worker failed" in line for line in lines) <= gate_worker.IN_FLIGHT
