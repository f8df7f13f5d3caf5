"""Launching the full refresh in the Dagster instance, and saying why it failed."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from dagster_project.settings import Settings


@dataclass(frozen=True)
class RefreshOutcome:
    success: bool
    run_id: str
    reason: str


def _failure_reason(result: dg.ExecuteInProcessResult) -> str:
    """One line a person can act on: the failed gate or step and its message."""
    reasons: list[str] = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                target = evaluation.asset_key.to_user_string()
                detail = (evaluation.description or "").splitlines()[0:1]
                reasons.append(
                    f"quality gate {evaluation.check_name} on {target} failed"
                    + (f": {detail[0]}" if detail else "")
                )
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error and error.message else ""
            # The user-facing error of a failed step, not the framework's wrapper text.
            cause = error.cause if error else None
            while cause is not None:
                message = cause.message.strip().splitlines()[0]
                cause = cause.cause
            reasons.append(f"step {event.step_key} failed: {message}")
    if not reasons:
        return "the run did not succeed (see the Dagster UI for its events)"
    return "; ".join(reasons)


def run_full_refresh(settings: Settings) -> RefreshOutcome:
    from dagster_project.definitions import FULL_REFRESH_JOB, defs

    instance = dg.DagsterInstance.get()
    job = defs.resolve_job_def(FULL_REFRESH_JOB)
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    reason = "" if result.success else _failure_reason(result)
    return RefreshOutcome(success=result.success, run_id=result.run_id, reason=reason)
