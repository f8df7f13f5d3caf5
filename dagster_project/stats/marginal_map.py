"""Where each published 2014 marginal (section, category) is found in the marts.

One typed row per published figure of `published_2014_<survey>_marginals`. A figure the
codebook cannot give has source `none` and the reason; the fidelity asset reports it
with reproduced NULL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MarginalSource:
    """How to reproduce one published marginal from the 2014 wave.

    source:
      code_share      share of `codes` of `variable` in marts.distributions; the base is the
                      answers with `base_codes` (all codes of the variable when empty)
      flag_share      share of 1 of a flag of the respondent mart, base its non-NULL rows
      value_share     share of a recode column equal to `codes[0]` (text), base its non-NULL rows
      outcome_positive / outcome_negative  outcome_summary of outcome `variable`
      outcome_negative_max  the largest pct_negative of the survey's outcomes
      respondents     number of respondents in the respondent mart
      organisations   distinct org_code of org_type `variable` (`both_surveys`: holders and carers)
      mean_by_group   mean weekly_amount_gbp of social_care_group `variable`
      ongoing_share   share of ongoing amounts among those giving an amount
      process_r       mean inter-item r of marts.process_scale
      comment_share   share of respondents with a comment on question `variable` (marts.comments)
      none            no codebook variable gives it: reproduced NULL, `reason` says why
    """

    source: str
    variable: str | None = None
    codes: tuple = ()
    base_codes: tuple = ()
    reason: str | None = None
    upper_bound: bool = False  # the published figure is a bound ("less than 9%"), not an estimate


def _codes(variable: str, mapping: dict[str, tuple], base: tuple = ()) -> dict[str, MarginalSource]:
    return {
        cat: MarginalSource("code_share", variable, codes, base) for cat, codes in mapping.items()
    }


def _flags(mapping: dict[str, str]) -> dict[str, MarginalSource]:
    return {cat: MarginalSource("flag_share", flag) for cat, flag in mapping.items()}


PROCESS_CATEGORIES = ("change", "info", "restrictions", "agree_amount", "get_support", "choose",
                      "planning", "manage", "account")  # fmt: skip
HOLDER_OUTCOME_IDS = (
    "dignity", "independence", "arranging_support", "relationships_paid", "quality_of_life",
    "mental_health", "control_over_life", "feeling_safe", "relationships_family", "friends",
    "self_esteem", "physical_health", "where_who_live", "volunteering_community", "paid_work",
)  # fmt: skip
CARER_OUTCOME_IDS = (
    "continue_caring", "quality_of_life_person", "quality_of_life_carer", "carer_stress",
    "carer_control_over_life", "carer_relationship_person", "carer_relationships_family_friends",
    "carer_paid_work_volunteering",
)  # fmt: skip
COMMENTS = {"worked_well": "worked_well", "not_worked_well": "not_worked", "change": "change"}
CENSUS = "a Census 2011 figure for the general population: no survey variable gives it"

HOLDER_SECTIONS: dict[str, dict[str, MarginalSource]] = {
    "respondents": {
        "total": MarginalSource("respondents"),
        "organisations_councils": MarginalSource("organisations", "council", ("both_surveys",)),
        "organisations_nhs": MarginalSource("organisations", "nhs", ("both_surveys",)),
    },
    "completion_mode": _codes("completed_how", {"on_own": (1,), "with_help": (2,), "on_behalf": (3,), "meeting_interview": (4,)}),
    "gender": _codes("gender", {"female": (1,), "male": (2,)}),
    "age_group": {c: MarginalSource("value_share", "age_group", (v,)) for c, v in
                  (("16_44", "16-44"), ("45_64", "45-64"), ("65_plus", "65+"))},
    "ethnicity": _codes("ethnicity", {"white": (1,), "mixed": (2,), "asian": (3,), "black": (4,), "chinese_other": (5,)}, (1, 2, 3, 4, 5)),
    "religion": _codes("religion", {"none": (1,), "buddhist": (2,), "christian": (3,), "hindu": (4,), "jewish": (5,),
                                    "muslim": (6,), "sikh": (7,), "other": (8,)}, tuple(range(1, 9))),
    "sexuality": _codes("sexuality", {"heterosexual": (1,), "gay_lesbian_bisexual": (2, 3), "prefer_not_to_say": (9,)}, (1, 2, 3, 9)),
    "main_reason": _codes("main_reason", {"physical_disability": (1,), "learning_disability": (2,), "mental_health": (3,),
                                          "old_age": (4,), "complex_health_needs": (5,), "sensory": (6,),
                                          "substance_misuse": (7,), "other": (8,)}),
    "general_health": _codes("general_health", {"good_or_very_good": (1, 2), "bad_or_very_bad": (4, 5)}),
    "general_health_population": {c: MarginalSource("none", reason=CENSUS) for c in ("good_or_very_good", "bad_or_very_bad")},
    "management": _codes("management", {"dp_own": (1,), "dp_family_friend": (2,), "broker": (3,), "provider": (4,),
                                        "council_nhs": (5,), "no_budget": (6,)}),
    "duration": _codes("duration", {"under_1_year": (1,), "1_to_3_years": (2,), "over_3_years": (3,), "dont_know": (9,)}),
    "prior_support": _codes("prior_support", {"yes": (1,)}),
    "amount_reported": _flags({"yes": "knows_budget_amount"}),
    "amount_type": {"ongoing": MarginalSource("ongoing_share", codes=(True,)),
                    "one_off": MarginalSource("ongoing_share", codes=(False,))},
    "weekly_amount_band": {b: MarginalSource("value_share", "weekly_amount_band", (b,)) for b in ("up_to_200", "201_500", "501_1000", "over_1000")},
    "one_off_amount_band": {b: MarginalSource("value_share", "one_off_amount_band", (b,)) for b in ("up_to_200", "201_500", "501_1000", "over_1000")},
    "mean_weekly_amount_by_group": {g: MarginalSource("mean_by_group", g) for g in
                                    ("physical_disability", "learning_disability", "mental_health", "older_people")},
    "planning_support": _flags({"council": "plan_help_council", "family_friends": "plan_help_family_friends",
                                "provider": "plan_help_provider", "broker": "plan_help_independent",
                                "nhs": "plan_help_nhs", "no_help": "plan_without_help"}),
    # "Views included": fully or partly (codes 1-2) of everyone answering, don't know included.
    "views_included": {c: MarginalSource("code_share", v, (1, 2)) for c, v in
                       (("needs_assessed", "views_needs"), ("budget_set", "views_budget"), ("support_plan", "views_plan"))},
    "process_difficult": {c: MarginalSource("value_share", f"process_{c}_level", ("difficult",)) for c in PROCESS_CATEGORIES},
    "process_scale": {"mean_inter_item_r": MarginalSource("process_r")},
    "spend": _flags({"care_support": "spend_care_support", "personal_assistant": "spend_personal_assistants",
                     "community_leisure": "spend_community_leisure", "equipment": "spend_equipment"}),
    "outcome_positive": {o: MarginalSource("outcome_positive", o) for o in HOLDER_OUTCOME_IDS},
    "outcome_negative": {o: MarginalSource("outcome_negative", o) for o in HOLDER_OUTCOME_IDS},
    "comments": {c: MarginalSource("comment_share", q) for c, q in COMMENTS.items()},
}  # fmt: skip

CARER_SECTIONS: dict[str, dict[str, MarginalSource]] = {
    "respondents": {
        "total": MarginalSource("respondents"),
        "organisations_councils": MarginalSource("organisations", "council"),
        "organisations_nhs": MarginalSource("organisations", "nhs"),
    },
    "gender": _codes("gender", {"female": (1,), "female_count": (1,), "male_count": (2,)}),
    "age_group": {c: MarginalSource("value_share", "age_group", (v,)) for c, v in
                  (("18_44", "18-44"), ("45_64", "45-64"), ("65_plus", "65+"))},
    "ethnicity": _codes("ethnicity", {"white": (1,), "mixed": (2,), "asian": (3,), "black": (4,), "chinese_other": (5,)}, (1, 2, 3, 4, 5)),
    "religion": _codes("religion", {"none": (1,), "buddhist": (2,), "christian": (3,), "hindu": (4,), "jewish": (5,),
                                    "muslim": (6,), "sikh": (7,), "other": (8,), "prefer_not_to_say": (9,)}),
    "sexuality": _codes("sexuality", {"heterosexual": (1,), "gay_lesbian": (2,), "bisexual": (3,), "other": (4,)}, (1, 2, 3, 4)),
    "disability": _codes("disability", {"any": (2, 3, 4, 5, 6, 7), "long_term_condition": (4,)}),
    "general_health": _codes("general_health", {"good_or_very_good": (1, 2), "bad_or_very_bad": (4, 5)}),
    "relationship": _codes("relationship", {"partner_spouse": (1,), "son_daughter": (2,), "parent_older_family": (3,),
                                            "other_relative": (4,), "friend_neighbour": (5,)}),
    "lives_with": _codes("lives_with", {"yes": (1,)}),
    "hours_per_week": _codes("hours_band", {"over_50": (4,)}),
    # The three published shares add to 100: don't know is left out of the base.
    "duration": _codes("pb_duration", {"under_1_year": (1,), "1_to_3_years": (2,), "over_3_years": (3,)}, (1, 2, 3)),
    "prior_support": _codes("prior_support", {"yes": (1,)}),
    "views_included": {
        "mostly_or_very_much_all": MarginalSource(
            "none", reason="needs each carer's four views answers together; the marts hold per-item "
            "distributions and the 'very much' flags only"),
        "not_included_budget_set": MarginalSource("code_share", "views_budget", (4,)),
        # "their needs": read as the carer's own needs assessment.
        "not_included_needs": MarginalSource("code_share", "views_carer_needs", (4,)),
    },
    "outcome_positive": {o: MarginalSource("outcome_positive", o) for o in CARER_OUTCOME_IDS},
    "outcome_negative": {"any_max": MarginalSource("outcome_negative_max", upper_bound=True)},
    "comments": {c: MarginalSource("comment_share", q) for c, q in COMMENTS.items()},
}  # fmt: skip

MARGINAL_SOURCES = {"holders": HOLDER_SECTIONS, "carers": CARER_SECTIONS}


def marginal_source(survey: str, section: str, category: str) -> MarginalSource:
    found = MARGINAL_SOURCES[survey].get(section, {}).get(category)
    if found is None:
        return MarginalSource(
            "none",
            reason=f"no mapping for {survey} {section}/{category}: add one to stats/marginal_map.py",
        )
    return found
