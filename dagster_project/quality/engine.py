"""Great Expectations' side of a gate: validate one batch of columns, return outcomes.

Importing this module imports Great Expectations and makes the process's GE context
(3.2 CPU seconds on this pass's machine, about 9 on that of the first passes). A run
never does that in its own process: the gates send their batches to worker processes
forked from the worker server, which imported this module before the run needed it, so
every worker starts with the context made (gate_worker.py, DECISIONS R37; making it
starts no thread, so forking after it is safe). A batch arrives as an Arrow table; its
conversion to pandas happens here too.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import great_expectations as gx
import pandas as pd
import pyarrow as pa
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.registry import get_expectation_impl

from dagster_project.bounds import latest_survey_date
from dagster_project.quality.outcomes import (
    CRITICAL,
    EXAMPLES,
    ExpectationOutcome,
    display_column,
    plain,
)

logging.getLogger("great_expectations").setLevel(logging.WARNING)

# GE md5-fingerprints every pandas batch below HASH_THRESHOLD bytes (it skips frames
# above 1 GB itself). The fingerprint is batch metadata these gates never read, and it
# took two thirds of a 1M-row gate's time, so it is always skipped.
pandas_execution_engine.HASH_THRESHOLD = 0

# Where an expectation's place in its suite is kept, in its configuration's `meta`.
NUMBER = "poet_number"
# The expectations whose BASIC result counts the rows that fail them.
ROW_EXPECTATIONS = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)


@cache
def _batch_definition() -> Any:
    """One ephemeral context, data source and dataframe batch definition per process:
    every gate of a run reuses them, and each column group only supplies a new
    dataframe. Registering a data source or asset makes GE re-serialise its
    configuration, so they are never made again."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset("table")
        .add_batch_definition_whole_dataframe("all_rows")
    )


_batch_definition()


def ready() -> bool:
    """Whether this process's context is made (it is, once the module is imported)."""
    return _batch_definition.cache_info().currsize == 1


def validate(
    table: pa.Table, expectations: list[dict], suite_name: str
) -> list[ExpectationOutcome]:
    """The outcomes of `expectations` on the rows of `table`."""
    if not expectations:
        return []
    frame = _normalise(table.to_pandas(date_as_object=False))
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    return _outcomes(batch, expectations, suite_name)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Dtypes GE's pandas metrics compare fast and correctly.

    GE vectorises `between` only for int64/float64 and datetime64[ns]; DuckDB gives
    Int32 (nullable) and datetime64[us], which fall back to a per-value Python loop
    (and dates there fail to compare with the string bounds).
    """
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_integer_dtype(dtype):
            frame[name] = frame[name].astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            frame[name] = frame[name].astype("datetime64[ns]")
    return frame


def _outcomes(batch: Any, expectations: list[dict], suite_name: str) -> list[ExpectationOutcome]:
    """The outcomes of one validation of the suite with GE's BASIC results, in two passes.

    The first asks GE for pass or fail only (BOOLEAN_ONLY: about half of its work,
    without the lists and counts of failing values). The expectations that failed or
    raised, and those that passed with `mostly` (which may leave failing rows to count),
    are validated again with BASIC for their counts and examples. Every other one passed
    with no failing row: BASIC would count 0 of a map expectation's rows and nothing for
    the others."""
    suite = gx.ExpectationSuite(name=suite_name)
    outcomes: list[ExpectationOutcome] = []
    for number, spec in enumerate(expectations):
        try:
            config = ExpectationConfiguration(
                type=spec["type"], kwargs=spec["kwargs"],
                meta={**(spec.get("meta") or {}), NUMBER: number},
                severity=spec.get("severity", CRITICAL),
            )  # fmt: skip
            suite.expectations.append(config.to_domain_obj())
        except Exception as error:  # an invalid expectation must fail loudly, not vanish
            outcomes.append(
                ExpectationOutcome(
                    spec["type"],
                    display_column(spec["kwargs"]),
                    False,
                    message=f"invalid expectation: {error}",
                )  # fmt: skip
            )
    quick = _validate(batch, suite, "BOOLEAN_ONLY")
    if isinstance(quick, Exception):
        return outcomes + _unchecked(suite, quick)
    settled = [_settled(item) for item in quick.results]
    again = [item for item, done in zip(quick.results, settled, strict=True) if not done]
    detailed: dict[int, Any] = {}
    if again:
        numbered = {_number(e.configuration): e for e in suite.expectations}
        rerun = gx.ExpectationSuite(name=suite_name)
        rerun.expectations.extend(numbered[_number(item.expectation_config)] for item in again)
        full = _validate(batch, rerun, "BASIC")
        if isinstance(full, Exception):
            return outcomes + _unchecked(suite, full)
        detailed = {_number(item.expectation_config): item for item in full.results}
    for item, done in zip(quick.results, settled, strict=True):
        if done:
            outcomes.append(_passed(item))
        else:  # never a pass: its BASIC result, or failed without details
            outcomes.append(_outcome(detailed.get(_number(item.expectation_config), item)))
    return outcomes


def _validate(batch: Any, suite: Any, result_format: str) -> Any:
    """GE's validation result, or the exception when GE itself failed."""
    try:
        return batch.validate(
            suite,
            result_format={"result_format": result_format, "partial_unexpected_count": EXAMPLES},
            # A wave's fieldwork may run into the next year and a return may be dated
            # ahead by a sender's clock: plausible up to the end of next year.
            expectation_parameters={"today": f"{latest_survey_date().isoformat()}T23:59:59"},
        )
    except Exception as error:
        return error


