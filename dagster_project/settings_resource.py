"""The settings of a run as a Dagster resource, and the run's hold on the working warehouse.

`definitions.py` reads the environment once (`Settings.from_env()`) and builds this
resource from it; assets and sensors receive it as the `settings` resource and never read
the environment again. Its values are the run's configuration: the UI shows them on the
code location's Resources page, and `setup_for_execution` logs them at the start of every
run.

Every run that touches the working warehouse takes the refresh lock
(`refresh_lock.py`) while its resources are set up: with the in-process executor a run
sets its resources up once, before its first step, and tears them down after its last.
`WarehouseResource`, the dbt resource and this resource each take it (re-entrant within
the run's process), so any selection a person launches from the UI is covered. A run
launched by Dagster (UI, sensor, schedule) waits its turn; `poet run` already holds the
lock when the run starts.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from dagster_project import fingerprint
from dagster_project.landing.layout import LandingFolderError
from dagster_project.refresh_lock import Holder, RefreshLock
from dagster_project.settings import Settings

# A Dagster-launched run waits this long for the run ahead of it, then fails before any step.
DEFAULT_LOCK_WAIT_SECONDS = 6 * 3600.0


def hold_refresh_lock(
    warehouse: str, context: dg.InitResourceContext, wait_seconds: float
) -> RefreshLock | None:
    """Take the refresh lock for this run (None outside a run, e.g. a sensor's evaluation)."""
    if context.run is None:
        return None
    run_id = context.run.run_id
    log = context.log

    def say(message: str) -> None:
        """In the run's event log (what the UI shows), else the resource's log."""
        if context.instance is not None:
            context.instance.report_engine_event(message, context.run)
        elif log is not None:
            log.info(message)

    def on_wait(holder: Holder | None) -> None:
        who = holder.describe() if holder else "another process"
        say(f"waiting for {who} to release the working warehouse")

    lock = RefreshLock(Path(warehouse))
    lock.acquire(
        run_id=run_id, command="dagster run", wait=True, timeout=wait_seconds, on_wait=on_wait
    )
    if lock.stale is not None:
        say(f"cleared the lock left by {lock.stale.describe()}: that process is gone")
        _close_killed_run(context, lock.stale)
    return lock


def _close_killed_run(context: dg.InitResourceContext, stale: Holder) -> None:
    """A killed run stays 'started' in the run history: mark it failed."""
    if context.instance is None:
        return
    run = context.instance.get_run_by_id(stale.run_id)
    if run is not None and not run.is_finished:
        context.instance.report_run_failed(
            run, message=f"its process (pid {stale.pid}) was killed; the next run cleared its lock"
        )


class SettingsResource(dg.ConfigurableResource):
    """Where a run reads and writes (absolute paths; see settings.py and README)."""

    landing_dir: str
    warehouse: str
    published: str
    dagster_home: str
    # POET_POSTGRES_URL (opt-in PostgreSQL publish); keep the password in ~/.pgpass, not here.
    postgres_url: str | None = None
    # DuckDB's memory_limit and spill folder (the warehouse and dbt resources use them;
    # here so the run's record of its settings is the one `poet run` compares with).
    duckdb_memory_limit: str = "4GB"
    duckdb_temp_dir: str = ""
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    _lock: RefreshLock | None = PrivateAttr(default=None)
    _fingerprint: fingerprint.Fingerprint | None = PrivateAttr(default=None)

    # Field for field the Settings dataclass (paths as text), so a run records exactly the
    # settings `poet run` compares with; a setting left out here once broke that.
    @classmethod
    def from_settings(cls, settings: Settings) -> SettingsResource:
        return cls(
            **{
                f.name: str(v) if isinstance(v := getattr(settings, f.name), Path) else v
                for f in dataclasses.fields(Settings)
            }
        )

    def to_settings(self) -> Settings:
        paths = {name for name, kind in typing.get_type_hints(Settings).items() if kind is Path}
        return Settings(
            **{
                f.name: Path(v) if f.name in paths else v
                for f in dataclasses.fields(Settings)
                for v in [getattr(self, f.name)]
            }
        )

    @property
    def fingerprint(self) -> fingerprint.Fingerprint | None:
        """What the run read, taken when it started (None outside a run)."""
        return self._fingerprint

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock = hold_refresh_lock(self.warehouse, context, self.lock_wait_seconds)
        if context.run is None:
            return
        try:
            # Taken before landing reads anything: if a file changes during the run, the
            # record says the older content and the next refresh rebuilds (never the reverse).
            self._fingerprint = fingerprint.take(self.to_settings())
        except (LandingFolderError, OSError):
            self._fingerprint = None  # landing fails with its own message
        # In the run's event log: the UI shows the configuration the run used.
        message = (
            f"settings: landing {self.landing_dir}, working warehouse {self.warehouse}, "
            f"published {self.published}, DuckDB memory limit {self.duckdb_memory_limit}"
            + (f", inputs {self._fingerprint.digest[:12]}" if self._fingerprint else "")
        )
        if context.instance is not None:
            context.instance.report_engine_event(message, context.run)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()
