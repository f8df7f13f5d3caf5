"""One refresh at a time: an advisory lock beside the working warehouse.

Every refresh (`poet run`, and the runs the UI, the sensor and the schedule launch)
takes the lock before it touches the working warehouse and holds it to the end. The
lock is `flock(2)` on `<warehouse>.lock`: the kernel drops it when the holding process
dies, however it dies, so a killed run can never block the next one. The file also
says who holds it (run id, pid, start time, command) for the one-line refusal; a file
that still names a holder while nobody holds the lock is the trace of a killed run,
reported and cleared by the next one.

Pure Python on purpose: `poet run` takes the lock before it imports Dagster.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_SUFFIX = ".lock"
WAIT_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) the working warehouse."""

    run_id: str
    pid: int
    started_at: str  # ISO 8601, UTC
    command: str

    def describe(self) -> str:
        return f"run {self.run_id} (pid {self.pid}, {self.command}, started {self.started_at})"


class WarehouseBusy(RuntimeError):
    """Another refresh holds the working warehouse."""

    def __init__(self, lock_path: Path, holder: Holder | None):
        self.lock_path = lock_path
        self.holder = holder
        who = holder.describe() if holder else "another process (no details in the lock file)"
        super().__init__(f"the working warehouse is in use by {who}; try again later or use --wait")


def lock_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + LOCK_SUFFIX)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _read_holder(fd: int) -> Holder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = b""
    while chunk := os.read(fd, 4096):
        raw += chunk
    if not raw.strip():
        return None
    try:
        return Holder(**json.loads(raw))
    except (ValueError, TypeError):
        return Holder(
            run_id="unknown", pid=0, started_at="unknown", command=raw[:60].decode(errors="replace")
        )


def read_holder(warehouse: Path) -> Holder | None:
    """Who the lock file names, without taking the lock (None when it names nobody)."""
    path = lock_path_for(warehouse)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _read_holder(fd)
    finally:
        os.close(fd)


def _write_holder(fd: int, holder: Holder | None) -> None:
    os.ftruncate(fd, 0)
    if holder is not None:
        os.pwrite(fd, json.dumps(asdict(holder)).encode(), 0)
    os.fsync(fd)


@dataclass
class _Held:
    fd: int
    holder: Holder
    depth: int


# warehouse lock path -> what this process holds. A process takes the lock once: `poet run`
# holds it and the run's resources, initialised in the same process, re-enter it.
_HELD: dict[str, _Held] = {}


class RefreshLock:
    """The lock of one working warehouse. Use `with RefreshLock(...).acquire(...)`."""

    def __init__(self, warehouse: Path):
        self.warehouse = Path(warehouse)
        self.path = lock_path_for(self.warehouse)
        self.stale: Holder | None = None  # set when acquiring cleared a killed run's trace

    def held_here(self) -> Holder | None:
        held = _HELD.get(str(self.path))
        return held.holder if held else None

    def acquire(
        self,
        run_id: str,
        command: str,
        wait: bool = False,
        timeout: float | None = None,
        on_wait: Callable[[Holder | None], None] | None = None,
    ) -> RefreshLock:
        """Take the lock; raise WarehouseBusy when held elsewhere and not waiting (or timed out).

        Re-entrant within one process: the second acquire only counts.
        """
        key = str(self.path)
        if key in _HELD:
            _HELD[key].depth += 1
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._lock(fd, wait, timeout, on_wait)
            previous = _read_holder(fd)
            # The kernel released the lock of whoever wrote this: that process is gone
            # (or no longer holds it): a killed run's trace.
            self.stale = previous
            holder = Holder(
                run_id=run_id,
                pid=os.getpid(),
                started_at=datetime.now(UTC).isoformat(timespec="seconds"),
                command=command,
            )
            _write_holder(fd, holder)
        except BaseException:
            os.close(fd)
            raise
        _HELD[key] = _Held(fd=fd, holder=holder, depth=1)
        return self

    def _lock(
        self,
        fd: int,
        wait: bool,
        timeout: float | None,
        on_wait: Callable[[Holder | None], None] | None,
    ) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _read_holder(fd)
        if not wait:
            raise WarehouseBusy(self.path, holder)
        if on_wait is not None:
            on_wait(holder)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            time.sleep(WAIT_POLL_SECONDS)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if deadline is not None and time.monotonic() > deadline:
                    raise WarehouseBusy(self.path, _read_holder(fd)) from None

    def set_run_id(self, run_id: str) -> None:
        """Name the run once it is known (a lock taken before the run was created)."""
        held = _HELD.get(str(self.path))
        if held is None or held.holder.run_id == run_id:
            return
        held.holder = Holder(**{**asdict(held.holder), "run_id": run_id})
        _write_holder(held.fd, held.holder)

    def release(self) -> None:
        key = str(self.path)
        held = _HELD.get(key)
        if held is None:
            return
        held.depth -= 1
        if held.depth > 0:
            return
        del _HELD[key]
        try:
            _write_holder(held.fd, None)  # names nobody: not a stale trace
            fcntl.flock(held.fd, fcntl.LOCK_UN)
        finally:
            os.close(held.fd)

    def __enter__(self) -> RefreshLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