def _unchecked(suite: Any, error: Exception) -> list[ExpectationOutcome]:
    """GE itself failed: every expectation is unchecked."""
    return [
        ExpectationOutcome(
            e.expectation_type if hasattr(e, "expectation_type") else type(e).__name__,
            None,
            False,
            message=f"Great Expectations error: {error}",
        )
        for e in suite.expectations
    ]


def _number(config: Any) -> int:
    """An expectation's place in the suite, which GE keeps in its results' configuration
    (their kwargs differ: GE adds the batch's id and fills in parameters)."""
    return config.meta[NUMBER]


def _raised(item: Any) -> list[dict]:
    info = item.exception_info or {}
    raised = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if info.get("raised_exception"):
        raised.append(info)
    return raised


def _settled(item: Any) -> bool:
    """Passed, without an exception and without `mostly`: nothing more to report."""
    mostly = item.expectation_config.kwargs.get("mostly")
    return bool(item.success) and not _raised(item) and mostly in (None, 1)


def _severity(config: Any) -> str:
    return str(getattr(config.severity, "value", config.severity) or CRITICAL)


def _passed(item: Any) -> ExpectationOutcome:
    """An expectation that passed with no failing row (`_settled`)."""
    config = item.expectation_config
    counts_rows = issubclass(get_expectation_impl(config.type), ROW_EXPECTATIONS)
    return ExpectationOutcome(
        expectation=config.type,
        column=display_column(config.kwargs),
        success=True,
        severity=_severity(config),
        unexpected_count=0 if counts_rows else None,
        examples=[],
    )


def _outcome(item: Any) -> ExpectationOutcome:
    """An expectation's outcome from its BASIC result."""
    config = item.expectation_config
    raised = _raised(item)
    detail = item.result or {}
    return ExpectationOutcome(
        expectation=config.type,
        column=display_column(config.kwargs),
        success=bool(item.success) and not raised,
        severity=_severity(config),
        unexpected_count=detail.get("unexpected_count"),
        examples=plain(list(detail.get("partial_unexpected_list") or [])[:EXAMPLES])
        or (
            [plain(detail["observed_value"])]
            if not item.success and "observed_value" in detail
            else []
        ),
        message=(raised[0].get("exception_message") or "GE raised an exception")
        if raised
        else None,
    )
