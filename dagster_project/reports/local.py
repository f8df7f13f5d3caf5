"""The local report of one organisation: its outcomes against England, a funnel plot
per survey, its process and views shares, themes and change when loaded, and what to
fix in its next export.

Charts that every organisation's page draws alike are compiled once per survey
(`LocalCharts`) and rendered per organisation with its own rows or highlight.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dagster_project.reports import charts
from dagster_project.reports.data import FLAG_SHARES, ReportData
from dagster_project.reports.disclosure import SUPPRESSED, shown
from dagster_project.reports.figures import pct
from dagster_project.reports.labels import QUESTIONS, SURVEY_NAMES, Labels
from dagster_project.stats.plan import Z_95

Z_998 = 3.090232  # analysis plan 2.6: the 99.8% funnel limit
COMPARISON = {"higher": "Higher than England", "lower": "Lower than England", "similar": "Similar"}


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Funnel:
    chart: Chart
    table: Table  # every organisation's point (the chart's data)


@dataclass(frozen=True)
class SurveySection:
    survey: str
    name: str
    respondents: int
    outcomes_chart: Chart | None
    outcomes: Table
    funnel: Funnel | None
    shares: Table
    themes: Table | None  # None: not loaded
    changes: Table | None  # None: not loaded (or no earlier wave)
    changes_note: str


@dataclass(frozen=True)
class LocalReport:
    org_code: str
    org_name: str
    org_type: str
    surveys: tuple[SurveySection, ...]
    css: str  # highlights this organisation in the funnel plots
    files: Table
    invalid: Table


def _outcome_frame(data: ReportData, labels: Labels, survey: str, org: str) -> pd.DataFrame:
    b = data.org_benchmark
    rows = b[(b["survey"] == survey) & (b["org_code"] == org)].set_index("outcome_id")
    national = data.outcome_summary[data.outcome_summary["survey"] == survey].set_index(
        "outcome_id"
    )
    out = []
    for outcome in labels.outcomes_of(survey):
        r = rows.loc[outcome] if outcome in rows.index else None
        visible = r is not None and not bool(r["suppressed"]) and shown(r["n_relevant"])
        out.append(
            {
                "outcome_id": outcome,
                "label": labels.outcome_label(survey, outcome),
                "n_relevant": r["n_relevant"] if visible else None,
                "pct_positive": r["pct_positive"] if visible else None,
                "ci_low": r["ci_low"] if visible else None,
                "ci_high": r["ci_high"] if visible else None,
                "comparison": r["comparison"] if visible else None,
                "national_pct": national.loc[outcome, "pct_positive"]
                if outcome in national.index
                else None,
            }
        )
    return pd.DataFrame(out)


class LocalCharts:
    """What every organisation's page draws alike: the organisation-vs-England chart
    compiled once per survey, and the funnel plots rendered once per survey."""

    def __init__(self, data: ReportData, labels: Labels):
        self.data, self.labels = data, labels
        self.names = dict(
            zip(data.org_summary["org_code"], data.org_summary["org_name"], strict=False)
        )
        self.vs_england: dict[str, charts.CompiledChart] = {}
        self.funnels: dict[str, tuple[str, pd.DataFrame]] = {}
        b = data.org_benchmark
        visible = b[~b["suppressed"].astype(bool) & b["pct_positive"].notna()]
        visible = visible[[shown(n) for n in visible["n_relevant"]]]
        for survey in ("holders", "carers"):
            if not (data.org_summary["survey"] == survey).any():
                continue
            sample = _outcome_frame(data, labels, survey, "")
            chart, datasets = charts.org_vs_england(sample)
            self.vs_england[survey] = charts.CompiledChart(chart, datasets)
            funnel = self._funnel(survey, visible[visible["survey"] == survey])
            if funnel is not None:
                self.funnels[survey] = funnel

    def _funnel(self, survey: str, points: pd.DataFrame) -> tuple[str, pd.DataFrame] | None:
        national = self.data.outcome_summary[self.data.outcome_summary["survey"] == survey]
        national = national.set_index("outcome_id")["pct_positive"]
        parts, order = [], []
        for outcome in self.labels.outcomes_of(survey):
            mine = points[points["outcome_id"] == outcome]
            if mine.empty or outcome not in national.index or pd.isna(national[outcome]):
                continue
            label = self.labels.outcome_label(survey, outcome)
            order.append(label)
            p0 = float(national[outcome])
            dots = pd.DataFrame({
                "kind": "point", "label": label, "org_code": mine["org_code"],
                "n": mine["n_relevant"].astype(int), "pct": mine["pct_positive"].round(1),
            })  # fmt: skip
            dots["description"] = [
                f"{code}: {self.names.get(code, code)}, base {n}, {pct(v)}% positive"
                for code, n, v in zip(dots["org_code"], dots["n"], dots["pct"], strict=True)
            ]
            limits = charts.funnel_limits(p0, int(dots["n"].max()), Z_95, Z_998)
            parts += [
                dots,
                limits.round(2).assign(kind="limit", label=label),
                pd.DataFrame({"kind": ["centre"], "label": [label], "national": [round(p0, 1)]}),
            ]
        if not parts:
            return None
        frame = pd.concat(parts, ignore_index=True)
        chart, datasets = charts.funnel_grid(frame, order)
        return charts.to_svg(chart, datasets), points


def _outcomes_section(lc: LocalCharts, survey: str, org: str, name: str):
    frame = _outcome_frame(lc.data, lc.labels, survey, org)
    columns = ("Outcome", "Positive (%)", "95% CI low", "95% CI high", "Base (relevant)",
               "England (%)", "Compared with England")  # fmt: skip
    rows = tuple(
        (
            r.label,
            pct(r.pct_positive, r.n_relevant),
            pct(r.ci_low, r.n_relevant),
            pct(r.ci_high, r.n_relevant),
            str(int(r.n_relevant)) if shown(r.n_relevant) else SUPPRESSED,
            pct(r.national_pct),
            COMPARISON.get(r.comparison, r.comparison) if shown(r.n_relevant) else SUPPRESSED,
        )  # fmt: skip
        for r in frame.itertuples()
    )
    visible = frame[frame["pct_positive"].notna()]
    chart = None
    if len(visible):
        alt = (
            f"{name}: percentage positive per outcome with 95% interval, England as a tick. "
            + "; ".join(
                f"{r.label}: {pct(r.pct_positive)}% (England {pct(r.national_pct)}%)"
                for r in visible.itertuples()
            )
        )
        svg = lc.vs_england[survey].render(alt, datasets={"rows": frame[
            ["label", "pct_positive", "ci_low", "ci_high", "national_pct"]]})  # fmt: skip
        chart = Chart(svg, alt)
    return chart, Table(columns, rows), frame


def _funnel(lc: LocalCharts, survey: str, org: str) -> Funnel | None:
    if survey not in lc.funnels:
        return None
    svg, points = lc.funnels[survey]
    mine = points[points["org_code"] == org]
    where = "; ".join(
        f"{lc.labels.outcome_label(survey, r.outcome_id)}: base {int(r.n_relevant)}, "
        f"{pct(r.pct_positive)}% positive ({COMPARISON.get(r.comparison, r.comparison)})"
        for r in mine.itertuples()
    )
    alt = (
        "Funnel plots, one per outcome: every organisation with a base of 10 or more as a "
        "point at its base and percentage positive, with 95% (dashed) and 99.8% (solid) "
        "limits around England (horizontal line); this organisation highlighted. "
        + (
            f"This organisation: {where}."
            if where
            else "This organisation has no outcome on a base of 10 or more."
        )
    )
    table = Table(
        (
            "Outcome",
            "Organisation",
            "Base (relevant)",
            "Positive (%)",
            "95% limits",
            "99.8% limits",
        ),
        tuple(
            (
                lc.labels.outcome_label(survey, r.outcome_id),
                f"{lc.names.get(r.org_code, r.org_code)} ({r.org_code})"
                + (" (this organisation)" if r.org_code == org else ""),
                str(int(r.n_relevant)),
                pct(r.pct_positive),
                f"{pct(r.funnel_95_low)}-{pct(r.funnel_95_high)}",
                f"{pct(r.funnel_998_low)}-{pct(r.funnel_998_high)}",
            )
            for r in points.itertuples()
        ),
    )
    return Funnel(Chart(svg, alt), table)


def _shares(data: ReportData, labels: Labels, survey: str, org: str) -> Table:
    s = data.org_summary
    row = s[(s["survey"] == survey) & (s["org_code"] == org)]
    nat = data.national_shares[data.national_shares["survey"] == survey].set_index("flag")
    rows = []
    for flag in FLAG_SHARES[survey]:
        n = row[f"{flag}_n"].iloc[0] if len(row) and f"{flag}_n" in row else None
        value = row[f"{flag}_pct"].iloc[0] if len(row) and f"{flag}_pct" in row else None
        rows.append(
            (
                labels.factor_label(survey, flag),
                pct(value, n),
                str(int(n)) if shown(n) else SUPPRESSED,
                pct(nat.loc[flag, "pct"], nat.loc[flag, "n"]) if flag in nat.index else "",
            )  # fmt: skip
        )
    return Table(("Share", "This organisation (%)", "Base", "England (%)"), tuple(rows))


def _themes(data: ReportData, survey: str, org: str) -> Table | None:
    if data.org_themes is None:
        return None
    t = data.org_themes
    t = t[(t["survey"] == survey) & (t["org_code"] == org)]
    t = t[[shown(n) for n in t["n_comments"]]].sort_values(
        ["question", "n_with_theme"], ascending=[True, False]
    )
    labels = {}
    if data.theme_shares is not None and "label" in data.theme_shares:
        labels = dict(zip(data.theme_shares["theme_id"], data.theme_shares["label"], strict=False))
    rows = tuple(
        (
            QUESTIONS.get(r.question, r.question),
            str(labels.get(r.theme_id, r.theme_id)),
            str(int(r.n_with_theme)),
            str(int(r.n_comments)),
            pct(100.0 * r.n_with_theme / r.n_comments, r.n_comments),
        )  # fmt: skip
        for r in t.itertuples()
    )
    return Table(("Question", "Theme", "Comments with the theme", "Comments", "Percent (%)"), rows)


def _changes(data: ReportData, labels: Labels, survey: str, org: str) -> tuple[Table | None, str]:
    if data.org_trend_changes is None:
        return None, "not loaded (marts.org_trend_changes is not in this warehouse)"
    t = data.org_trend_changes
    t = t[(t["survey"] == survey) & (t["org_code"] == org)]
    if t.empty:
        return None, "no earlier wave with a used return of this organisation"
    rows = []
    for r in t.itertuples():
        ok = not bool(r.suppressed) and shown(r.n_relevant) and shown(r.previous_n_relevant)
        change = (
            f"{float(r.change_points):+.1f}" if ok and not pd.isna(r.change_points) else SUPPRESSED
        )
        rows.append(
            (
                labels.outcome_label(survey, r.outcome_id),
                str(int(r.previous_wave)),
                pct(r.previous_pct_positive, r.previous_n_relevant if ok else None),
                pct(r.pct_positive, r.n_relevant if ok else None),
                change,
                f"{pct(r.ci_low, 10 if ok else None)} to {pct(r.ci_high, 10 if ok else None)}",
                (r.direction or "") if ok else SUPPRESSED,
            )  # fmt: skip
        )
    columns = ("Outcome", "Previous wave", "Then (%)", "Now (%)", "Change (points)",
               "95% CI (points)", "Direction")  # fmt: skip
    return Table(columns, tuple(rows)), ""


def _files(data: ReportData, org: str) -> tuple[Table, Table]:
    f = data.landed_files[data.landed_files["org_code"] == org]
    files = Table(
        (
            "File",
            "Survey",
            "Format",
            "Status",
            "Reason",
            "Rows",
            "Rows used",
            "Without consent",
            "Invalid cells",
        ),  # fmt: skip
        tuple(
            (
                r.path,
                r.survey,
                r.file_format,
                r.status,
                r.reason if isinstance(r.reason, str) else "",
                str(int(r.rows or 0)),
                str(int(r.rows_used or 0)),
                str(int(r.rows_without_consent or 0)),
                str(int(r.invalid_cells or 0)),
            )  # fmt: skip
            for r in f.itertuples()
        ),
    )
    cells = data.invalid_cells[data.invalid_cells["path"].isin(set(f["path"]))]
    invalid = Table(
        ("File", "Variable", "Rule", "Invalid cells"),
        tuple((r.path, r.variable, r.rule, str(int(r.cells))) for r in cells.itertuples()),
    )
    return files, invalid


def build_local(lc: LocalCharts, org: str) -> LocalReport:
    data, labels = lc.data, lc.labels
    summary = data.org_summary[data.org_summary["org_code"] == org]
    sections = []
    for survey in ("holders", "carers"):
        row = summary[summary["survey"] == survey]
        if row.empty:
            continue
        name = SURVEY_NAMES[survey]
        chart, outcomes, frame = _outcomes_section(lc, survey, org, name)
        changes, note = _changes(data, labels, survey, org)
        sections.append(
            SurveySection(
                survey,
                name,
                int(row["respondents_used"].iloc[0]),
                chart,
                outcomes,
                _funnel(lc, survey, org),
                _shares(data, labels, survey, org),
                _themes(data, survey, org),
                changes,
                note,
            )  # fmt: skip
        )
    files, invalid = _files(data, org)
    first = summary.iloc[0]
    return LocalReport(org, str(first["org_name"]), str(first["org_type"]), tuple(sections),
                       charts.highlight_css(org), files, invalid)  # fmt: skip
