"""What a gate found: one outcome per expectation, and the verdict over a table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

CRITICAL = "critical"  # blocks the publish
WARNING = "warning"  # recorded and shown, never blocks
EXAMPLES = 5  # example values kept per failed expectation
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_LIST_KWARGS = ("column_list",)


def columns_of(kwargs: dict[str, Any]) -> list[str]:
    """The columns an expectation names (its row condition's column included)."""
    columns = [kwargs[k] for k in _COLUMN_KWARGS if kwargs.get(k)]
    for key in _LIST_KWARGS:
        columns += list(kwargs.get(key) or [])
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict) and "column" in condition:
        columns.append(condition["column"]["name"])
    return columns


def display_column(kwargs: dict[str, Any]) -> str | None:
    """The column(s) an outcome names, for people: without the row condition's."""
    columns = columns_of({k: v for k, v in kwargs.items() if k != "row_condition"})
    return ",".join(columns) or None


def plain(value: Any) -> Any:
    """JSON-friendly example values: 7.0 read back from a nullable integer is 7."""
    if isinstance(value, float):
        if math.isnan(value):  # a NULL read back through pandas
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # GE expectation type, or `poet_row_check:<name>` etc. for SQL checks
    column: str | None
    success: bool
    severity: str = CRITICAL
    unexpected_count: int | None = None
    examples: list[Any] = field(default_factory=list)
    message: str | None = None  # why the check could not run, when it could not

    def describe(self, table: str) -> str:
        where = f" on column {self.column}" if self.column else ""
        if self.message:
            return f"{table}: {self.expectation}{where} FAILED: {self.message}"
        count = "" if self.unexpected_count is None else f" ({self.unexpected_count} failing rows)"
        examples = f"; examples: {self.examples}" if self.examples else ""
        return f"{table}: {self.expectation}{where} failed{count}{examples}"


@dataclass(frozen=True)
class GateResult:
    table: str
    suite: str
    outcomes: tuple[ExpectationOutcome, ...]
    rows: int | None = None
    checked_rows: int | None = None  # rows the row-wise checks read (rows of new versions)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == CRITICAL]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity != CRITICAL]

    @property
    def success(self) -> bool:
        # An empty result means nothing was checked: that is not a pass.
        return bool(self.outcomes) and not self.failures

    def summary(self) -> str:
        if self.success:
            return f"{self.table}: all {len(self.outcomes)} expectations of {self.suite} passed"
        lines = [o.describe(self.table) for o in self.failures]
        return (
            f"{self.table}: {len(self.failures)} expectation(s) of {self.suite} failed:\n"
            + "\n".join(f"- {line}" for line in lines)
        )
