"""The analysis plan's ids, predictor sets and thresholds (docs/contract/analysis_plan.md).

Everything the statistics read from the plan lives here, typed, so that a change of
the plan is a change of one file.
"""

from __future__ import annotations

from dataclasses import dataclass

Z_95 = 1.959964  # the 97.5% normal quantile of every 95% interval (plan section 2)
SIGNIFICANCE_ALPHA = 0.05  # bivariate asterisk (plan 2.2)
REPORTED_ALPHA = 0.01  # regression terms the report prints (plan 2.3)
FISHER_MIN_EXPECTED = 5.0  # Fisher's exact test below this expected count (plan 2.2)
ZERO_CELL_ADDITION = 0.5  # Haldane correction when a 2x2 cell is 0 (plan 2.2)
FIDELITY_WAVE = 2014  # the wave the 2014 report is compared with

HOLDER_OUTCOMES = (
    "quality_of_life", "self_esteem", "relationships_paid", "friends",
    "relationships_family", "volunteering_community", "paid_work", "where_who_live",
    "feeling_safe", "arranging_support", "independence", "control_over_life",
    "mental_health", "physical_health", "dignity",
)  # fmt: skip
CARER_OUTCOMES = (
    "carer_control_over_life", "carer_relationships_family_friends",
    "carer_relationship_person", "carer_paid_work_volunteering", "carer_stress",
    "quality_of_life_person", "quality_of_life_carer", "continue_caring",
)  # fmt: skip

HOLDER_FACTORS = (
    "female", "white", "older_adult_65plus", "learning_disability",
    "mental_health_difficulty", "physical_disability", "fair_or_poor_health",
    "funder_nhs", "funder_council", "funder_both", "council_support_before",
    "held_over_1_year", "held_over_3_years", "knows_budget_amount",
    "dp_own_account", "dp_family_friend", "dp_broker", "provider_managed",
    "council_nhs_managed", "plan_help_family_friends", "plan_help_council",
    "plan_help_nhs", "plan_help_independent", "plan_help_provider", "plan_without_help",
    "views_included_needs_assessed", "views_included_budget_set",
    "views_included_support_plan", "process_made_easy", "spend_care_support",
    "spend_community_leisure", "spend_personal_assistants", "spend_equipment",
)  # fmt: skip
CARER_FACTORS = (
    "female", "white", "older_adult_65plus", "fair_or_poor_health",
    "self_reported_disability", "caring_for_partner_spouse", "caring_for_son_daughter",
    "caring_for_parent", "caring_for_other", "caring_for_friend_neighbour",
    "lives_with_person", "caring_24_7", "funder_nhs", "funder_council", "funder_both",
    "council_support_before", "held_over_1_year", "held_over_3_years",
    "knows_budget_amount", "views_included_person_needs", "views_included_carer_needs",
    "views_included_budget_set", "views_included_support_plan",
)  # fmt: skip

# Plan 2.3: the factors of 1.2/1.3 less one reference category per exclusive group
# (funder: council; management: direct payment to own account; carers' relationship:
# partner or spouse).
HOLDER_PREDICTORS = tuple(
    f for f in HOLDER_FACTORS if f not in ("funder_council", "dp_own_account")
)
CARER_PREDICTORS = tuple(
    f for f in CARER_FACTORS if f not in ("funder_council", "caring_for_partner_spouse")
)

PROCESS_ITEMS = (
    "process_info", "process_agree_amount", "process_restrictions", "process_planning",
    "process_choose", "process_get_support", "process_change", "process_manage",
    "process_account",
)  # fmt: skip
PROCESS_LEVELS = ("easy", "neither", "difficult")
SOCIAL_CARE_GROUPS = ("physical_disability", "learning_disability", "mental_health", "older_people")

# Plan 2.4: the holder flags tested across the four social care groups.
GROUP_TEST_FACTORS = (
    "dp_own_account", "dp_family_friend", "dp_broker", "provider_managed",
    "council_nhs_managed", "plan_help_family_friends", "plan_help_council",
    "plan_help_nhs", "plan_help_independent", "plan_help_provider", "plan_without_help",
    "views_included_needs_assessed", "views_included_budget_set",
    "views_included_support_plan", "spend_care_support", "spend_community_leisure",
    "spend_personal_assistants", "spend_equipment",
)  # fmt: skip


@dataclass(frozen=True)
class RegressionRules:
    """Plan 2.3: when a logistic model is fitted, and how."""

    min_cases: int = 500
    min_events_per_predictor: float = 5.0
    max_iterations: int = 50
    ll_tolerance: float = 1e-8
    separation_probability: float = 1e-6
    separation_coefficient: float = 10.0


@dataclass(frozen=True)
class Survey:
    name: str  # holders | carers
    table: str  # the respondent mart
    outcomes: tuple[str, ...]
    factors: tuple[str, ...]
    predictors: tuple[str, ...]

    def flag(self, outcome_id: str) -> str:
        return f"{outcome_id}_positive"


SURVEYS = (
    Survey("holders", "marts.holder_responses", HOLDER_OUTCOMES, HOLDER_FACTORS, HOLDER_PREDICTORS),
    Survey("carers", "marts.carer_responses", CARER_OUTCOMES, CARER_FACTORS, CARER_PREDICTORS),
)
HOLDERS, CARERS = SURVEYS

assert len(HOLDER_FACTORS) == 33 and len(CARER_FACTORS) == 23
assert len(HOLDER_PREDICTORS) == 31 and len(CARER_PREDICTORS) == 21
