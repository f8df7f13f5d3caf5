"""Generating respondents: codes for every codebook variable, chunk by chunk.

Marginals are met by quotas (`quota.py`) over the national stream of consenting
respondents. Associations come from ranks: an ordinal item driven by a latent trait
gets its exact quota of codes in order of `loading * trait + noise`; an outcome gets
its organisation's exact positive quota in order of a logistic-model linear predictor
(`effects` from report Tables 1-12), which is a logistic model whose intercept is
calibrated to the published share. Organisations differ through a random effect on
their positive quota.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit

from dagster_project.synth.comments import comment_texts, themes_column
from dagster_project.synth.config import SynthConfig
from dagster_project.synth.factors import carer_factors, holder_factors
from dagster_project.synth.organisations import Organisation
from dagster_project.synth.quota import QuotaStream, assign_by_rank, largest_remainder
from dagster_project.synth.targets import (
    AMOUNT_BANDS,
    ANCHOR_WAVE,
    BAND_LIMITS,
    ONE_OFF_LIMITS,
    Ladder,
    MultiSelect,
    SurveyTargets,
)

Columns = dict[str, np.ndarray]
PERIOD_WEEKS = {1: 1.0, 2: 4.0, 3: 52.0 / 12.0, 4: 52.0}  # weeks covered by one payment
PROCESS_ITEMS = (
    "process_info",
    "process_agree_amount",
    "process_restrictions",
    "process_planning",
    "process_choose",
    "process_get_support",
    "process_change",
    "process_manage",
    "process_account",
)
# Mean weekly budget by main reason (report, "The cost of personal budgets"): ranks the
# weekly amount band, so the group means keep their published order.
GROUP_WEEKLY_MEAN = {1: 319.0, 2: 279.0, 3: 191.0, 4: 205.0}
SURVEY_STREAM = {"holders": 1, "carers": 2}  # part of the seed of per-survey draws
NOISE_STREAM = 71  # seed part of the organisations' sampling noise


def _calibrated(
    target: float, effects: np.ndarray, weights: np.ndarray, ceiling: float
) -> np.ndarray:
    """Shares expit(logit(target) + effect + shift), capped at the ceiling, with the one
    shift that makes their weighted mean the target."""

    def gap(shift: float) -> float:
        shares = np.minimum(expit(logit(target) + effects + shift), ceiling)
        return float((weights * shares).sum() / weights.sum() - target)

    shift = brentq(gap, -10, 10) if weights.sum() > 0 else 0.0
    return np.minimum(expit(logit(target) + effects + shift), ceiling)


def wave_factors(c: Columns, survey: str) -> dict[str, np.ndarray]:
    """Generator flags that are not plan factors but carry a published 2013 effect
    (targets.PUBLISHED_2013_ODDS_RATIOS)."""
    if survey != "holders":
        return {}
    easy = (1, 2)
    return {
        "views_fully_support_plan": _flag_of(c["views_plan"], (1,), (2, 3)),
        "process_change_easy": _flag_of(c["process_change"], easy, (3, 4, 5)),
        "process_choose_easy": _flag_of(c["process_choose"], easy, (3, 4, 5)),
    }


def _flag_of(values: np.ndarray, ones: tuple, zeros: tuple) -> np.ndarray:
    out = np.full(len(values), np.nan)
    out[np.isin(values, ones)] = 1.0
    out[np.isin(values, zeros)] = 0.0
    return out


class SurveyGenerator:
    """Respondents of one survey in one wave, in organisation order.

    Quotas run across every call, so the national totals are exact however the rows are
    chunked; make one generator for consenting rows and another for the rest.
    """

    def __init__(
        self,
        targets: SurveyTargets,
        config: SynthConfig,
        wave: int,
        orgs: Sequence[Organisation],
        sizes: Sequence[int],
        org_drift: Mapping[str, float] | None = None,
    ):
        self.t = targets
        self.survey = targets.survey
        self.config = config
        self.a = config.assumptions
        self.wave = wave
        self.streams: dict[str, QuotaStream] = {}
        self.org_drift = dict(org_drift or {})
        # (org_code, outcome variable) -> true share (planted) and the share it gets
        self.org_truth: dict[tuple[str, str], float] = {}
        self.org_positive = self._calibrate_org_positive(orgs, sizes)

    def _stream(self, key: str, codes: Sequence[int], shares: Sequence[float]) -> QuotaStream:
        if key not in self.streams:
            self.streams[key] = QuotaStream(codes, shares)
        return self.streams[key]

    def _simple(self, variable: str, n: int, rng: np.random.Generator) -> np.ndarray:
        shares = self.t.simple[variable]
        return self._stream(variable, list(shares), list(shares.values())).shuffled(n, rng)

    def _ranked_simple(
        self,
        variable: str,
        order: Sequence[int],
        score: np.ndarray,
        rng: np.random.Generator,
        aside: Sequence[int] = (),
    ) -> np.ndarray:
        """A simple variable whose codes follow a score: `order` codes highest score first;
        `aside` codes (prefer not to say) go at random."""
        shares = self.t.simple[variable]
        ladder = Ladder(
            ordered=tuple((c, shares[c]) for c in order),
            aside=tuple((c, shares[c]) for c in aside),
        )
        return self._ladder(variable, ladder, score, rng)

    def _ladder(
        self, key: str, ladder: Ladder, score: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        n = len(score)
        values = np.full(n, np.nan)
        aside_share = sum(s for _, s in ladder.aside)
        on_ladder = np.ones(n, dtype=bool)
        if ladder.aside:
            codes = [0] + [c for c, _ in ladder.aside]
            shares = [1 - aside_share] + [s for _, s in ladder.aside]
            picks = self._stream(f"{key}:aside", codes, shares).shuffled(n, rng)
            on_ladder = picks == 0
            values[~on_ladder] = picks[~on_ladder]
        ordered = self._stream(
            f"{key}:ladder", [c for c, _ in ladder.ordered], [s for _, s in ladder.ordered]
        )
        values[on_ladder] = ordered.ranked(score[on_ladder])
        return values

    def _flag(self, key: str, share: float, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._stream(key, [1, 0], [share, 1 - share]).shuffled(n, rng) == 1

    def _multi_select(self, key: str, ms: MultiSelect, n: int, rng: np.random.Generator) -> Columns:
        names = [name for name, _ in ms.items if name != ms.none_item]
        shares = dict(ms.items)
        ticks = np.zeros((n, len(names)))
        none = (
            self._flag(f"{key}:none", shares[ms.none_item], n, rng)
            if ms.none_item
            else np.zeros(n, dtype=bool)
        )
        rows = np.flatnonzero(~none)
        wanted = np.array(
            [
                self._stream(f"{key}:{name}", [1, 0], [shares[name], 1 - shares[name]]).counts(n)[0]
                for name in names
            ]
        )
        # everyone answering ticks at least one box: one "first" box each, in proportion to
        # the wanted totals, then the rest of each box's quota among those without it
        first = np.minimum(largest_remainder(wanted.astype(np.float64), len(rows)), wanted)
        order = rng.permutation(rows)
        ticks[order[: first.sum()], np.repeat(np.arange(len(names)), first)] = 1.0
        for k in range(len(names)):
            extra = int(wanted[k] - first[k])
            free = rows[ticks[rows, k] == 0]
            if extra > 0 and len(free):
                ticks[rng.choice(free, size=min(extra, len(free)), replace=False), k] = 1.0
        columns = {name: ticks[:, k] for k, name in enumerate(names)}
        if ms.none_item:
            columns[ms.none_item] = none.astype(np.float64)
        return columns

    def _amounts(self, c: Columns, n: int, rng: np.random.Generator) -> None:
        am = self.t.amounts
        amount = np.full(n, np.nan)
        period = np.full(n, np.nan)
        reported = np.flatnonzero(self._flag("amount:reported", am.reported, n, rng))
        ongoing = self._flag("amount:ongoing", am.ongoing, len(reported), rng)
        rows = reported[ongoing]
        if self.survey == "holders":
            lookup = np.array([GROUP_WEEKLY_MEAN.get(r, 250.0) for r in range(10)])
            means = lookup[np.nan_to_num(c["main_reason"][rows], nan=0).astype(int)]
            score = np.log(means / 250.0) * 3.0 + rng.normal(size=len(rows))
        else:
            score = rng.normal(size=len(rows))
        bands = self._stream("amount:weekly_band", range(len(AMOUNT_BANDS)), am.weekly_bands)
        band = assign_by_rank(-score, bands.codes, bands.counts(len(rows))).astype(int)
        weekly = _uniform_in_bands(band, BAND_LIMITS, rng)
        periods = self._stream(
            "amount:period", [p for p, _ in am.periods], [s for _, s in am.periods]
        ).shuffled(len(rows), rng)
        weeks = np.array([PERIOD_WEEKS.get(p, np.nan) for p in range(6)])
        amount[rows] = np.round(weekly * weeks[periods.astype(int)], 2)
        period[rows] = periods
        one_off_rows = reported[~ongoing]
        one_off_bands = self._stream(
            "amount:one_off_band", range(len(AMOUNT_BANDS)), am.one_off_bands
        ).shuffled(len(one_off_rows), rng)
        amount[one_off_rows] = np.round(
            _uniform_in_bands(one_off_bands.astype(int), ONE_OFF_LIMITS, rng), 2
        )
        period[one_off_rows] = 5
        c["amount_gbp"] = amount
        c["amount_period"] = period

    def _calibrate_org_positive(self, orgs: Sequence[Organisation], sizes: Sequence[int]):
        """Per organisation and outcome, its positive share among the relevant: the
        national share shifted on the logit by the organisation's effect (plus its drift
        since the anchor wave), with one common correction so the size-weighted mean is
        the national share. That is its true share (`org_truth`); the share it gets adds
        the sampling noise of a return of its size, then the correction again, so the
        national figure stays exact."""
        weights = np.asarray(sizes, dtype=np.float64)
        years = self.wave - ANCHOR_WAVE
        effects = np.array([o.effect + self.org_drift.get(o.code, 0.0) * years for o in orgs])
        rng = np.random.default_rng(
            [self.config.seed, self.wave, NOISE_STREAM, SURVEY_STREAM[self.survey]]
        )
        result: dict[tuple[str, str], float] = {}
        for outcome in self.t.outcomes:
            ceiling = 0.995 - outcome.negative
            target = min(outcome.positive, ceiling)
            truth = _calibrated(target, effects, weights, ceiling)
            z = rng.standard_normal(len(orgs))  # drawn always: the same stream either way
            shares = truth
            if self.a.org_sampling_noise and len(orgs) > 1:
                relevant = np.maximum(weights * (1 - outcome.not_relevant), 1.0)
                p = np.clip(truth, 0.01, 0.99)
                shares = _calibrated(
                    target, effects + z / np.sqrt(relevant * p * (1 - p)), weights, ceiling
                )
            for org, true_share, share in zip(orgs, truth, shares, strict=True):
                self.org_truth[(org.code, outcome.variable)] = float(true_share)
                result[(org.code, outcome.variable)] = float(share)
        return result

    def _outcomes(
        self,
        c: Columns,
        factors: dict[str, np.ndarray],
        org: Organisation,
        rng: np.random.Generator,
    ) -> None:
        n = len(c["consent"])
        for outcome in self.t.outcomes:
            nr = outcome.not_relevant
            relevant = ~self._flag(f"{outcome.variable}:not_relevant", nr, n, rng)
            eta = rng.logistic(size=n)
            for factor, effect in self.t.effects[outcome.variable].items():
                if factor in factors:
                    eta += effect * np.nan_to_num(factors[factor], nan=0.0)
            positive = self.org_positive[(org.code, outcome.variable)]
            stream = self._stream(
                f"{outcome.variable}:{org.code}",
                [1, 3, 4],
                [positive, 1 - positive - outcome.negative, outcome.negative],
            )
            n_pos, n_neutral, n_neg = stream.counts(int(relevant.sum()))
            lot_better = round(n_pos * _split("outcome_a_lot_better_of_positive"))
            lot_worse = round(n_neg * _split("outcome_a_lot_worse_of_negative"))
            counts = np.array(
                [lot_better, n_pos - lot_better, n_neutral, n_neg - lot_worse, lot_worse]
            )
            values = np.full(n, 8.0)
            values[relevant] = assign_by_rank(eta[relevant], np.arange(1, 6), counts)
            c[outcome.variable] = values

    def _comments(self, c: Columns, n: int, rng: np.random.Generator) -> None:
        pii = self.config.fault_rates.comment_pii if self.config.faults else 0.0
        for variable, share in self.t.comments.items():
            answered = self._flag(variable, share, n, rng)
            c[variable], c[themes_column(variable)] = comment_texts(
                variable, answered, pii, rng, self.survey
            )

    def _survey_dates(self, n: int, rng: np.random.Generator) -> np.ndarray:
        first, last = self.a.survey_months
        start = np.datetime64(f"{self.wave}-{first:02d}-01")
        end = (
            np.datetime64(f"{self.wave}-{last + 1:02d}-01")
            if last < 12
            else np.datetime64(f"{self.wave + 1}-01-01")
        )
        days = rng.integers(0, int((end - start).astype(int)), size=n)
        return (start + days.astype("timedelta64[D]")).astype(str).astype(object)

    def respondents(self, org: Organisation, n: int, rng: np.random.Generator) -> Columns:
        """n respondents of `org` with every codebook variable but respondent_id;
        consent is 1 (the caller overrides it for rows without consent)."""
        c: Columns = {"consent": np.ones(n), "survey_date": self._survey_dates(n, rng)}
        if self.survey == "holders":
            self._holder_profile(c, n, rng)
        else:
            self._carer_profile(c, n, rng)
        self._amounts(c, n, rng)
        if self.survey == "holders":
            factors = holder_factors(c, PROCESS_ITEMS)
        else:
            factors = carer_factors(c)
        factors.update(wave_factors(c, self.survey))
        self._outcomes(c, factors, org, rng)
        self._comments(c, n, rng)
        return c

    def _holder_profile(self, c: Columns, n: int, rng: np.random.Generator) -> None:
        for variable in (
            "completed_how",
            "main_reason",
            "gender",
            "ethnicity",
            "religion",
            "sexuality",
            "general_health",
            "funder",
            "management",
            "duration",
            "prior_support",
        ):
            c[variable] = self._simple(variable, n, rng)
        old_age = (c["main_reason"] == 4).astype(np.float64)
        c["age_band"] = self._ranked_simple(
            "age_band", (8, 7, 6, 5, 4, 3, 2, 1), 2.5 * old_age + rng.normal(size=n), rng, (99,)
        )
        trait = rng.normal(size=n)
        for item in PROCESS_ITEMS:
            score = self.a.process_loading * trait + rng.normal(size=n)
            c[item] = self._ladder(item, self.t.ladders[item], score, rng)
        for item in ("views_needs", "views_budget", "views_plan"):
            score = self.a.views_loading * trait + rng.normal(size=n)
            c[item] = self._ladder(item, self.t.ladders[item], score, rng)
        for key, ms in self.t.multi_selects.items():
            c.update(self._multi_select(key, ms, n, rng))

    def _carer_profile(self, c: Columns, n: int, rng: np.random.Generator) -> None:
        for variable in (
            "relationship",
            "hours_band",
            "pb_duration",
            "prior_support",
            "funder",
            "general_health",
            "disability",
            "gender",
            "ethnicity",
            "religion",
            "sexuality",
        ):
            c[variable] = self._simple(variable, n, rng)
        partner = (c["relationship"] == 1).astype(np.float64)
        c["lives_with"] = self._ranked_simple(
            "lives_with", (1, 2), 2.0 * partner + rng.normal(size=n), rng
        )
        heavy = (c["hours_band"] == 4).astype(np.float64)
        c["caring_24_7"] = self._ranked_simple(
            "caring_24_7", (1, 2), 2.0 * heavy + rng.normal(size=n), rng
        )
        older = np.select(
            [c["relationship"] == 1, c["relationship"] == 2, c["relationship"] == 3],
            [1.0, 1.5, -1.5],
            0.0,
        )
        c["age_band"] = self._ranked_simple(
            "age_band", (8, 7, 6, 5, 4, 3, 2, 1), older + rng.normal(size=n), rng, (99,)
        )
        trait = rng.normal(size=n)
        for item, ladder in self.t.ladders.items():
            score = self.a.views_loading * trait + rng.normal(size=n)
            c[item] = self._ladder(item, ladder, score, rng)


def _split(name: str) -> float:
    from dagster_project.synth.targets import UNPUBLISHED

    return float(UNPUBLISHED[name])


def _uniform_in_bands(
    band: np.ndarray, limits: dict[str, tuple[float, float]], rng: np.random.Generator
) -> np.ndarray:
    low = np.array([limits[b][0] for b in AMOUNT_BANDS])[band]
    high = np.array([limits[b][1] for b in AMOUNT_BANDS])[band]
    # log-uniform within the band: small amounts are commoner than large ones
    return np.exp(rng.uniform(np.log(low), np.log(high)))
