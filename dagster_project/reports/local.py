"""The local report of one organisation: its outcomes against England, a funnel plot
per survey, its process and views shares, themes and change when loaded, and what to
fix in its next export.

Charts that every organisation's page draws alike are compiled once per survey
(`LocalCharts`) and rendered per organisation with its own rows or highlight.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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


def _national(data: ReportData, survey: str) -> dict[str, float]:
    s = data.outcome_summary
    s = s[s["survey"] == survey]
    return dict(zip(s["outcome_id"], s["pct_positive"], strict=True))


def _outcome_frame(
    labels: Labels, survey: str, rows: pd.DataFrame | None, national: dict[str, float]
) -> pd.DataFrame:
    """One organisation's benchmark rows (or none) against every outcome of the survey;
    `national`: England's percentage per outcome (_national)."""
    mine = rows.set_index("outcome_id").to_dict("index") if rows is not None else {}
    out = []
    for outcome in labels.outcomes_of(survey):
        r = mine.get(outcome)
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
                "national_pct": national.get(outcome),
            }
        )
    return pd.DataFrame(out)


class LocalCharts:
    """What every organisation's page draws alike, rendered once per survey: the
    organisation-vs-England chart (each page shows only its own marks, by CSS) and the
    funnel plots (each page highlights its own points, by CSS). Per-organisation rows
    are split once here, so that a page only looks up its own."""

    def __init__(self, data: ReportData, labels: Labels):
        self.data, self.labels = data, labels
        self.names = dict(
            zip(data.org_summary["org_code"], data.org_summary["org_name"], strict=False)
        )
        self.vs_england: dict[str, str] = {}
        # Per survey: the SVG, the table rows of every point (organisation, cells) and
        # each organisation's points described for the chart's alternative text.
        self.funnels: dict[
            str, tuple[str, list[tuple[str, tuple[str, ...]]], dict[str, list[str]]]
        ] = {}
        self.national = {survey: _national(data, survey) for survey in ("holders", "carers")}
        self.frames = {
            (survey, org): _outcome_frame(labels, survey, rows, self.national[survey])
            for (survey, org), rows in data.org_benchmark.groupby(["survey", "org_code"])
        }
        self.summary = {key: rows for key, rows in data.org_summary.groupby(["survey", "org_code"])}
        self.files = {org: rows for org, rows in data.landed_files.groupby("org_code")}
        self.changes = (
            {key: rows for key, rows in data.org_trend_changes.groupby(["survey", "org_code"])}
            if data.org_trend_changes is not None
            else None
        )
        b = data.org_benchmark
        visible = b[~b["suppressed"].astype(bool) & b["pct_positive"].notna()]
        visible = visible[[shown(n) for n in visible["n_relevant"]]]
        for survey in ("holders", "carers"):
            if not (data.org_summary["survey"] == survey).any():
                continue
            self.vs_england[survey] = self._vs_england(survey)
            funnel = self._funnel(survey, visible[visible["survey"] == survey])
            if funnel is not None:
                self.funnels[survey] = funnel

    @cached_property
    def theme_rows(self) -> dict[tuple[str, str], tuple[tuple[str, ...], ...]]:
        """The themes table's rows per survey and organisation (themes loaded)."""
        shares = self.data.theme_shares
        labels = {}
        if shares is not None and "label" in shares:
            labels = dict(zip(shares["theme_id"], shares["label"], strict=False))
        t = self.data.org_themes
        # Themes of equal counts by their id: the same page from the same figures.
        t = t[[shown(n) for n in t["n_comments"]]].sort_values(
            ["survey", "org_code", "question", "n_with_theme", "theme_id"],
            ascending=[True, True, True, False, True],
        )
        rows: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        for r in t.itertuples():
            rows.setdefault((r.survey, r.org_code), []).append(
                (
                    QUESTIONS.get(r.question, r.question),
                    str(labels.get(r.theme_id, r.theme_id)),
                    str(int(r.n_with_theme)),
                    str(int(r.n_comments)),
                    pct(100.0 * r.n_with_theme / r.n_comments, r.n_comments),
                )  # fmt: skip
            )
        return {key: tuple(found) for key, found in rows.items()}

    @cached_property
    def invalid_cells(self) -> list[tuple[str, tuple[str, str, str, str]]]:
        """Every invalid-cells row (path, its table cells), in the report data's order."""
        return [
            (r.path, (r.path, r.variable, r.rule, str(int(r.cells))))
            for r in self.data.invalid_cells.itertuples()
        ]

    @cached_property
    def england_shares(self) -> dict[str, dict[str, str]]:
        """England's column of the shares table, per survey and flag (alike on every page)."""
        shares: dict[str, dict[str, str]] = {}
        for r in self.data.national_shares.itertuples():
            shares.setdefault(r.survey, {}).setdefault(r.flag, pct(r.pct, r.n))
        return shares

    def frame(self, survey: str, org: str) -> pd.DataFrame:
        found = self.frames.get((survey, org))
        if found is not None:
            return found
        return _outcome_frame(self.labels, survey, None, self.national[survey])

    def _vs_england(self, survey: str) -> str:
        order = [self.labels.outcome_label(survey, o) for o in self.labels.outcomes_of(survey)]
        parts = []
        for (s, org), frame in self.frames.items():
            if s != survey:
                continue
            shown_rows = frame[frame["pct_positive"].notna()]
            parts.append(pd.DataFrame({
                "kind": "org", "label": shown_rows["label"], "org_code": org,
                "pct_positive": shown_rows["pct_positive"].astype(float).round(1),
                "ci_low": shown_rows["ci_low"].astype(float).round(1),
                "ci_high": shown_rows["ci_high"].astype(float).round(1),
                "description": [
                    f"Organisation {org}: {lbl} {pct(v)}% (95% CI {pct(lo)}-{pct(hi)})"
                    for lbl, v, lo, hi in zip(shown_rows["label"], shown_rows["pct_positive"],
                                              shown_rows["ci_low"], shown_rows["ci_high"], strict=True)
                ],
            }))  # fmt: skip
        national = self.data.outcome_summary[self.data.outcome_summary["survey"] == survey]
        parts.append(pd.DataFrame({
            "kind": "england",
            "label": [self.labels.outcome_label(survey, o) for o in national["outcome_id"]],
            "national_pct": national["pct_positive"].astype(float).round(1),
        }))  # fmt: skip
        chart, datasets = charts.org_vs_england(pd.concat(parts, ignore_index=True), order)
        return charts.to_svg(chart, datasets)

    def _funnel(self, survey: str, points: pd.DataFrame):
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
        rows, where = [], {}
        for r in points.itertuples():
            label = self.labels.outcome_label(survey, r.outcome_id)
            rows.append((
                r.org_code,
                (
                    label,
                    f"{self.names.get(r.org_code, r.org_code)} ({r.org_code})",
                    str(int(r.n_relevant)),
                    pct(r.pct_positive),
                    f"{pct(r.funnel_95_low)}-{pct(r.funnel_95_high)}",
                    f"{pct(r.funnel_998_low)}-{pct(r.funnel_998_high)}",
                ),
            ))  # fmt: skip
            where.setdefault(r.org_code, []).append(
                f"{label}: base {int(r.n_relevant)}, {pct(r.pct_positive)}% positive "
                f"({COMPARISON.get(r.comparison, r.comparison)})"
            )
        return charts.to_svg(chart, datasets), rows, where


