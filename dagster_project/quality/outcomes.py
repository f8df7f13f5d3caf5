"""What a gate found: one outcome per expectation, and the verdict over a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CRITICAL = "critical"  # blocks the publish
WARNING = "warning"  # recorded and shown, never blocks


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
