"""What the generated returns must look like, per survey.

Published 2014 figures come from the reference seeds
(`dbt_project/seeds/reference/published_2014_*.csv`); where the report gives no
figure, the share is an assumption named in `UNPUBLISHED` below. Every share here is
of consenting respondents who answered the question.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from dagster_project.settings import REFERENCE_DIR

HOLDER_OUTCOMES = {
    "out_quality_of_life": "quality_of_life",
    "out_self_esteem": "self_esteem",
    "out_rel_paid_support": "relationships_paid",
    "out_rel_family_friends": "friends",
    "out_rel_family_carer": "relationships_family",
    "out_volunteering": "volunteering_community",
    "out_paid_work": "paid_work",
    "out_where_live": "where_who_live",
    "out_safe": "feeling_safe",
    "out_arranging_support": "arranging_support",
    "out_independence": "independence",
    "out_control": "control_over_life",
    "out_mental_health": "mental_health",
    "out_physical_health": "physical_health",
    "out_dignity": "dignity",
}
CARER_OUTCOMES = {
    "cout_control": "carer_control_over_life",
    "cout_rel_family_friends": "carer_relationships_family_friends",
    "cout_rel_person": "carer_relationship_person",
    "cout_work_volunteer": "carer_paid_work_volunteering",
    "cout_stress": "carer_stress",
    "cout_qol_person": "quality_of_life_person",
    "cout_qol_carer": "quality_of_life_carer",
    "cout_continue_caring": "continue_caring",
}
OUTCOMES = {"holders": HOLDER_OUTCOMES, "carers": CARER_OUTCOMES}

# Shares the report does not publish (assumptions, see docs/synth.md).
UNPUBLISHED = {
    "funder": {1: 0.72, 2: 0.14, 3: 0.09, 9: 0.05},
    "gender_other": {3: 0.003, 9: 0.01},
    "age_prefer_not": 0.01,
    "ethnicity_prefer_not": 0.02,
    "holder_religion_prefer_not": 0.04,
    "holder_sexuality_other": 0.01,
    "carer_sexuality_prefer_not": 0.03,
    "dont_know_extra": 0.02,  # code 9 of duration/management/prior_support where unpublished
    "health_top_of_good": 0.3,  # very good among good or very good
    "health_worst_of_bad": 0.35,  # very bad among bad or very bad
    "glb_gay_lesbian": 0.7,  # gay or lesbian among gay, lesbian or bisexual
    "carer_hours": {1: 0.07, 2: 0.13, 3: 0.177},  # the rest is 51+ hours (published)
    "carer_24_7_yes": 0.55,
    "carer_disability_other": {2: 0.05, 3: 0.015, 5: 0.025, 6: 0.006, 7: 0.015},
    "views_dont_know": 0.02,
    "views_fully_of_included": 0.55,  # holders: fully among fully or partly
    "carer_views_very_much_of_included": 0.58,
    "carer_views_not_at_all": 0.10,  # items without a published "not included" share
    "carer_views_did_not_happen": 0.06,
    "process_easy": 0.55,  # easy (1-2) among relevant, every item
    "process_very_easy_of_easy": 0.4,
    "process_very_difficult_of_difficult": 0.4,
    "process_difficult": {"process_manage": 0.17, "process_account": 0.20},
    "process_not_relevant": 0.05,
    "outcome_positive": {
        "out_paid_work": 0.42,
        "cout_rel_family_friends": 0.55,
        "cout_work_volunteer": 0.38,
    },
    "outcome_negative": {"holders": 0.03, "carers": 0.05},
    "outcome_a_lot_better_of_positive": 0.45,
    "outcome_a_lot_worse_of_negative": 0.3,
    "outcome_not_relevant": {
        "out_paid_work": 0.75,
        "out_volunteering": 0.55,
        "out_where_live": 0.40,
        "out_rel_family_carer": 0.12,
        "cout_work_volunteer": 0.50,
    },
    "outcome_not_relevant_default": 0.06,
    "carer_amount_reported": 0.45,
    "ongoing_period": {1: 0.55, 2: 0.15, 3: 0.20, 4: 0.10},
    "holder_comment_change": 0.55,
}

AGE_SPLIT = {  # share of each age band within its published age group
    "16_44": {1: 0.25, 2: 0.35, 3: 0.40},
    "18_44": {1: 0.25, 2: 0.35, 3: 0.40},
    "45_64": {4: 0.45, 5: 0.55},
    "65_plus": {6: 0.45, 7: 0.35, 8: 0.20},
}
AMOUNT_BANDS = ("up_to_200", "201_500", "501_1000", "over_1000")
BAND_LIMITS = {  # pounds, kept 1 away from band edges so period conversions stay inside
    "up_to_200": (15.0, 199.0),
    "201_500": (201.0, 499.0),
    "501_1000": (501.0, 999.0),
    "over_1000": (1001.0, 2500.0),
}
ONE_OFF_LIMITS = {**BAND_LIMITS, "over_1000": (1001.0, 12000.0)}


@dataclass(frozen=True)
class Ladder:
    """An ordinal item driven by the latent process trait: `ordered` codes best first
    with their shares (summing to 1 over those codes), and `aside` codes (8, 9) given
    at random to that share of all respondents."""

    ordered: tuple[tuple[int, float], ...]
    aside: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class MultiSelect:
    items: tuple[tuple[str, float], ...]  # variable -> share ticked among those answering
    none_item: str | None  # the "no help" item, exclusive of the others


@dataclass(frozen=True)
class Amounts:
    reported: float
    ongoing: float
    periods: tuple[tuple[int, float], ...]  # ongoing periods 1-4
    weekly_bands: tuple[float, ...]  # shares of AMOUNT_BANDS
    one_off_bands: tuple[float, ...]


@dataclass(frozen=True)
class Outcome:
    variable: str
    outcome_id: str
    positive: float  # among relevant (1-5)
    negative: float
    not_relevant: float  # share of all answering with code 8


@dataclass(frozen=True)
class SurveyTargets:
    survey: str
    simple: dict[str, dict[int, float]]  # variable -> code shares (sum 1)
    ladders: dict[str, Ladder]
    multi_selects: dict[str, MultiSelect]
    amounts: Amounts
    outcomes: tuple[Outcome, ...]
    comments: dict[str, float]  # comment variable -> non-blank share
    effects: dict[str, dict[str, float]]  # outcome variable -> factor_id -> logit effect


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / f"published_2014_{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def published_marginals(survey: str) -> dict[tuple[str, str], tuple[float, str]]:
    """(section, category) -> (value, base) of the published marginals."""
    prefix = "holder" if survey == "holders" else "carer"
    return {
        (r["section"], r["category"]): (float(r["value"]), r["base"])
        for r in _read(f"{prefix}_marginals")
    }


def _normalise(shares: dict[int, float]) -> dict[int, float]:
    total = sum(shares.values())
    return {code: share / total for code, share in shares.items()}


def _with_extra(shares: dict[int, float], extra: dict[int, float]) -> dict[int, float]:
    """Published shares scaled down to make room for unpublished codes."""
    base = _normalise(shares)
    room = 1.0 - sum(extra.values())
    return {**{c: s * room for c, s in base.items()}, **extra}


def _pct(m, section: str, category: str) -> float:
    return m[(section, category)][0] / 100.0


def _counts(m, section: str, mapping: dict[str, int]) -> dict[int, float]:
    shares: dict[int, float] = {}
    for category, code in mapping.items():
        shares[code] = shares.get(code, 0.0) + m[(section, category)][0]
    return shares


def _health(good: float, bad: float) -> dict[int, float]:
    top, worst = UNPUBLISHED["health_top_of_good"], UNPUBLISHED["health_worst_of_bad"]
    return {
        1: good * top,
        2: good * (1 - top),
        3: 1 - good - bad,
        4: bad * (1 - worst),
        5: bad * worst,
    }


def _age(groups: dict[str, float]) -> dict[int, float]:
    shares = {
        code: groups[group] * part
        for group, split in AGE_SPLIT.items()
        if group in groups
        for code, part in split.items()
    }
    return _with_extra(shares, {99: UNPUBLISHED["age_prefer_not"]})


ETHNICITY = {"white": 1, "mixed": 2, "asian": 3, "black": 4, "chinese_other": 5}
RELIGION = {
    "none": 1,
    "buddhist": 2,
    "christian": 3,
    "hindu": 4,
    "jewish": 5,
    "muslim": 6,
    "sikh": 7,
    "other": 8,
}


def _gender(female: float) -> dict[int, float]:
    return _with_extra({1: female, 2: 1 - female}, UNPUBLISHED["gender_other"])


def _process_ladder(difficult: float) -> Ladder:
    easy = UNPUBLISHED["process_easy"]
    very_easy = UNPUBLISHED["process_very_easy_of_easy"]
    very_difficult = UNPUBLISHED["process_very_difficult_of_difficult"]
    return Ladder(
        ordered=(
            (1, easy * very_easy),
            (2, easy * (1 - very_easy)),
            (3, 1 - easy - difficult),
            (4, difficult * (1 - very_difficult)),
            (5, difficult * very_difficult),
        ),
        aside=((8, UNPUBLISHED["process_not_relevant"]),),
    )


def _outcomes(survey: str, m) -> tuple[Outcome, ...]:
    outcomes = []
    for variable, outcome_id in OUTCOMES[survey].items():
        key = ("outcome_positive", outcome_id)
        positive = m[key][0] / 100.0 if key in m else UNPUBLISHED["outcome_positive"][variable]
        negative_key = ("outcome_negative", outcome_id)
        negative = (
            m[negative_key][0] / 100.0
            if negative_key in m
            else UNPUBLISHED["outcome_negative"][survey]
        )
        not_relevant = UNPUBLISHED["outcome_not_relevant"].get(
            variable, UNPUBLISHED["outcome_not_relevant_default"]
        )
        outcomes.append(Outcome(variable, outcome_id, positive, negative, not_relevant))
    return tuple(outcomes)


def _amounts(m, reported: float) -> Amounts:
    periods = tuple(UNPUBLISHED["ongoing_period"].items())
    if ("amount_type", "ongoing") in m:
        ongoing = _pct(m, "amount_type", "ongoing")
        weekly = tuple(_pct(m, "weekly_amount_band", b) for b in AMOUNT_BANDS)
        one_off = tuple(_pct(m, "one_off_amount_band", b) for b in AMOUNT_BANDS)
    else:  # carers: no published amounts; the holders' figures are used
        holders = published_marginals("holders")
        return _amounts(holders, reported)
    return Amounts(reported, ongoing, periods, weekly, one_off)


def _effects(survey: str) -> dict[str, dict[str, float]]:
    """Logit effect of each factor on each positive outcome: the report's corrected odds
    ratio where its regression reports one, else a shrunken bivariate odds ratio (the
    bivariate figure also carries confounding, which the generator does not model)."""
    from dagster_project.synth.config import Assumptions

    assumptions = Assumptions()
    shrink = assumptions.shrink_bivariate
    prefix = "holder" if survey == "holders" else "carer"
    by_id = {outcome_id: var for var, outcome_id in OUTCOMES[survey].items()}
    effects: dict[str, dict[str, float]] = {var: {} for var in OUTCOMES[survey]}
    for row in _read(f"{prefix}_bivariate_odds_ratios"):
        if row["outcome_id"] in by_id and row["odds_ratio"]:
            share = (
                assumptions.shrink_latent_bivariate
                if row["factor_id"] in assumptions.latent_factors
                else shrink
            )
            effects[by_id[row["outcome_id"]]][row["factor_id"]] = share * math.log(
                float(row["odds_ratio"])
            )
    for row in _read(f"{prefix}_regressions"):
        if row["suspected_erratum"] == "true" or not row["corrected_odds_ratio"]:
            continue
        if row["outcome_id"] in by_id:
            effect = math.log(float(row["corrected_odds_ratio"]))
            # Table 12 prints "working age carer": the inverse of older_adult_65plus.
            sign = -1.0 if "inverse" in row["label_note"] else 1.0
            effects[by_id[row["outcome_id"]]][row["factor_id"]] = sign * effect
    return effects


def _holders() -> SurveyTargets:
    m = published_marginals("holders")
    dont_know = UNPUBLISHED["dont_know_extra"]
    simple = {
        "completed_how": _counts(
            m,
            "completion_mode",
            {"on_own": 1, "with_help": 2, "on_behalf": 3, "meeting_interview": 4},
        ),
        "main_reason": _counts(
            m,
            "main_reason",
            {
                "physical_disability": 1,
                "learning_disability": 2,
                "mental_health": 3,
                "old_age": 4,
                "complex_health_needs": 5,
                "sensory": 6,
                "substance_misuse": 7,
                "other": 8,
            },
        ),
        "gender": _gender(_pct(m, "gender", "female")),
        "age_band": _age({g: _pct(m, "age_group", g) for g in ("16_44", "45_64", "65_plus")}),
        "ethnicity": _with_extra(
            _counts(m, "ethnicity", ETHNICITY), {9: UNPUBLISHED["ethnicity_prefer_not"]}
        ),
        "religion": _with_extra(
            _counts(m, "religion", RELIGION), {9: UNPUBLISHED["holder_religion_prefer_not"]}
        ),
        "sexuality": _sexuality_holders(m),
        "general_health": _health(
            _pct(m, "general_health", "good_or_very_good"),
            _pct(m, "general_health", "bad_or_very_bad"),
        ),
        "funder": dict(UNPUBLISHED["funder"]),
        "management": _with_extra(
            _counts(
                m,
                "management",
                {
                    "dp_own": 1,
                    "dp_family_friend": 2,
                    "broker": 3,
                    "provider": 4,
                    "council_nhs": 5,
                    "no_budget": 6,
                },
            ),
            {9: dont_know / 2},
        ),
        "duration": _counts(
            m, "duration", {"under_1_year": 1, "1_to_3_years": 2, "over_3_years": 3, "dont_know": 9}
        ),
        "prior_support": _prior(_pct(m, "prior_support", "yes"), dont_know),
    }
    views_dk = UNPUBLISHED["views_dont_know"]
    fully = UNPUBLISHED["views_fully_of_included"]
    ladders = {}
    for variable, category in (
        ("views_needs", "needs_assessed"),
        ("views_budget", "budget_set"),
        ("views_plan", "support_plan"),
    ):
        included = _pct(m, "views_included", category) / (1 - views_dk)
        ladders[variable] = Ladder(
            ordered=((1, included * fully), (2, included * (1 - fully)), (3, 1 - included)),
            aside=((9, views_dk),),
        )
    for item in (
        "info",
        "agree_amount",
        "restrictions",
        "planning",
        "choose",
        "get_support",
        "change",
        "manage",
        "account",
    ):
        variable = f"process_{item}"
        difficult = (
            _pct(m, "process_difficult", item)
            if ("process_difficult", item) in m
            else UNPUBLISHED["process_difficult"][variable]
        )
        ladders[variable] = _process_ladder(difficult)
    multi = {
        "plan_help": MultiSelect(
            items=(
                ("plan_help_family", _pct(m, "planning_support", "family_friends")),
                ("plan_help_council", _pct(m, "planning_support", "council")),
                ("plan_help_nhs", _pct(m, "planning_support", "nhs")),
                ("plan_help_independent", _pct(m, "planning_support", "broker")),
                ("plan_help_provider", _pct(m, "planning_support", "provider")),
                ("plan_help_none", _pct(m, "planning_support", "no_help")),
            ),
            none_item="plan_help_none",
        ),
        "spend": MultiSelect(
            items=(
                ("spend_care_support", _pct(m, "spend", "care_support")),
                ("spend_community_leisure", _pct(m, "spend", "community_leisure")),
                ("spend_personal_assistant", _pct(m, "spend", "personal_assistant")),
                ("spend_equipment", _pct(m, "spend", "equipment")),
            ),
            none_item=None,
        ),
    }
    comments = {
        "comment_worked_well": _pct(m, "comments", "worked_well"),
        "comment_not_worked": _pct(m, "comments", "not_worked_well"),
        "comment_change": UNPUBLISHED["holder_comment_change"],
    }
    return SurveyTargets(
        survey="holders",
        simple={k: _normalise(v) for k, v in simple.items()},
        ladders=ladders,
        multi_selects=multi,
        amounts=_amounts(m, _pct(m, "amount_reported", "yes")),
        outcomes=_outcomes("holders", m),
        comments=comments,
        effects=_effects("holders"),
    )


def _prior(yes: float, dont_know: float) -> dict[int, float]:
    return {1: yes, 2: 1 - yes - dont_know, 9: dont_know}


def _sexuality_holders(m) -> dict[int, float]:
    glb = m[("sexuality", "gay_lesbian_bisexual")][0]
    gay = UNPUBLISHED["glb_gay_lesbian"]
    shares = {
        1: m[("sexuality", "heterosexual")][0],
        2: glb * gay,
        3: glb * (1 - gay),
        9: m[("sexuality", "prefer_not_to_say")][0],
    }
    return _with_extra(shares, {4: UNPUBLISHED["holder_sexuality_other"]})


def _carers() -> SurveyTargets:
    m = published_marginals("carers")
    dont_know = UNPUBLISHED["dont_know_extra"]
    age_counts = {g: m[("age_group", g)][0] for g in ("18_44", "45_64", "65_plus")}
    total_age = sum(age_counts.values())
    female = m[("gender", "female_count")][0]
    male = m[("gender", "male_count")][0]
    over_50 = _pct(m, "hours_per_week", "over_50")
    disability_other = UNPUBLISHED["carer_disability_other"]
    long_term = _pct(m, "disability", "long_term_condition")
    simple = {
        "relationship": _counts(
            m,
            "relationship",
            {
                "partner_spouse": 1,
                "son_daughter": 2,
                "parent_older_family": 3,
                "other_relative": 4,
                "friend_neighbour": 5,
            },
        ),
        "lives_with": {1: _pct(m, "lives_with", "yes"), 2: 1 - _pct(m, "lives_with", "yes")},
        "hours_band": {**UNPUBLISHED["carer_hours"], 4: over_50},
        "caring_24_7": {1: UNPUBLISHED["carer_24_7_yes"], 2: 1 - UNPUBLISHED["carer_24_7_yes"]},
        "pb_duration": _with_extra(
            _counts(m, "duration", {"under_1_year": 1, "1_to_3_years": 2, "over_3_years": 3}),
            {9: dont_know},
        ),
        "prior_support": _prior(_pct(m, "prior_support", "yes"), dont_know),
        "funder": dict(UNPUBLISHED["funder"]),
        "general_health": _health(
            _pct(m, "general_health", "good_or_very_good"),
            _pct(m, "general_health", "bad_or_very_bad"),
        ),
        "disability": {
            1: 1 - _pct(m, "disability", "any"),
            4: long_term,
            **{
                code: share
                * (_pct(m, "disability", "any") - long_term)
                / sum(disability_other.values())
                for code, share in disability_other.items()
            },
        },
        "gender": _gender(female / (female + male)),
        "age_band": _age({g: c / total_age for g, c in age_counts.items()}),
        "ethnicity": _with_extra(
            _counts(m, "ethnicity", ETHNICITY), {9: UNPUBLISHED["ethnicity_prefer_not"]}
        ),
        "religion": _counts(  # the carers' appendix lists no Sikh respondent
            m,
            "religion",
            {**{k: v for k, v in RELIGION.items() if k != "sikh"}, "prefer_not_to_say": 9},
        ),
        "sexuality": _with_extra(
            _counts(
                m, "sexuality", {"heterosexual": 1, "gay_lesbian": 2, "bisexual": 3, "other": 4}
            ),
            {9: UNPUBLISHED["carer_sexuality_prefer_not"]},
        ),
    }
    included = _pct(m, "views_included", "mostly_or_very_much_all")
    very_much = UNPUBLISHED["carer_views_very_much_of_included"]
    not_at_all = {
        "views_budget": _pct(m, "views_included", "not_included_budget_set"),
        "views_carer_needs": _pct(m, "views_included", "not_included_needs"),
    }
    ladders = {
        variable: Ladder(
            ordered=(
                (1, included * very_much),
                (2, included * (1 - very_much)),
                (3, 1 - included - not_at_all.get(variable, UNPUBLISHED["carer_views_not_at_all"])),
                (4, not_at_all.get(variable, UNPUBLISHED["carer_views_not_at_all"])),
            ),
            aside=((8, UNPUBLISHED["carer_views_did_not_happen"]),),
        )
        for variable in ("views_person_needs", "views_carer_needs", "views_budget", "views_plan")
    }
    comments = {
        "comment_worked_well": _pct(m, "comments", "worked_well"),
        "comment_not_worked": _pct(m, "comments", "not_worked_well"),
        "comment_change": _pct(m, "comments", "change"),
    }
    return SurveyTargets(
        survey="carers",
        simple={k: _normalise(v) for k, v in simple.items()},
        ladders=ladders,
        multi_selects={},
        amounts=_amounts(m, UNPUBLISHED["carer_amount_reported"]),
        outcomes=_outcomes("carers", m),
        comments=comments,
        effects=_effects("carers"),
    )


@cache
def survey_targets(survey: str) -> SurveyTargets:
    if survey == "holders":
        return _holders()
    if survey == "carers":
        return _carers()
    raise ValueError(f"unknown survey {survey!r}")


# ---------------------------------------------------------------- change between waves

ANCHOR_WAVE = 2014  # the wave whose targets are the published 2014 figures

# Change of each outcome's positive share, in percentage points per year, anchored at
# 2014: wave w gets the 2014 share + drift * (w - 2014). The reports publish one wave
# each, so every figure here is an ASSUMPTION (docs/synth.md, "Change between waves"),
# chosen to plant real rises, falls and stable outcomes; `poet synth --drift` replaces
# it. Outcomes not listed are stable (0). Independence rises 10 points a year, so 2013
# sits near 69% with councils from about half to over 80%, as the 2013 survey reported.
DEFAULT_DRIFT: dict[str, float] = {
    "independence": 10.0,
    "control_over_life": 8.0,
    "feeling_safe": 4.0,
    "mental_health": -8.0,
    "physical_health": -4.0,
    "carer_stress": -9.0,
    "continue_caring": 8.0,
    "quality_of_life_carer": 3.0,
}
# Published for the 2013 survey (docs/contract/poet_2013): odds ratios of one factor on
# one outcome, used in the 2013 wave only as the effect share * log(OR). Factor names that are not plan factors are
# generator flags (`wave_factors` in respondents.py): holders' views FULLY taken into
# account in the support plan (views_plan 1), and "easy" (1-2) to change support /
# to choose between services.
PUBLISHED_2013_ODDS_RATIOS: dict[str, dict[str, dict[str, float]]] = {
    "holders": {
        "out_independence": {
            "views_fully_support_plan": 4.0,
            "process_change_easy": 3.0,
            "process_choose_easy": 3.0,
        }
    },
    # carers whose views were taken into account in planning: 4x on staying well and
    # carrying on caring
    "carers": {"cout_continue_caring": {"views_included_support_plan": 4.0}},
}
PUBLISHED_2013_WAVE = 2013
# Share of log(OR) used as the effect (ASSUMPTION, like Assumptions.shrink_*): the rest of
# a holders' bivariate ratio comes from the latent process trait that the views and
# process items share; the carers' views item carries it nearly alone. With these, the
# 2013 wave reads back at about the published ratios (docs/synth.md gives the figures).
PUBLISHED_2013_EFFECT_SHARE = {"holders": 0.4, "carers": 1.0}
SHARE_FLOOR = 0.02  # a drifted positive share never goes below 2%


def outcome_ids() -> set[str]:
    return {oid for outcomes in OUTCOMES.values() for oid in outcomes.values()}


def check_drift(drift: Mapping[str, float]) -> None:
    unknown = sorted(set(drift) - outcome_ids())
    if unknown:
        raise ValueError(
            f"--drift names unknown outcome ids {unknown}; known: {sorted(outcome_ids())}"
        )


def drifted_share(outcome: Outcome, points_per_year: float, wave: int) -> float:
    """The outcome's positive share in `wave`, kept between the floor and the room left
    beside its negative share."""
    share = outcome.positive + points_per_year / 100.0 * (wave - ANCHOR_WAVE)
    return min(max(share, SHARE_FLOOR), 0.995 - outcome.negative)


def wave_targets(survey: str, wave: int, drift: Mapping[str, float]) -> SurveyTargets:
    """The survey's targets in one wave: the 2014 targets with each outcome's positive
    share drifted, and in 2013 the published 2013 odds ratios added as effects."""
    base = survey_targets(survey)
    outcomes = tuple(
        dataclasses.replace(o, positive=drifted_share(o, drift.get(o.outcome_id, 0.0), wave))
        for o in base.outcomes
    )
    effects = base.effects
    if wave == PUBLISHED_2013_WAVE:
        share = PUBLISHED_2013_EFFECT_SHARE[survey]
        effects = {variable: dict(e) for variable, e in base.effects.items()}
        for variable, ratios in PUBLISHED_2013_ODDS_RATIOS[survey].items():
            for factor, ratio in ratios.items():
                effects[variable][factor] = share * math.log(ratio)
    return dataclasses.replace(base, outcomes=outcomes, effects=effects)
