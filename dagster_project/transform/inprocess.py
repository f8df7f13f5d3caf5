"""dbt inside the step's own process: one import and one parse per run, not three.

`DbtCliResource.cli` starts dbt as a subprocess for every step, and each one imports dbt
(about 3.5 s), loads its partial-parse state and writes the manifest again (about 2 s),
and shuts down (about 1 s): some 20 s of the three dbt steps of a refresh, whatever the
size of the data (docs/refresh.md). Here dbt runs with `dbtRunner` in a thread of the
step's process, on a manifest parsed once per process and warehouse, and each result
event becomes the same Dagster events dagster-dbt makes of it
(`DbtCoreCliEventMessage.to_default_asset_events`): a materialisation per model and
seed, an asset check result per data test. dbt's own progress lines go to stdout (the
step's compute log), as dagster-dbt re-emits them from the subprocess.

The selection of a step (all of its layer, or the subset a person picked in the UI) is
computed by dagster-dbt itself (`get_updated_cli_invocation_params_for_context`).
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject
from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from dagster_project.transform import parse_state

# dbt's events that carry a node's result: the ones dagster-dbt turns into Dagster events.
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
_FINISHED = object()
# (project folder, its newest file's mtime, warehouse, target folder) -> dbt's Manifest
_MANIFESTS: dict[tuple[str, float, str, str], Any] = {}
# One dbt invocation at a time in the process, and its environment variables with it: a
# dbt step waits here for a parse started ahead of it in the background (warm_up.py).
DBT_LOCK = threading.RLock()


def _common_args(project_dir: Path, profiles_dir: Path, target_path: Path) -> list[str]:
    return [
        "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir),
        "--target-path", str(target_path), "--log-path", str(target_path),
    ]  # fmt: skip


def _invoke(args: list[str], manifest: Any = None, callbacks: list | None = None) -> Any:
    from dbt.cli.main import dbtRunner

    parse_state.install()  # one partial-parse state for every warehouse (DECISIONS R31)

    # Console logging off (the callbacks see every event); dbt.log in the target folder
    # keeps info and above (the SQL of each node is in target/run and target/compiled).
    # No manifest.json or run_results.json: nothing reads them in a run (the step's
    # summary comes from the result returned here, partial parsing from its own file),
    # and writing them cost 0.3-0.6 s of each invocation (docs/refresh-passes.md).
    flags = [
        "--log-level",
        "none",
        "--log-level-file",
        "info",
        "--no-use-colors",
        "--no-write-json",
    ]
    try:
        return dbtRunner(manifest=manifest, callbacks=callbacks or []).invoke(flags + args)
    finally:
        _release_warehouse()


def _release_warehouse() -> None:
    """dbt-duckdb keeps its DuckDB database open in the process after an invocation (it
    closes it at exit): close it, so the next step (or a subprocess) can open the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()


def parsed_manifest(
    project_dir: Path, profiles_dir: Path, target_path: Path, warehouse: str
) -> Any:
    """dbt's Manifest of the project, parsed once per process for each warehouse (the
    database name of every node is the warehouse file's name) and again when a project
    file changes. Parsing reuses the target folder's partial-parse state, or the
    project's own for a new target folder (parse_state.py), so it costs about 1-3 s
    unless a project file changed."""
    from dagster_project.transform.project import DBT_PROJECT, newest_source_mtime

    key = (str(project_dir), newest_source_mtime(project_dir), warehouse, str(target_path))
    with DBT_LOCK:
        if key not in _MANIFESTS:
            parse_state.seed(target_path, Path(DBT_PROJECT.project_dir) / "target")
            result = _invoke(["parse", *_common_args(project_dir, profiles_dir, target_path)])
            if not result.success:
                raise dg.Failure(f"dbt could not parse the project: {result.exception}")
            _MANIFESTS[key] = result.result
        return _MANIFESTS[key]