def _outcomes_section(lc: LocalCharts, survey: str, org: str, name: str):
    frame = lc.frame(survey, org)
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
    if len(visible) and survey in lc.vs_england:
        alt = (
            f"{name}: percentage positive per outcome with 95% interval, England as a tick. "
            + "; ".join(
                f"{r.label}: {pct(r.pct_positive)}% (England {pct(r.national_pct)}%)"
                for r in visible.itertuples()
            )
        )
        chart = Chart(lc.vs_england[survey], alt)
    return chart, Table(columns, rows), frame


def _funnel(lc: LocalCharts, survey: str, org: str) -> Funnel | None:
    if survey not in lc.funnels:
        return None
    svg, rows, where_by_org = lc.funnels[survey]
    where = "; ".join(where_by_org.get(org, ()))
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
            (row[0], row[1] + " (this organisation)", *row[2:]) if code == org else row
            for code, row in rows
        ),
    )
    return Funnel(Chart(svg, alt), table)


def _shares(lc: LocalCharts, survey: str, org: str) -> Table:
    labels = lc.labels
    row = lc.summary.get((survey, org), pd.DataFrame())
    england = lc.england_shares.get(survey, {})
    rows = []
    for flag in FLAG_SHARES[survey]:
        n = row[f"{flag}_n"].iloc[0] if len(row) and f"{flag}_n" in row else None
        value = row[f"{flag}_pct"].iloc[0] if len(row) and f"{flag}_pct" in row else None
        rows.append(
            (
                labels.factor_label(survey, flag),
                pct(value, n),
                str(int(n)) if shown(n) else SUPPRESSED,
                england.get(flag, ""),
            )  # fmt: skip
        )
    return Table(("Share", "This organisation (%)", "Base", "England (%)"), tuple(rows))


def _themes(lc: LocalCharts, survey: str, org: str) -> Table | None:
    if lc.data.org_themes is None:
        return None
    columns = ("Question", "Theme", "Comments with the theme", "Comments", "Percent (%)")
    return Table(columns, lc.theme_rows.get((survey, org), ()))


def _changes(lc: LocalCharts, survey: str, org: str) -> tuple[Table | None, str]:
    labels = lc.labels
    if lc.changes is None:
        return None, "not loaded (marts.org_trend_changes is not in this warehouse)"
    t = lc.changes.get((survey, org))
    if t is None or t.empty:
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


def _files(lc: LocalCharts, org: str) -> tuple[Table, Table]:
    data = lc.data
    f = lc.files.get(org, data.landed_files.iloc[0:0])
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
    paths = set(f["path"])
    invalid = Table(
        ("File", "Variable", "Rule", "Invalid cells"),
        tuple(row for path, row in lc.invalid_cells if path in paths),
    )
    return files, invalid


def build_local(lc: LocalCharts, org: str) -> LocalReport:
    sections = []
    first = None
    for survey in ("holders", "carers"):
        row = lc.summary.get((survey, org))
        if row is None or row.empty:
            continue
        first = row.iloc[0] if first is None else first
        name = SURVEY_NAMES[survey]
        chart, outcomes, frame = _outcomes_section(lc, survey, org, name)
        changes, note = _changes(lc, survey, org)
        sections.append(
            SurveySection(
                survey,
                name,
                int(row["respondents_used"].iloc[0]),
                chart,
                outcomes,
                _funnel(lc, survey, org),
                _shares(lc, survey, org),
                _themes(lc, survey, org),
                changes,
                note,
            )  # fmt: skip
        )
    files, invalid = _files(lc, org)
    return LocalReport(org, str(first["org_name"]), str(first["org_type"]), tuple(sections),
                       charts.highlight_css(org) + " " + charts.only_org_css(org), files, invalid)  # fmt: skip
