"""The analysis-plan factors (sections 1.2 and 1.3), computed from generated codes so
that the outcome model can use them. Flags are 1.0, 0.0 or NaN."""

from __future__ import annotations

import numpy as np

Columns = dict[str, np.ndarray]


def _flag(values: np.ndarray, ones: tuple, zeros: tuple) -> np.ndarray:
    out = np.full(len(values), np.nan)
    out[np.isin(values, ones)] = 1.0
    out[np.isin(values, zeros)] = 0.0
    return out


def _common(c: Columns) -> dict[str, np.ndarray]:
    return {
        "female": _flag(c["gender"], (1,), (2,)),
        "white": _flag(c["ethnicity"], (1,), (2, 3, 4, 5)),
        "older_adult_65plus": _flag(c["age_band"], (6, 7, 8), (1, 2, 3, 4, 5)),
        "fair_or_poor_health": _flag(c["general_health"], (3, 4, 5), (1, 2)),
        "funder_nhs": _flag(c["funder"], (2,), (1, 3)),
        "funder_council": _flag(c["funder"], (1,), (2, 3)),
        "funder_both": _flag(c["funder"], (3,), (1, 2)),
        "council_support_before": _flag(c["prior_support"], (1,), (2,)),
        "knows_budget_amount": (c["amount_gbp"] > 0).astype(np.float64),
    }


def process_made_easy(c: Columns, items: tuple[str, ...]) -> np.ndarray:
    codes = np.column_stack([c[item] for item in items])
    valid = (codes >= 1) & (codes <= 5)
    count = valid.sum(axis=1)
    total = np.where(valid, codes, 0).sum(axis=1)
    mean = np.divide(total, count, out=np.full(len(count), np.nan), where=count > 0)
    out = np.where(mean < 2.5, 1.0, 0.0)
    out[count < 3] = np.nan
    return out


def holder_factors(c: Columns, process_items: tuple[str, ...]) -> dict[str, np.ndarray]:
    f = _common(c)
    reason = c["main_reason"]
    others = tuple(range(1, 9))
    for factor, code in (
        ("learning_disability", 2),
        ("mental_health_difficulty", 3),
        ("physical_disability", 1),
    ):
        f[factor] = _flag(reason, (code,), tuple(x for x in others if x != code))
    f["held_over_1_year"] = _flag(c["duration"], (2, 3), (1,))
    f["held_over_3_years"] = _flag(c["duration"], (3,), (1, 2))
    management = tuple(range(1, 6))
    for factor, code in (
        ("dp_own_account", 1),
        ("dp_family_friend", 2),
        ("dp_broker", 3),
        ("provider_managed", 4),
        ("council_nhs_managed", 5),
    ):
        f[factor] = _flag(c["management"], (code,), tuple(x for x in management if x != code))
    for factor, item in (
        ("plan_help_family_friends", "plan_help_family"),
        ("plan_help_council", "plan_help_council"),
        ("plan_help_nhs", "plan_help_nhs"),
        ("plan_help_independent", "plan_help_independent"),
        ("plan_help_provider", "plan_help_provider"),
        ("plan_without_help", "plan_help_none"),
        ("spend_care_support", "spend_care_support"),
        ("spend_community_leisure", "spend_community_leisure"),
        ("spend_personal_assistants", "spend_personal_assistant"),
        ("spend_equipment", "spend_equipment"),
    ):
        f[factor] = c[item]
    for factor, item in (
        ("views_included_needs_assessed", "views_needs"),
        ("views_included_budget_set", "views_budget"),
        ("views_included_support_plan", "views_plan"),
    ):
        f[factor] = _flag(c[item], (1,), (2, 3))
    f["process_made_easy"] = process_made_easy(c, process_items)
    return f


def carer_factors(c: Columns) -> dict[str, np.ndarray]:
    f = _common(c)
    f["self_reported_disability"] = _flag(c["disability"], (2, 3, 4, 5, 6, 7), (1,))
    relationships = (1, 2, 3, 4, 5)
    for factor, code in (
        ("caring_for_partner_spouse", 1),
        ("caring_for_son_daughter", 2),
        ("caring_for_parent", 3),
        ("caring_for_other", 4),
        ("caring_for_friend_neighbour", 5),
    ):
        f[factor] = _flag(c["relationship"], (code,), tuple(x for x in relationships if x != code))
    f["lives_with_person"] = _flag(c["lives_with"], (1,), (2,))
    f["caring_24_7"] = _flag(c["caring_24_7"], (1,), (2,))
    f["held_over_1_year"] = _flag(c["pb_duration"], (2, 3), (1,))
    f["held_over_3_years"] = _flag(c["pb_duration"], (3,), (1, 2))
    for factor, item in (
        ("views_included_person_needs", "views_person_needs"),
        ("views_included_carer_needs", "views_carer_needs"),
        ("views_included_budget_set", "views_budget"),
        ("views_included_support_plan", "views_plan"),
    ):
        f[factor] = _flag(c[item], (1,), (2, 3, 4))
    return f
