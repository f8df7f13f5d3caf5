"""How well the published change between waves finds what `poet synth` planted.

`poet synth` records in its manifest (`planted`) the true positive share of every
outcome per wave, nationally and per organisation (before the organisations' sampling
noise). This module scores the published `marts.trend_changes` and
`marts.org_trend_changes` against those truths: the share of planted changes of 8 points
or more whose `direction` names them (with the right sign), and the share of stable
outcomes (true change under 1 point) called `up` or `down`. For organisations it also
gives the power a 5% test has at each row's planted shares and bases, so a detection
rate can be judged against what a test can find (docs/waves.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

LARGE_POINTS = 8.0  # a planted change the warehouse must find (issue 13)
STABLE_POINTS = 1.0  # a true change smaller than this is "no change"
ROUNDING = 1e-6  # planted shares are stored to 4 decimals of a percent
POWERED = 0.8  # an organisation's change its bases give a 5% test at least this power for
Z = 1.959964


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        return f"{self.hits}/{self.total} ({100 * self.rate:.1f}%)" if self.total else "0/0"


def _truth(manifest: dict, wave: int, survey: str, outcome: str, org: str | None) -> float | None:
    planted = manifest["planted"].get(f"{wave}/{survey}")
    if planted is None:
        return None
    if org is None:
        return planted["national"].get(outcome)
    return planted["organisations"].get(org, {}).get(outcome)


def planted_changes(manifest: dict, frame: pd.DataFrame) -> pd.DataFrame:
    """The published rows with `planted_now`, `planted_before` (percent) and
    `planted_change` (points) from the manifest; org rows also `marked` (the
    organisation was given a drift of its own)."""
    by_org = "org_code" in frame.columns
    marked = set(manifest.get("org_drift_logit_per_year", {}))
    rows = []
    for row in frame.to_dict("records"):
        org = row["org_code"] if by_org else None
        now = _truth(manifest, row["wave"], row["survey"], row["outcome_id"], org)
        before = _truth(manifest, row["previous_wave"], row["survey"], row["outcome_id"], org)
        if now is None or before is None:
            continue
        row.update(planted_now=now, planted_before=before, planted_change=now - before)
        if by_org:
            row["marked"] = org in marked
        rows.append(row)
    return pd.DataFrame(rows)


def _found(frame: pd.DataFrame) -> pd.Series:
    wanted = frame["planted_change"].map(lambda c: "up" if c > 0 else "down")
    return frame["direction"] == wanted


def power(p0: float, p1: float, n0: int, n1: int) -> float:
    """Power of the two-sided 5% two-proportion test (normal approximation)."""
    pooled = (p0 * n0 + p1 * n1) / (n0 + n1)
    null_se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    se = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    if se == 0:
        return 1.0 if p0 != p1 else 0.0
    return _phi((abs(p1 - p0) - Z * null_se) / se)


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


@dataclass(frozen=True)
class Recovery:
    national_large: Rate
    national_stable_false: Rate
    org_marked_large: Rate
    org_marked_large_expected: float  # mean power over those rows
    org_marked_large_powered: Rate  # of those, the changes with power >= POWERED
    org_other_large: Rate
    org_other_large_expected: float
    org_stable_false: Rate
    org_suppressed: int

    def lines(self) -> list[str]:
        return [
            f"national changes of {LARGE_POINTS:g}+ points found: {self.national_large}",
            f"national stable outcomes called up/down: {self.national_stable_false}",
            f"marked councils' changes of {LARGE_POINTS:g}+ points found: {self.org_marked_large}"
            f" (power of a 5% test at their bases: {100 * self.org_marked_large_expected:.1f}%)",
            f"  of which those with {100 * POWERED:.0f}%+ power at their bases: "
            f"{self.org_marked_large_powered}",
            f"other organisations' changes of {LARGE_POINTS:g}+ points found: {self.org_other_large}"
            f" (power at their bases: {100 * self.org_other_large_expected:.1f}%)",
            f"organisations' stable outcomes called up/down: {self.org_stable_false}",
            f"organisation rows suppressed (a base under 10): {self.org_suppressed}",
        ]


def score(manifest: dict, national: pd.DataFrame, orgs: pd.DataFrame) -> Recovery:
    nat = planted_changes(manifest, national[national["direction"].notna()])
    large = nat[nat["planted_change"].abs() >= LARGE_POINTS - ROUNDING]
    stable = nat[nat["planted_change"].abs() < STABLE_POINTS]
    shown = planted_changes(manifest, orgs[~orgs["suppressed"].astype(bool)])
    org_large = shown[shown["planted_change"].abs() >= LARGE_POINTS - ROUNDING]
    org_stable = shown[shown["planted_change"].abs() < STABLE_POINTS]

    org_large = org_large.assign(
        power=[
            power(r.planted_before / 100, r.planted_now / 100, int(r.previous_n_relevant),
                  int(r.n_relevant))
            for r in org_large.itertuples()
        ]
    )  # fmt: skip

    def expected(frame: pd.DataFrame) -> float:
        return float(frame["power"].mean()) if len(frame) else float("nan")

    marked = org_large[org_large["marked"]]
    other = org_large[~org_large["marked"]]
    powered = marked[marked["power"] >= POWERED]
    return Recovery(
        national_large=Rate(int(_found(large).sum()), len(large)),
        national_stable_false=Rate(
            int(stable["direction"].isin(["up", "down"]).sum()), len(stable)
        ),
        org_marked_large=Rate(int(_found(marked).sum()), len(marked)),
        org_marked_large_expected=expected(marked),
        org_marked_large_powered=Rate(int(_found(powered).sum()), len(powered)),
        org_other_large=Rate(int(_found(other).sum()), len(other)),
        org_other_large_expected=expected(other),
        org_stable_false=Rate(
            int(org_stable["direction"].isin(["up", "down"]).sum()), len(org_stable)
        ),
        org_suppressed=int(orgs["suppressed"].astype(bool).sum()),
    )
