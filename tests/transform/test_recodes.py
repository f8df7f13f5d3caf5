"""Recodes of analysis_plan.md section 1 on hand-made fixture rows, values worked out by hand."""

from __future__ import annotations

import pytest

PLAN_HELP = [
    "plan_help_family_friends",
    "plan_help_council",
    "plan_help_nhs",
    "plan_help_independent",
    "plan_help_provider",
    "plan_without_help",
]
SPEND = [
    "spend_care_support",
    "spend_community_leisure",
    "spend_personal_assistants",
    "spend_equipment",
]


@pytest.fixture(scope="module")
def holders(built_warehouse) -> dict[str, dict]:
    rows = built_warehouse.records("select * from marts.holder_responses where wave = 2014")
    return {row["respondent_id"]: row for row in rows}


def test_process_made_easy_borderline_mean_2_5_is_not_easy(holders):
    # S1: items 2, 3, 2, 3 and an 8 -> mean of the four coded 1-5 is exactly 2.5 -> 0.
    assert holders["S1"]["process_made_easy"] == 0
    # S2: two items only -> NULL; S3: 1, 2, 3 -> mean 2.0 -> 1.
    assert holders["S2"]["process_made_easy"] is None
    assert holders["S3"]["process_made_easy"] == 1


def test_multi_select_all_blank_is_null_and_one_tick_makes_the_rest_zero(holders):
    assert [holders["S1"][f] for f in PLAN_HELP] == [None] * 6
    assert [holders["S2"][f] for f in PLAN_HELP] == [0, 1, 0, 0, 0, 0]
    # S4 has an explicit 0 only: the question is not all blank, so every item is 0.
    assert [holders["S4"][f] for f in PLAN_HELP] == [0] * 6
    # S1 ticked spend_equipment only.
    assert [holders["S1"][f] for f in SPEND] == [0, 0, 0, 1]


def test_absent_column_gives_null_flags_and_siblings_keep_their_rules(holders):
    # LA02 did not ask plan_help_nhs, amount_gbp or any spend item.
    assert [holders["B0"][f] for f in PLAN_HELP] == [None] * 6  # every present item blank
    assert [holders["B1"][f] for f in PLAN_HELP] == [1, 0, None, 0, 0, 0]
    for rid in (f"B{i}" for i in range(6)):
        assert holders[rid]["knows_budget_amount"] is None
        assert holders[rid]["plan_help_nhs"] is None
        assert all(holders[rid][f] is None for f in SPEND)


def test_knows_budget_amount_whatever_the_period(holders):
    assert holders["S1"]["knows_budget_amount"] == 1  # 150 with a blank period
    assert holders["S1"]["weekly_amount_gbp"] is None
    assert holders["S3"]["knows_budget_amount"] == 0  # -40 is not a valid amount
    assert holders["S4"]["knows_budget_amount"] == 1


def test_amounts_and_bands(holders):
    assert holders["S2"]["weekly_amount_gbp"] == pytest.approx(520 * 12 / 52)
    assert holders["S2"]["weekly_amount_band"] == "up_to_200"
    assert holders["S4"]["weekly_amount_gbp"] is None
    assert holders["S4"]["one_off_amount_gbp"] == 2000
    assert holders["S4"]["one_off_amount_band"] == "over_1000"


def test_invalid_and_not_relevant_codes_give_null(holders):
    assert holders["S2"]["female"] is None  # gender 7 is invalid (and in raw.invalid_cells)
    assert holders["S3"]["dp_own_account"] is None  # management 6: no budget
    assert holders["S3"]["learning_disability"] == 0  # main_reason 8 is "Other", a code
    assert holders["S3"]["social_care_group"] is None
    assert holders["S3"]["dignity_positive"] is None  # out_dignity 8: not relevant
    assert (holders["S4"]["dignity_positive"], holders["S4"]["dignity_negative"]) == (0, 1)


def test_flags_match_the_codes_for_every_generated_row(built_warehouse):
    """Independent of the SQL: recompute a few flags from the raw cells of the used files."""
    raw = {}
    for f in built_warehouse.files:
        if f.survey == "holders" and f.status == "used":
            invalid = {(rid, var) for rid, var, _, _ in f.invalid}
            for row in f.consenting:
                raw[(f.wave, f.org_code, row["respondent_id"])] = (row, invalid)
    marts = built_warehouse.records(
        "select wave, org_code, respondent_id, female, older_adult_65plus, held_over_1_year, "
        "quality_of_life_positive, age_group from marts.holder_responses"
    )
    assert len(marts) == len(raw)

    def code(row, invalid, var):
        value = row.get(var)
        return None if value is None or (row["respondent_id"], var) in invalid else int(value)

    for m in marts:
        row, invalid = raw[(m["wave"], m["org_code"], m["respondent_id"])]
        gender = code(row, invalid, "gender")
        assert m["female"] == {1: 1, 2: 0}.get(gender)
        age = code(row, invalid, "age_band")
        assert m["older_adult_65plus"] == (None if age in (None, 99) else int(age >= 6))
        assert m["age_group"] == (
            None if age in (None, 99) else "16-44" if age <= 3 else "45-64" if age <= 5 else "65+"
        )
        duration = code(row, invalid, "duration")
        assert m["held_over_1_year"] == {1: 0, 2: 1, 3: 1}.get(duration)
        qol = code(row, invalid, "out_quality_of_life")
        assert m["quality_of_life_positive"] == (None if qol in (None, 8) else int(qol <= 2))
