"""Synthetic respondent marts with realistic associations, for the stats tests and the
benchmark. Not used by the pipeline: the real marts come from dbt.

Columns are those the stats read from `marts.holder_responses` / `marts.carer_responses`
(docs/ARCHITECTURE.md "The marts"): flags INTEGER 0/1/NULL, codes INTEGER, `wave`,
`org_code`. A latent "good experience" score links process, views and outcomes, so odds
ratios and regression terms are not all null.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dagster_project.stats.plan import CARERS, HOLDERS, PROCESS_ITEMS

MAIN_REASON_P = (0.403, 0.203, 0.087, 0.105, 0.156, 0.012, 0.010, 0.024)
SOCIAL_CARE_GROUP = {1: "physical_disability", 2: "learning_disability", 3: "mental_health", 4: "older_people"}  # fmt: skip


def _flag(rng: np.random.Generator, logit: np.ndarray | float, n: int) -> np.ndarray:
    return (rng.random(n) < 1 / (1 + np.exp(-np.asarray(logit)))).astype(float)


def _one_hot(code: np.ndarray, value: int, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, (code == value).astype(float), np.nan)


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(values)) < share, np.nan, values)


def _to_int_frame(frame: pd.DataFrame, text: tuple[str, ...]) -> pd.DataFrame:
    for col in frame.columns:
        if col not in text and frame[col].dtype.kind == "f" and not col.endswith("_gbp"):
            frame[col] = frame[col].astype("Int64")
    return frame


def _common(rng: np.random.Generator, n: int, wave: int, orgs: int) -> dict[str, np.ndarray]:
    org = rng.integers(1, orgs + 1, n)
    return {
        "wave": np.full(n, wave),
        "org_code": np.array([f"LA{o:02d}" for o in org]),
        "org_type": np.where(org % 4 == 0, "nhs", "council"),
        "respondent_id": np.array([f"R{wave}-{i}" for i in range(n)]),
        "latent": rng.normal(size=n),
    }


def holders_frame(n: int, wave: int = 2014, seed: int = 1, orgs: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = _common(rng, n, wave, orgs)
    z = c.pop("latent")
    reason = rng.choice(np.arange(1, 9), n, p=np.array(MAIN_REASON_P) / sum(MAIN_REASON_P))
    reason_ok = rng.random(n) > 0.02
    f: dict[str, np.ndarray] = {
        "female": _blank(rng, _flag(rng, 0.3, n), 0.03),
        "white": _blank(rng, _flag(rng, 2.4, n), 0.05),
        "older_adult_65plus": _blank(rng, _flag(rng, np.where(reason == 4, 2.5, -0.9), n), 0.03),
        "learning_disability": _one_hot(reason, 2, reason_ok),
        "mental_health_difficulty": _one_hot(reason, 3, reason_ok),
        "physical_disability": _one_hot(reason, 1, reason_ok),
        "fair_or_poor_health": _blank(rng, _flag(rng, 0.7 - 0.3 * z, n), 0.02),
    }
    funder = rng.choice([1, 2, 3], n, p=[0.75, 0.1, 0.15])
    funder_ok = rng.random(n) > 0.08
    f |= {"funder_nhs": _one_hot(funder, 2, funder_ok), "funder_council": _one_hot(funder, 1, funder_ok),
          "funder_both": _one_hot(funder, 3, funder_ok)}  # fmt: skip
    f["council_support_before"] = _blank(rng, _flag(rng, -0.3, n), 0.06)
    duration = rng.choice([1, 2, 3], n, p=[0.2, 0.37, 0.43])
    duration_ok = rng.random(n) > 0.07
    f["held_over_1_year"] = np.where(duration_ok, (duration >= 2).astype(float), np.nan)
    f["held_over_3_years"] = np.where(duration_ok, (duration == 3).astype(float), np.nan)
    f["knows_budget_amount"] = _flag(rng, 0.0 + 0.2 * z, n)
    management = rng.choice(np.arange(1, 7), n, p=[0.334, 0.205, 0.05, 0.197, 0.184, 0.03])
    man_ok = (management != 6) & (rng.random(n) > 0.03)
    for name, code in (("dp_own_account", 1), ("dp_family_friend", 2), ("dp_broker", 3),
                       ("provider_managed", 4), ("council_nhs_managed", 5)):  # fmt: skip
        f[name] = _one_hot(management, code, man_ok)
    plan_blank = rng.random(n) < 0.05
    for name, logit in (("plan_help_family_friends", -0.6), ("plan_help_council", 0.0),
                        ("plan_help_nhs", -2.3), ("plan_help_independent", -2.7),
                        ("plan_help_provider", -1.5), ("plan_without_help", -2.7)):  # fmt: skip
        f[name] = np.where(plan_blank, np.nan, _flag(rng, logit + 0.2 * z, n))
    for name, logit in (("views_included_needs_assessed", 1.5), ("views_included_budget_set", 0.6),
                        ("views_included_support_plan", 1.2)):  # fmt: skip
        f[name] = _blank(rng, _flag(rng, logit + 0.9 * z, n), 0.06)
    items = {}
    for item in PROCESS_ITEMS:
        score = np.clip(np.round(2.3 - 0.9 * z + rng.normal(scale=0.7, size=n)), 1, 5)
        items[item] = np.where(rng.random(n) < 0.07, np.nan, score)
    answered = np.column_stack(list(items.values()))
    counts = np.sum(~np.isnan(answered), axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(counts[:, None] > 0, answered, 0), axis=1)
    f["process_made_easy"] = np.where(counts >= 3, (mean < 2.5).astype(float), np.nan)
    spend_blank = rng.random(n) < 0.04
    for name, logit in (("spend_care_support", 0.75), ("spend_community_leisure", -1.05),
                        ("spend_personal_assistants", -0.3), ("spend_equipment", -2.4)):  # fmt: skip
        f[name] = np.where(spend_blank, np.nan, _flag(rng, logit, n))

    out: dict[str, np.ndarray] = {}
    for i, outcome in enumerate(HOLDERS.outcomes):
        effect = 0.6 * f["process_made_easy"] + 0.4 * f["views_included_support_plan"]
        effect = (
            effect + 0.3 * f["spend_personal_assistants"] - 0.3 * f["spend_equipment"] * (i % 2)
        )
        logit = 0.3 + 0.8 * z + np.nan_to_num(effect)
        out[f"{outcome}_positive"] = np.where(rng.random(n) < 0.08, np.nan, _flag(rng, logit, n))

    weekly = np.exp(rng.normal(5.3 + 0.3 * (reason == 1), 0.8, n))
    one_off = rng.random(n) < 0.09
    known = f["knows_budget_amount"] == 1
    weekly_gbp = np.where(known & ~one_off, weekly, np.nan)
    one_off_gbp = np.where(known & one_off, weekly * 3, np.nan)
    frame = pd.DataFrame({**c, **f, **out})
    frame["social_care_group"] = pd.Series(reason).map(SOCIAL_CARE_GROUP).where(reason_ok, None)
    for item, values in items.items():
        frame[item] = values
        level = np.select(
            [values <= 2, values == 3, values >= 4], ["easy", "neither", "difficult"], ""
        )
        frame[f"{item}_level"] = pd.Series(level).replace("", None).where(~np.isnan(values), None)
    frame["weekly_amount_gbp"] = weekly_gbp
    frame["one_off_amount_gbp"] = one_off_gbp
    frame["weekly_amount_band"] = _band(weekly_gbp)
    frame["one_off_amount_band"] = _band(one_off_gbp)
    age = rng.choice(["16-44", "45-64", "65+"], n, p=[0.31, 0.3, 0.39])
    frame["age_group"] = np.where(
        f["older_adult_65plus"] == 1, "65+", np.where(age == "65+", "45-64", age)
    )
    text = ("org_code", "org_type", "respondent_id", "social_care_group", "weekly_amount_band",
            "one_off_amount_band", "age_group") + tuple(f"{i}_level" for i in PROCESS_ITEMS)  # fmt: skip
    return _to_int_frame(frame, text)


def carers_frame(n: int, wave: int = 2014, seed: int = 2, orgs: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = _common(rng, n, wave, orgs)
    z = c.pop("latent")
    relationship = rng.choice(np.arange(1, 6), n, p=[0.346, 0.306, 0.243, 0.082, 0.023])
    rel_ok = rng.random(n) > 0.03
    f = {
        "female": _blank(rng, _flag(rng, 0.65, n), 0.05),
        "white": _blank(rng, _flag(rng, 2.6, n), 0.08),
        "older_adult_65plus": _blank(rng, _flag(rng, -0.4, n), 0.04),
        "fair_or_poor_health": _blank(rng, _flag(rng, -0.3 - 0.3 * z, n), 0.03),
        "self_reported_disability": _blank(rng, _flag(rng, -0.9, n), 0.05),
    }
    for name, code in (("caring_for_partner_spouse", 1), ("caring_for_son_daughter", 2),
                       ("caring_for_parent", 3), ("caring_for_other", 4),
                       ("caring_for_friend_neighbour", 5)):  # fmt: skip
        f[name] = _one_hot(relationship, code, rel_ok)
    f["lives_with_person"] = _blank(rng, _flag(rng, 1.2, n), 0.02)
    f["caring_24_7"] = _blank(rng, _flag(rng, 0.2, n), 0.04)
    funder = rng.choice([1, 2, 3], n, p=[0.78, 0.08, 0.14])
    funder_ok = rng.random(n) > 0.1
    f |= {"funder_nhs": _one_hot(funder, 2, funder_ok), "funder_council": _one_hot(funder, 1, funder_ok),
          "funder_both": _one_hot(funder, 3, funder_ok)}  # fmt: skip
    f["council_support_before"] = _blank(rng, _flag(rng, -0.4, n), 0.06)
    duration = rng.choice([1, 2, 3], n, p=[0.32, 0.41, 0.27])
    duration_ok = rng.random(n) > 0.06
    f["held_over_1_year"] = np.where(duration_ok, (duration >= 2).astype(float), np.nan)
    f["held_over_3_years"] = np.where(duration_ok, (duration == 3).astype(float), np.nan)
    f["knows_budget_amount"] = _flag(rng, -0.2 + 0.2 * z, n)
    for name, logit in (("views_included_person_needs", 0.3), ("views_included_carer_needs", -0.2),
                        ("views_included_budget_set", -0.3), ("views_included_support_plan", 0.1)):  # fmt: skip
        f[name] = _blank(rng, _flag(rng, logit + 0.9 * z, n), 0.08)
    out = {}
    for outcome in CARERS.outcomes:
        logit = 0.2 + 0.8 * z + 0.5 * np.nan_to_num(f["views_included_person_needs"])
        out[f"{outcome}_positive"] = np.where(rng.random(n) < 0.1, np.nan, _flag(rng, logit, n))
    frame = pd.DataFrame({**c, **f, **out})
    age = rng.choice(["18-44", "45-64"], n, p=[0.14, 0.86])
    frame["age_group"] = np.where(f["older_adult_65plus"] == 1, "65+", age)
    return _to_int_frame(frame, ("org_code", "org_type", "respondent_id", "age_group"))


def _band(amount: np.ndarray) -> pd.Series:
    band = pd.cut(pd.Series(amount), [0, 200, 500, 1000, np.inf],
                  labels=["up_to_200", "201_500", "501_1000", "over_1000"])  # fmt: skip
    return band.astype(object).where(band.notna(), None)


def write_marts(
    con: duckdb.DuckDBPyConnection, holders: pd.DataFrame, carers: pd.DataFrame
) -> None:
    """Write the two respondent marts into schema marts of `con`."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name, frame in (("holder_responses", holders), ("carer_responses", carers)):
        con.register("_synthetic", frame)
        con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT * FROM _synthetic")
        con.unregister("_synthetic")
