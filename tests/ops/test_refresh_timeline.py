"""benchmarks/refresh_timeline.py: the CPU use of a run's processes, interval by interval."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from dagster_project.settings import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from refresh_timeline import _label, _sample  # noqa: E402


def _busy(seconds: float) -> None:
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass


def test_each_sample_gives_the_cpu_seconds_since_the_one_before():
    me = psutil.Process()
    totals: dict[int, float] = {}
    first = _sample(me, totals)
    _busy(0.3)
    second = _sample(me, totals)
    assert first[me.pid] + second[me.pid] == pytest.approx(totals[me.pid])
    assert 0.25 <= second[me.pid] < 1.0


def test_a_process_is_named_by_what_it_is():
    child = subprocess.Popen(
        [sys.executable, "-c", "print('up', flush=True); import time; time.sleep(5)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # Named once it runs its command: between fork and exec its command line is empty.
        assert child.stdout is not None and child.stdout.readline() == "up\n"
        assert _label(child.pid, poet=psutil.Process().pid).startswith(sys.executable)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert _label(child.pid, poet=1) == "ended"
