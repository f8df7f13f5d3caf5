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


def _first_detail(text: str) -> str:
    """The first specific line of a multi-line message (a bullet if there is one)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    bullets = [line.lstrip("- ") for line in lines if line.startswith("- ")]
    return (bullets or lines or [""])[0]


def _failure_reason(result: dg.ExecuteInProcessResult) -> str:
    """One line a person can act on: the failed gates, else the failed steps' own errors."""
    gates: list[str] = []
    steps: list[str] = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                gates.append(
                    f"quality gate {evaluation.check_name} failed: "
                    f"{_first_detail(evaluation.description or '')}"
                )
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            # The innermost cause is the user-facing error, not the framework's wrapper.
            while error is not None and error.cause is not None:
                error = error.cause
            if error is None or error.cls_name == "DagsterAssetCheckFailedError":
                continue  # already said, as the gate that failed
            steps.append(f"step {event.step_key} failed: {_first_detail(error.message)}")
    reasons = gates + steps
    if not reasons:
        return "the run did not succeed (see the Dagster UI for its events)"
    return "; ".join(reasons)


def run_full_refresh(settings: Settings, accept_shrink: bool = False) -> RefreshOutcome:
    from dagster_project.definitions import FULL_REFRESH_JOB, defs
    from dagster_project.publish.assets import publish_run_config

    instance = dg.DagsterInstance.get()
    job = defs.resolve_job_def(FULL_REFRESH_JOB)
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, run_config=publish_run_config(accept_shrink)
    )
    reason = "" if result.success else _failure_reason(result)
    return RefreshOutcome(success=result.success, run_id=result.run_id, reason=reason)
