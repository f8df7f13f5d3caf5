"""The largest marts as Parquet, written while the statistics run (DECISIONS R35, R39).

The publish step writes every mart as Parquet (parquet.py). The respondent-level marts
dbt builds, and the comment themes, are most of that work; nothing changes them after
the step that builds them, and the steps that follow (the gates, the statistics) use
one core most of the time. So in a run that publishes, the dbt marts step starts a
background thread that writes those tables into `<warehouse>.parquet-stage/<run id>/`,
and the comment themes step adds its table (`add`: written after the first thread's,
one table at a time). The publish step moves a staged file into its new Parquet folder
instead of writing the table again, when the published table has the rows the file was
written with. Anything else (a stage that failed, or is another run's, or counted other
rows) is written as before.

The threads use connections of the run's DuckDB database (the warehouse resource's).
A step that opens the file another way waits for it first (`wait`): the report pack
(read only) and the publish (which attaches the file to a database of its own); so does
the end of the run, before the refresh lock is released.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

STAGED_TABLES = ("holder_responses", "carer_responses", "comments")  # by the dbt marts step
THEMES_TABLE = "comment_themes"  # added by its own step


def stage_root(warehouse: str | Path) -> Path:
    return Path(f"{warehouse}.parquet-stage")


@dataclass
class _Stage:
    run_id: str
    folder: Path
    thread: threading.Thread | None = None  # the last writer started
    rows: dict[str, int] = field(default_factory=dict)  # table: rows of its written file
    error: str | None = None


_stages: dict[str, _Stage] = {}  # by warehouse path
_guard = threading.Lock()


def run_publishes(context) -> bool:
    """Whether this run's steps include the publish (a run of some assets may not).
    `context`: the step's Dagster context (Dagster is not imported at this module's
    import: `poet run`'s no-change answer imports the publish stage's guards)."""
    from dagster_project.publish.assets import PUBLISH_KEY

    selection = context.run.asset_selection or context.job_def.asset_layer.selected_asset_keys
    return PUBLISH_KEY in selection


def start(
    warehouse: str,
    run_id: str,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    tables: tuple[str, ...] = STAGED_TABLES,
) -> Path:
    """Start writing `tables` of `marts` as Parquet in the background; returns the folder."""
    wait(warehouse)  # never two stages of one warehouse at once
    root = stage_root(warehouse)
    shutil.rmtree(root, ignore_errors=True)  # the stages of earlier runs
    folder = root / run_id
    folder.mkdir(parents=True)
    stage = _Stage(run_id, folder)
    _write_after(stage, None, connect, tables)
    with _guard:
        _stages[str(warehouse)] = stage
    return folder


def add(
    warehouse: str,
    run_id: str,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    tables: tuple[str, ...],
) -> Path:
    """Write `tables` too, after what this run's stage is writing (a stage is started
    for them when the run has none yet, e.g. a run without the dbt marts step)."""
    with _guard:
        stage = _stages.get(str(warehouse))
    if stage is None or stage.run_id != run_id:
        return start(warehouse, run_id, connect, tables)
    _write_after(stage, stage.thread, connect, tables)
    return stage.folder


def _write_after(
    stage: _Stage,
    previous: threading.Thread | None,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    tables: tuple[str, ...],
) -> None:
    """Start a thread that writes `tables` into the stage once `previous` has finished
    (one table at a time: the steps beside it keep a core)."""
    folder = stage.folder

    def work() -> None:
        if previous is not None:
            previous.join()
        if stage.error is not None:
            return
        try:
            with connect() as con:
                present = {
                    name
                    for (name,) in con.execute(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = 'marts' AND table_catalog = current_database()"
                    ).fetchall()
                }
                for name in tables:
                    if name not in present:
                        continue
                    path = folder / f"{name}.parquet"
                    # COPY answers with the rows it wrote, all from one snapshot.
                    (rows,) = con.execute(
                        f"COPY (SELECT * FROM marts.\"{name}\") TO '{path}' "
                        "(FORMAT parquet, COMPRESSION zstd)"
                    ).fetchone()
                    stage.rows[name] = rows
        except Exception as exc:  # noqa: BLE001 - the publish writes the tables itself
            stage.error = f"{type(exc).__name__}: {exc}".splitlines()[0]

    thread = threading.Thread(target=work, name="parquet-stage")
    thread.start()
    with _guard:
        stage.thread = thread  # the last of the chain: joining it joins them all


def wait(warehouse: str) -> None:
    """Return once no stage of `warehouse` is writing."""
    with _guard:
        stage = _stages.get(str(warehouse))
        thread = stage.thread if stage is not None else None
    if thread is not None:
        thread.join()


def collect(warehouse: str, run_id: str) -> tuple[dict[str, tuple[Path, int]], str | None]:
    """(staged files of this run by table, with the rows each holds; why there are none)."""
    wait(warehouse)
    with _guard:
        stage = _stages.get(str(warehouse))
    if stage is None or stage.run_id != run_id:
        return {}, "no stage of this run"
    if stage.error is not None:
        return {}, f"the stage failed ({stage.error})"
    return {name: (stage.folder / f"{name}.parquet", n) for name, n in stage.rows.items()}, None


def discard(warehouse: str) -> None:
    """Remove the stage folder: at the end of every run (the warehouse resource's
    teardown), after the publish took what it could or when the run failed before it."""
    wait(warehouse)
    with _guard:
        _stages.pop(str(warehouse), None)
    shutil.rmtree(stage_root(warehouse), ignore_errors=True)
