"""Blocking Dagster asset checks, one per gated table, made by one factory.

A failed check has ERROR severity and `blocking=True`: Dagster then fails the check's
step and skips every asset downstream of the checked one, the publish included.
"""

# No `from __future__ import annotations`: Dagster reads the context annotation at
# definition time and needs the real class, not a string.
import time

import dagster as dg

from dagster_project import file_versions
from dagster_project.quality import gated_versions, prefetch
from dagster_project.quality.gated_tables import GATED_TABLES, GatedTable
from dagster_project.quality.masking import masked
from dagster_project.quality.outcomes import ExpectationOutcome, GateResult
from dagster_project.quality.results_store import expectation_outcomes, record
from dagster_project.quality.runner import Suite, finish, still_current, submit, table_columns
from dagster_project.transform.build_state import code_inputs, is_forced
from dagster_project.warehouse import WarehouseResource

MAX_FAILURES_IN_METADATA = 20


def _metadata(result: GateResult, seconds: float) -> dict[str, dg.MetadataValue]:
    failed = result.failures[:MAX_FAILURES_IN_METADATA]
    return {
        "table": dg.MetadataValue.text(result.table),
        "suite": dg.MetadataValue.text(result.suite),
        "rows": dg.MetadataValue.int(result.rows or 0),
        "rows_checked_row_by_row": dg.MetadataValue.int(result.checked_rows or 0),
        "expectations": dg.MetadataValue.int(len(result.outcomes)),
        "failed_expectations": dg.MetadataValue.int(len(result.failures)),
        "warnings": dg.MetadataValue.int(len(result.warnings)),
        "seconds": dg.MetadataValue.float(round(seconds, 3)),
        "failures": dg.MetadataValue.json(
            [
                {
                    "expectation": o.expectation,
                    "column": o.column,
                    "unexpected_count": o.unexpected_count,
                    "examples": o.examples,
                    "message": o.message,
                }
                for o in failed
            ]
        ),  # fmt: skip
        "summary": dg.MetadataValue.md(result.summary()),
    }


def versions_to_check(
    con, gated: GatedTable, warehouse_path: str, forced: bool, read_only: bool = False
) -> tuple[gated_versions.VersionScope | None, str]:
    """The file versions whose rows the row-wise checks read (None: every row).
    `read_only` (a gate prepared ahead, prefetch.py) gives the same scope and writes
    nothing: a forced refresh's gate forgets the table's records first."""
    keys = file_versions.version_keys(table_columns(con, gated.qualified))
    if keys is None:
        return None, ""
    digest = gated_versions.checks_digest(code_inputs(warehouse_path))
    if forced and read_only:
        return gated_versions.scope(con, gated.qualified, keys, "", read_only=True), digest
    if forced:
        gated_versions.forget(con, gated.qualified)
    return gated_versions.scope(con, gated.qualified, keys, digest, read_only), digest


def carried_outcomes(
    con, gated: GatedTable, suite: Suite, versions, digest: str, forced: bool
) -> tuple[str, tuple[ExpectationOutcome, ...] | None]:
    """(the earlier run whose passed gate saw this very table, and Great Expectations'
    outcomes recorded then; "", None: the table is validated). Reads only."""
    if forced or versions is None or versions.new or not versions.present:
        return "", None  # a new version changed the table (or no state can say it did not)
    [(rows,)] = con.execute(f"SELECT count(*) FROM {gated.qualified}").fetchall()
    state = gated_versions.table_state(versions, table_columns(con, gated.qualified), rows)
    since = gated_versions.unchanged_since(con, gated.qualified, digest, state)
    carried = expectation_outcomes(con, since, gated.qualified, suite.name) if since else ()
    # Each expectation gave one outcome; anything else is not that gate's record.
    if not since or len(carried) != len(suite.expectations):
        return "", None
    return since, carried


def _rows(result: GateResult, versions: gated_versions.VersionScope | None, since: str) -> str:
    if versions is None:
        return f"{result.rows} rows"
    unchanged = f"; the table as at run {since}, its verdicts repeated" if since else ""
    return (
        f"{result.rows} rows; row by row: {result.checked_rows} rows of {len(versions.new)} new "
        f"version(s), {versions.passed} version(s) passed before{unchanged}"
    )


def gate_check(gated: GatedTable) -> dg.AssetChecksDefinition:
    suite_path = gated.suite_path

    @dg.asset_check(
        asset=gated.asset_key,
        name=f"gate_{gated.schema}_{gated.table}",
        blocking=True,
        description=f"Expectation suite {suite_path.name} on {gated.qualified}; "
        "blocks everything downstream (and the publish) when it fails.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
    ) -> dg.AssetCheckResult:
        started = time.perf_counter()
        forced = is_forced(context.run)
        ahead = repeated = False
        versions, since = None, ""
        # Its batches may have gone to the workers when its table was built (prefetch.py).
        prepared = prefetch.take(context.run.run_id, gated.qualified)
        # One connection for the gate and its record (opening the warehouse costs about
        # 50 ms, and a refresh runs 29 gates).
        with warehouse.connect() as con:
            try:
                versions, digest = versions_to_check(con, gated, warehouse.path, forced)
                suite = Suite.load(suite_path)
                since, carried = carried_outcomes(con, gated, suite, versions, digest, forced)
                ahead = still_current(con, prepared, versions)
                if not ahead:
                    prepared = submit(con, suite, versions, carried=carried)
                result = finish(con, suite, prepared)
                repeated = bool(prepared.carried)
            except Exception as error:  # a gate that cannot run is a failed gate
                cannot_run = masked(
                    ExpectationOutcome(
                        "gate_can_run", None, False, message=f"{type(error).__name__}: {error}"
                    )
                )
                result = GateResult(gated.qualified, gated.suite_name, (cannot_run,))
                versions = None
            record(con, context.run.run_id, result)
            if versions is not None and result.success:
                gated_versions.remember(con, gated.qualified, digest, versions, context.run.run_id)
                # The state the verdicts were given on (what the gate read).
                state = gated_versions.table_state(versions, prepared.columns, prepared.rows)
                gated_versions.remember_state(
                    con, gated.qualified, digest, state, context.run.run_id
                )
        seconds = time.perf_counter() - started
        if result.success:
            context.log.info(
                f"{result.summary()} ({_rows(result, versions, since if repeated else '')}, "
                f"{seconds:.2f}s)"
            )
        else:
            context.log.error(result.summary())
        for warning in result.warnings:
            context.log.warning(warning.describe(result.table))
        return dg.AssetCheckResult(
            passed=result.success,
            severity=dg.AssetCheckSeverity.ERROR,
            description=result.summary(),
            metadata={
                **_metadata(result, seconds),
                "prepared_ahead": dg.MetadataValue.bool(ahead),
                # The run whose Great Expectations verdicts this gate repeated (R40).
                "unchanged_since_run": dg.MetadataValue.text(since if repeated else ""),
            },
        )

    return _check


GATE_CHECKS = [gate_check(gated) for gated in GATED_TABLES]
