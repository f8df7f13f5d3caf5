"""poet_tables.xlsx: the published tables as an accessible spreadsheet in the style of
the UK Government Statistical Service, written by `gptables` (cover sheet, contents,
notes, one table per sheet with a single header row and no merged cells, units in the
headers, suppressed cells as `[c]`)."""

from __future__ import annotations

import warnings
from pathlib import Path

import gptables as gpt
import pandas as pd

from dagster_project.reports.data import FLAG_SHARES, ReportData
from dagster_project.reports.disclosure import SUPPRESSED, min_base, shown
from dagster_project.reports.labels import QUESTIONS, SURVEY_NAMES, Labels

SOURCE = "POET survey warehouse (published tables, schema marts)"


def _num(value: object, digits: int) -> object:
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)


def _masked(value: object, base: object, digits: int) -> object:
    """A figure, or [c] when its base is below the disclosure threshold."""
    return _num(value, digits) if shown(base) else SUPPRESSED


def outcomes_table(data: ReportData, labels: Labels) -> pd.DataFrame:
    s = data.outcome_summary.copy()
    s["order"] = [
        labels.outcome_order.get((a, b), 99)
        for a, b in zip(s["survey"], s["outcome_id"], strict=True)
    ]
    s = s.sort_values(["survey", "order"], ascending=[False, True])
    return pd.DataFrame(
        {
            "Survey": s["survey"].map(SURVEY_NAMES),
            "Outcome": [
                labels.outcome_label(a, b)
                for a, b in zip(s["survey"], s["outcome_id"], strict=True)
            ],
            "Outcome id": s["outcome_id"],
            "Base (people for whom relevant)": s["n_relevant"].astype(int),
            "Positive (number)": [
                _masked(v, n, 0) for v, n in zip(s["n_positive"], s["n_relevant"], strict=True)
            ],
            "Positive (%)": [
                _masked(v, n, 1) for v, n in zip(s["pct_positive"], s["n_relevant"], strict=True)
            ],
            "95% CI lower (%)": [
                _masked(v, n, 1) for v, n in zip(s["ci_low"], s["n_relevant"], strict=True)
            ],
            "95% CI upper (%)": [
                _masked(v, n, 1) for v, n in zip(s["ci_high"], s["n_relevant"], strict=True)
            ],
            "No difference (%)": [
                _masked(v, n, 1)
                for v, n in zip(s["pct_no_difference"], s["n_relevant"], strict=True)
            ],
            "Negative (%)": [
                _masked(v, n, 1) for v, n in zip(s["pct_negative"], s["n_relevant"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def odds_ratio_table(data: ReportData, labels: Labels) -> pd.DataFrame:
    o = data.odds_ratios.sort_values(
        ["survey", "factor_id", "outcome_id"], ascending=[False, True, True]
    )
    ok = [shown(n) for n in o["n"]]
    return pd.DataFrame(
        {
            "Survey": o["survey"].map(SURVEY_NAMES),
            "Factor": [
                labels.factor_label(a, b) for a, b in zip(o["survey"], o["factor_id"], strict=True)
            ],
            "Outcome": [
                labels.outcome_label(a, b)
                for a, b in zip(o["survey"], o["outcome_id"], strict=True)
            ],
            "Base (number)": o["n"].astype(int),
            "Odds ratio": [
                _num(v, 3) if k else SUPPRESSED for v, k in zip(o["odds_ratio"], ok, strict=True)
            ],
            "95% CI lower": [
                _num(v, 3) if k else SUPPRESSED for v, k in zip(o["ci_low"], ok, strict=True)
            ],
            "95% CI upper": [
                _num(v, 3) if k else SUPPRESSED for v, k in zip(o["ci_high"], ok, strict=True)
            ],
            "p value": [
                _num(v, 5) if k else SUPPRESSED for v, k in zip(o["p_value"], ok, strict=True)
            ],
            "Test": o["test"].fillna(""),
            "Significant (p < 0.05)": ["yes" if s else "no" for s in o["significant"]],
            "Status": o["status"],
        }
    ).reset_index(drop=True)


def regression_table(data: ReportData, labels: Labels) -> pd.DataFrame:
    m = data.regression_models.set_index(["survey", "outcome_id"])
    t = data.regression_terms.sort_values(
        ["survey", "outcome_id", "p_value"], ascending=[False, True, True]
    )
    return pd.DataFrame(
        {
            "Survey": t["survey"].map(SURVEY_NAMES),
            "Outcome": [
                labels.outcome_label(a, b)
                for a, b in zip(t["survey"], t["outcome_id"], strict=True)
            ],
            "Model base (number)": [
                int(m.loc[(a, b), "n"]) for a, b in zip(t["survey"], t["outcome_id"], strict=True)
            ],
            "Nagelkerke R squared": [
                _num(m.loc[(a, b), "nagelkerke_r2"], 3)
                for a, b in zip(t["survey"], t["outcome_id"], strict=True)
            ],
            "Factor": [
                labels.factor_label(a, b) for a, b in zip(t["survey"], t["factor_id"], strict=True)
            ],
            "Corrected odds ratio": [_num(v, 3) for v in t["odds_ratio"]],
            "95% CI lower": [_num(v, 3) for v in t["ci_low"]],
            "95% CI upper": [_num(v, 3) for v in t["ci_high"]],
            "p value": [_num(v, 5) for v in t["p_value"]],
            "Reported (p < 0.01)": ["yes" if r else "no" for r in t["reported"]],
        }
    ).reset_index(drop=True)


def benchmark_table(data: ReportData, labels: Labels) -> pd.DataFrame:
    b = data.org_benchmark.sort_values(
        ["survey", "org_code", "outcome_id"], ascending=[False, True, True]
    )
    ok = [not bool(s) and shown(n) for s, n in zip(b["suppressed"], b["n_relevant"], strict=True)]

    def col(name: str, digits: int) -> list:
        return [_num(v, digits) if k else SUPPRESSED for v, k in zip(b[name], ok, strict=True)]

    return pd.DataFrame(
        {
            "Survey": b["survey"].map(SURVEY_NAMES),
            "Organisation code": b["org_code"],
            "Organisation": b["org_name"],
            "Outcome": [
                labels.outcome_label(a, o)
                for a, o in zip(b["survey"], b["outcome_id"], strict=True)
            ],
            "Base (people for whom relevant)": col("n_relevant", 0),
            "Positive (%)": col("pct_positive", 1),
            "95% CI lower (%)": col("ci_low", 1),
            "95% CI upper (%)": col("ci_high", 1),
            "England (%)": [_num(v, 1) for v in b["national_pct"]],
            "Compared with England": [
                c if k else SUPPRESSED for c, k in zip(b["comparison"], ok, strict=True)
            ],
        }
    ).reset_index(drop=True)


def shares_table(data: ReportData, labels: Labels) -> pd.DataFrame:
    rows = []
    for r in data.org_summary.sort_values(["survey", "org_code"], ascending=[False, True]).to_dict(
        "records"
    ):
        for flag in FLAG_SHARES[r["survey"]]:
            n, value = r.get(f"{flag}_n"), r.get(f"{flag}_pct")
            rows.append({
                "Survey": SURVEY_NAMES[r["survey"]], "Organisation code": r["org_code"],
                "Organisation": r["org_name"], "Share": labels.factor_label(r["survey"], flag),
                "Base (number)": _masked(n, n, 0), "Percent (%)": _masked(value, n, 1),
            })  # fmt: skip
    return pd.DataFrame(rows)


def theme_table(data: ReportData) -> pd.DataFrame | None:
    if data.theme_shares is None:
        return None
    t = data.theme_shares.sort_values(
        ["survey", "question", "theme_id"], ascending=[False, True, True]
    )
    ok = [shown(n) for n in t["n_comments"]]
    return pd.DataFrame(
        {
            "Survey": t["survey"].map(SURVEY_NAMES),
            "Question": t["question"].map(QUESTIONS).fillna(t["question"]),
            "Theme": t["label"].fillna(t["theme_id"]) if "label" in t else t["theme_id"],
            "Comments (number)": [
                int(n) if k else SUPPRESSED for n, k in zip(t["n_comments"], ok, strict=True)
            ],
            "Comments with the theme (number)": [
                int(n) if k else SUPPRESSED for n, k in zip(t["n_with_theme"], ok, strict=True)
            ],
            "Percent (%)": [
                _num(v, 1) if k else SUPPRESSED for v, k in zip(t["pct"], ok, strict=True)
            ],
            "95% CI lower (%)": [
                _num(v, 1) if k else SUPPRESSED for v, k in zip(t["ci_low"], ok, strict=True)
            ],
            "95% CI upper (%)": [
                _num(v, 1) if k else SUPPRESSED for v, k in zip(t["ci_high"], ok, strict=True)
            ],
        }
    ).reset_index(drop=True)


def trend_table(data: ReportData, labels: Labels) -> pd.DataFrame | None:
    if data.trend_changes is None or data.trend_changes.empty:
        return None
    t = data.trend_changes.sort_values(["survey", "outcome_id"], ascending=[False, True])
    return pd.DataFrame(
        {
            "Survey": t["survey"].map(SURVEY_NAMES),
            "Outcome": [
                labels.outcome_label(a, b)
                for a, b in zip(t["survey"], t["outcome_id"], strict=True)
            ],
            "Previous wave": t["previous_wave"].astype(int),
            "Previous base (number)": t["previous_n_relevant"],
            "Previous positive (%)": [_num(v, 1) for v in t["previous_pct_positive"]],
            "Base (number)": t["n_relevant"],
            "Positive (%)": [_num(v, 1) for v in t["pct_positive"]],
            "Change (percentage points)": [_num(v, 1) for v in t["change_points"]],
            "95% CI lower (points)": [_num(v, 1) for v in t["ci_low"]],
            "95% CI upper (points)": [_num(v, 1) for v in t["ci_high"]],
            "p value": [_num(v, 5) for v in t["p_value"]],
            "Direction": t["direction"].fillna(""),
        }
    ).reset_index(drop=True)


def files_table(data: ReportData) -> pd.DataFrame:
    f = data.landed_files
    return pd.DataFrame(
        {
            "File": f["path"],
            "Organisation code": f["org_code"],
            "Survey": f["survey"],
            "Format": f["file_format"],
            "Status": f["status"],
            "Reason": f["reason"].fillna(""),
            "Rows (number)": f["rows"].fillna(0).astype(int),
            "Rows used (number)": f["rows_used"].fillna(0).astype(int),
            "Invalid cells (number)": f["invalid_cells"].fillna(0).astype(int),
        }
    ).reset_index(drop=True)


def write_workbook(data: ReportData, labels: Labels, path: Path) -> None:
    wave = data.wave
    specs: list[tuple[str, str, str, pd.DataFrame | None, bool]] = [
        ("Outcomes", "outcomes", f"Outcomes of personal budgets, England, wave {wave}", outcomes_table(data, labels), True),
        ("Odds_ratios", "odds_ratios", f"Associations between factors and positive outcomes (odds ratios), wave {wave}", odds_ratio_table(data, labels), True),
        ("Regressions", "regressions", f"Logistic regressions: corrected odds ratios, wave {wave}", regression_table(data, labels), False),
        ("Organisations", "organisations", f"Outcomes by organisation against England, wave {wave}", benchmark_table(data, labels), True),
        ("Process_and_views", "process_views", f"Process and views shares by organisation, wave {wave}", shares_table(data, labels), True),
        ("Themes", "themes", f"Themes of comments, wave {wave}", theme_table(data), True),
        ("Trends", "trends", f"Change in outcomes since the previous wave, wave {wave}", trend_table(data, labels), False),
        ("Files", "files", f"Returns landed for wave {wave}", files_table(data), False),
    ]  # fmt: skip
    sheets = {}
    for sheet, name, title, frame, masked in specs:
        if frame is None or frame.empty:
            continue
        sheets[sheet] = gpt.GPTable(
            table=frame,
            table_name=name,
            title=title + ("$$note_c$$" if masked else ""),
            subtitles=[
                "Percentages are of those answering (outcomes: of those for whom relevant)."
            ],
            instructions="This worksheet contains one table. Some cells refer to notes, which can be found on the notes worksheet.",
            source=f"Source: {SOURCE}",
            index_columns={2: 0},
            legend=[f"{SUPPRESSED} = confidential: base below {min_base()}"] if masked else [],
        )
    missing = [s for s, *_rest, frame, _m in specs if frame is None]
    cover = gpt.Cover(
        title=f"POET personal budget survey: published tables, wave {wave}",
        intro=[
            "The tables behind the POET national and local reports, one table per worksheet.",
            f"Cells marked {SUPPRESSED} are suppressed: their base is below {min_base()} people.",
        ],
        about=[
            "Percentages of outcomes are of those for whom the area of life is relevant.",
            "Intervals are 95% intervals (Wilson for percentages, Woolf for odds ratios).",
            *(["Not loaded in this warehouse: " + ", ".join(missing) + "."] if missing else []),
        ],
        contact=["POET warehouse maintainers (see the project's README)."],
    )
    notes = pd.DataFrame(
        {
            "Note number": ["note_c"],
            "Note text": [
                f"Figures on a base below {min_base()} people are suppressed and shown as {SUPPRESSED} "
                "(disclosure control, analysis plan section 3)."
            ],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gpt.write_workbook(
            filename=str(path),
            sheets=sheets,
            cover=cover,
            notes_table=notes,
            contentsheet_options={"additional_elements": ["subtitles"]},
        )