def prepare(
    project_dir: Path, profiles_dir: Path, target_path: Path, warehouse: str, environment: dict
) -> None:
    """Import dbt and parse the project as the first dbt step of a run would, in the
    step's environment (warm_up.py)."""
    from dagster_project.transform.project import dbt_environment

    with DBT_LOCK, dbt_environment(**environment):
        parsed_manifest(project_dir, profiles_dir, target_path, warehouse)


def _run_in_thread(args: list[str], manifest: Any) -> Iterator[Any]:
    """Yield dbt's events as they happen (result events as dicts, progress lines as
    text), then the dbtRunnerResult."""
    events: queue.Queue = queue.Queue()

    def on_event(message: Any) -> None:
        info = message.info
        if info.name in RESULT_EVENTS:
            from dbt_common.events.functions import msg_to_dict

            events.put(msg_to_dict(message))
        elif info.level in ("info", "warn", "error") and info.msg:
            events.put(info.msg)

    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = _invoke(args, manifest, [on_event])
        except BaseException as error:  # reported by the step, never lost in the thread
            outcome["error"] = error
        finally:
            events.put(_FINISHED)

    thread = threading.Thread(target=work, name="dbt", daemon=True)
    thread.start()
    while (item := events.get()) is not _FINISHED:
        yield item
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["result"]


def node_statuses(result: Any) -> list[tuple[str, str]]:
    """(unique id, status) of every node an invocation ran, as run_results.json lists them."""
    return [
        (item.node.unique_id, str(item.status))
        for item in getattr(getattr(result, "result", None), "results", None) or []
    ]


def _failure_text(result: Any) -> str:
    """What went wrong, one line per failed node (dbt's own messages)."""
    if result.exception is not None:
        return f"dbt failed: {result.exception}"
    failed = [
        f"{item.node.unique_id}: {str(item.message or item.status).splitlines()[0]}"
        for item in getattr(result.result, "results", [])
        if str(item.status) in ("error", "fail", "runtime error")
    ]
    return "dbt build failed: " + ("; ".join(failed) if failed else "see dbt.log in the target")


def stream_build(
    context: dg.AssetExecutionContext,
    args: list[str],
    *,
    project: DbtProject,
    translator: DagsterDbtTranslator,
    target_path: Path,
    warehouse: str,
    finished: list | None = None,
) -> Iterator[Any]:
    """Run `dbt <args>` for the step's selection in this process and yield its Dagster
    events; fail the step after the last one if dbt failed (as `DbtCliInvocation.stream`).
    dbt's result is appended to `finished` before that, failed or not."""
    # The manifest and translator come from the step's assets definition (the `{}` is
    # used only without one, which a dbt step always has).
    params = get_updated_cli_invocation_params_for_context(
        context=context, manifest={}, dagster_dbt_translator=translator
    )
    project_dir = Path(
        params.dbt_project.project_dir if params.dbt_project else project.project_dir
    )
    profiles_dir = Path(project.profiles_dir)
    common = _common_args(project_dir, profiles_dir, target_path)
    # A generated selector lives in a temporary copy of the project: dbt parses that copy.
    preparsed = (
        parsed_manifest(project_dir, profiles_dir, target_path, warehouse)
        if project_dir == Path(project.project_dir)
        else None
    )
    indirect = (
        ["--indirect-selection", params.indirect_selection] if params.indirect_selection else []
    )
    full_args = [*args, *common, *indirect, *params.selection_args]
    result = None
    for item in _run_in_thread(full_args, preparsed):
        if isinstance(item, dict):
            message = DbtCoreCliEventMessage(raw_event=item, event_history_metadata={})
            yield from message.to_default_asset_events(
                manifest=params.manifest,
                dagster_dbt_translator=params.dagster_dbt_translator,
                context=context,
                target_path=target_path,
                project=project,
            )
            sys.stdout.write(item["info"]["msg"] + "\n")
        elif isinstance(item, str):
            sys.stdout.write(item + "\n")
        else:
            result = item
    sys.stdout.flush()
    if result is None:
        raise dg.Failure(description="dbt did not finish")
    if finished is not None:
        finished.append(result)
    if not result.success:
        raise dg.Failure(description=_failure_text(result))
