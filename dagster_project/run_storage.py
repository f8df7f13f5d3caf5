"""Dagster's SQLite storage, with one pool of connections per database file and process.

Dagster's `SqliteEventLogStorage` creates a SQLAlchemy engine, opens a SQLite connection,
closes it and disposes of the engine for every event it stores (a refresh stores about
740, most of them in two files), and asks SQLite whether a table exists, through another
new engine, for every asset check event. Opening a SQLite file and closing the last
connection to it (which checkpoints its write-ahead log) cost far more than the write:
that bookkeeping took 10-15 s of a default-set refresh (docs/refresh-passes.md, "Fifth pass").
This storage keeps one engine per database file with a small pool of open connections,
per process (a forked child starts its own), and remembers tables once found. Files,
tables and transactions are Dagster's own, so the UI, the daemon and runs launched from
the UI read and write them as before; its connections commit without waiting for the
disk (`_commit_without_fsync`). `poet` names it
in the `dagster.yaml` it writes (settings.DAGSTER_INSTANCE_YAML).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData


def _commit_without_fsync(connection, _record) -> None:
    """`synchronous=NORMAL` on each connection: in the write-ahead-log mode Dagster puts
    these files in, a commit then appends to the log without waiting for the disk, and
    the log is synced at checkpoints. A process that dies loses nothing it committed; a
    power cut may lose the last events, never the file's consistency (DECISIONS R44).
    0.4 ms of the 1.2 ms an event took."""
    connection.execute("PRAGMA synchronous=NORMAL")


class EngineCachingEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that reuses one engine, with open connections, per shard
    (run or index file)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, db.Engine] = {}
        self._engines_pid = os.getpid()
        self._tables_present: set[str] = set()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> db.Engine:
        with self._engines_lock:
            if self._engines_pid != os.getpid():  # a forked child never uses its parent's
                self._engines = {}
                self._engines_pid = os.getpid()
            engine = self._engines.get(shard)
            if engine is None:
                engine = db.create_engine(
                    self.conn_string_for_shard(shard),
                    pool_size=2,
                    max_overflow=8,
                    # Uses are serialised by the storage's locks; a pooled connection may
                    # be reused by another thread of this process.
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                db.event.listen(engine, "connect", _commit_without_fsync)
                self._engines[shard] = engine
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        if table_name in self._tables_present:  # tables are added by migrations, never dropped
            return True
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            present = bool(engine.dialect.has_table(conn, table_name))
        if present:
            self._tables_present.add(table_name)
        return present

    def dispose(self) -> None:
        super().dispose()
        with self._engines_lock:
            if self._engines_pid == os.getpid():
                for engine in self._engines.values():
                    engine.dispose()
            self._engines = {}


class PoetSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (runs, event logs, schedules under one folder), with
    the engine-caching event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        # The stock event log it made holds no connection (a new engine per use).
        self._event_log_storage = EngineCachingEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PoetSqliteStorage:  # ty: ignore[invalid-method-override]
        return cls.from_local(inst_data=inst_data, **config_value)
