"""The figures of the national report (2014 Figures 2-20), built from aggregates.

Each figure is a chart (SVG), its text alternative, its data table, footnotes (the
group-difference tests) and the 2014 report's figures beside ours where
`report_fidelity` holds them. Disclosure control: a percentage whose base is below
the threshold is shown as `[c]` and left out of the chart and its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dagster_project.reports import charts
from dagster_project.reports.data import ReportData
from dagster_project.reports.disclosure import SUPPRESSED, shown
from dagster_project.reports.labels import (
    GROUP_NAMES,
    QUESTIONS,
    SURVEY_NAMES,
    WEEKLY_BANDS,
    Labels,
    variable_label,
)
from dagster_project.stats.plan import PROCESS_ITEMS, SOCIAL_CARE_GROUPS


@dataclass(frozen=True)
class Figure:
    anchor: str
    number: str
    title: str
    svg: str | None
    alt: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    published: tuple[tuple[str, str, str, str], ...] = ()  # label, 2014, ours, within CI
    missing: str = ""  # why the figure is not drawn (e.g. "not loaded")


def pct(value: object, base: object = 10**9) -> str:
    if value is None or pd.isna(value) or not shown(base):
        return SUPPRESSED
    return f"{float(value):.1f}"


def _alt_text(title: str, pairs: list[tuple[str, str]]) -> str:
    body = "; ".join(f"{label}: {value}%" for label, value in pairs)
    return f"{title}. {body}." if body else f"{title}."


@dataclass
class FigureBuilder:
    data: ReportData
    labels: Labels
    figures: list[Figure] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Split once: every figure then looks up its own rows.
        self._dist = dict(tuple(self.data.distributions.groupby(["survey", "variable"])))
        self._groups = dict(
            tuple(self.data.group_figures.groupby(["variable", "social_care_group"]))
        )

    # --- helpers -------------------------------------------------------------------
    def distribution(self, survey: str, variable: str) -> pd.DataFrame:
        rows = self._dist.get((survey, variable))
        if rows is None or rows.empty:
            return self.data.distributions.iloc[0:0].assign(label=[], base=[])
        rows = rows.copy()
        rows["label"] = [
            lbl if isinstance(lbl, str) else self.labels.code_label(survey, variable, code)
            for lbl, code in zip(rows["label"], rows["code"], strict=True)
        ]
        rows["base"] = rows["n"].sum()
        return rows

    def fidelity(self, survey: str, sections: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        from dagster_project.stats.plan import FIDELITY_WAVE

        f = self.data.report_fidelity
        if self.data.wave != FIDELITY_WAVE or f.empty:
            return ()
        rows = f[(f["kind"] == "marginal") & (f["survey"] == survey) & f["section"].isin(sections)]
        out = []
        for r in rows.itertuples():
            label = f"{r.section}: {r.category}".replace("_", " ")
            within = "" if pd.isna(r.within_interval) else ("yes" if r.within_interval else "no")
            ours = "" if pd.isna(r.reproduced) else f"{float(r.reproduced):.1f}"
            out.append((label, f"{float(r.published):g}", ours, within))
        return tuple(out)

    def group_notes(self, variables: list[str]) -> tuple[str, ...]:
        """Footnotes: the chi-square (or ANOVA) tests across the four social care groups."""
        g = self.data.group_differences
        notes = []
        for variable in variables:
            test = g[(g["survey"] == "holders") & (g["variable"] == variable)]
            if test.empty:
                continue
            t = test.iloc[0]
            parts = []
            for group in SOCIAL_CARE_GROUPS:
                f = self._groups.get((variable, group))
                level = f[f["level"].isin(["1", "mean", "easy"])] if f is not None else None
                if level is None or level.empty:
                    continue
                row = level.iloc[0]
                unit = "" if row["level"] == "mean" else "%"
                value = (
                    f"£{float(row['value']):.0f}"
                    if row["level"] == "mean" and shown(row["n"])
                    else pct(row["value"], row["n"]) + unit
                )
                what = {"1": "", "easy": " easy", "mean": " mean"}[row["level"]]
                parts.append(f"{GROUP_NAMES[group]}{what} {value} (n={int(row['n'])})")
            stat = "F" if t["test"] == "anova" else "χ²"
            p = "" if pd.isna(t["p_value"]) else f"p = {float(t['p_value']):.3g}"
            df = "" if pd.isna(t["df"]) else f"({int(t['df'])})"
            statistic = "" if pd.isna(t["statistic"]) else f"{float(t['statistic']):.2f}"
            name = variable.removesuffix("_positive").removesuffix("_level")
            label = self.labels.factor_label("holders", name)
            if (("holders", name)) in self.labels.outcome:
                label = self.labels.outcome_label("holders", name) + " (positive)"
            elif name in PROCESS_ITEMS:
                label = variable_label(self.labels, "holders", name)
            elif variable == "weekly_amount_gbp":
                label = "Weekly amount (ongoing budgets)"
            notes.append(
                f"{label}: across the four social care groups {stat}{df} = {statistic}, {p}. "
                + "; ".join(parts)
                + "."
            )
        return tuple(notes)

    def add_bars(
        self,
        anchor: str,
        number: str,
        title: str,
        frame: pd.DataFrame,
        notes: tuple[str, ...] = (),
        published: tuple = (),
    ) -> None:
        """A bar chart of `label`/`pct` with base column `base` (and `n`)."""
        visible = frame[[shown(b) for b in frame["base"]]] if len(frame) else frame
        columns = ("Category", "Percent (%)", "Number of people", "Base (people answering)")
        rows = tuple(
            (
                str(r.label),
                pct(r.pct, r.base),
                str(int(r.n)) if shown(r.base) else SUPPRESSED,
                str(int(r.base)) if shown(r.base) else SUPPRESSED,
            )
            for r in frame.itertuples()
        )
        if visible.empty:
            self.figures.append(
                Figure(
                    anchor,
                    number,
                    title,
                    None,
                    f"{title}: no figure to show.",
                    columns,
                    rows,
                    notes,
                    published,
                    "no answers on a base of 10 or more",
                )  # fmt: skip
            )
            return
        chart, datasets = charts.bar_distribution(visible)
        alt = _alt_text(title, [(str(r.label), pct(r.pct)) for r in visible.itertuples()])
        self.figures.append(
            Figure(
                anchor,
                number,
                title,
                charts.to_svg(chart, datasets),
                alt,
                columns,
                rows,
                notes,
                published,
            )  # fmt: skip
        )

    def add_stacked(
        self,
        anchor: str,
        number: str,
        title: str,
        long: pd.DataFrame,
        levels: list[str],
        colours: list[str],
        notes: tuple[str, ...] = (),
        published: tuple = (),
    ) -> None:
        """`long` has item, level, pct, base (per item)."""
        visible = long[[shown(b) for b in long["base"]]] if len(long) else long
        columns = ("Item", *[f"{lvl} (%)" for lvl in levels], "Base (people answering)")
        rows = []
        for item, part in long.groupby("item", sort=False):
            by_level = dict(zip(part["level"], part["pct"], strict=True))
            base = part["base"].iloc[0]
            rows.append(
                (
                    str(item),
                    *[pct(by_level.get(lvl, 0.0), base) for lvl in levels],
                    str(int(base)) if shown(base) else SUPPRESSED,
                )  # fmt: skip
            )
        if visible.empty:
            self.figures.append(
                Figure(
                    anchor,
                    number,
                    title,
                    None,
                    f"{title}: no figure to show.",
                    columns,
                    tuple(rows),
                    notes,
                    published,
                    "no answers on a base of 10 or more",
                )  # fmt: skip
            )
            return
        chart, datasets = charts.stacked_levels(visible, levels, colours)
        pairs = [(f"{r.item}, {r.level}", pct(r.pct)) for r in visible.itertuples()]
        self.figures.append(
            Figure(
                anchor,
                number,
                title,
                charts.to_svg(chart, datasets),
                _alt_text(title, pairs),
                columns,
                tuple(rows),
                notes,
                published,
            )  # fmt: skip
        )

    # --- the figures ---------------------------------------------------------------
    def simple(self, survey: str, variable: str, anchor: str, number: str, title: str, **kw):
        self.add_bars(anchor, number, title, self.distribution(survey, variable), **kw)

    def ticks(self, survey: str, items: list[str], anchor: str, number: str, title: str, **kw):
        frames = []
        for item in items:
            d = self.distribution(survey, item)
            ticked = d[d["code"] == 1]
            label = variable_label(self.labels, survey, item)
            base = int(d["n"].sum()) if len(d) else 0
            n = int(ticked["n"].sum()) if len(ticked) else 0
            frames.append({"label": label, "pct": 100.0 * n / base if base else None,
                           "n": n, "base": base})  # fmt: skip
        self.add_bars(anchor, number, title, pd.DataFrame(frames), **kw)

    def levels(self, survey: str, items: list[str], codes: dict[int, str], title_args, **kw):
        """Stacked shares of code groups per item (`codes` maps code -> level)."""
        levels = list(dict.fromkeys(codes.values()))
        long = []
        for item in items:
            d = self.distribution(survey, item)
            d = d[d["code"].isin(list(codes))]
            base = int(d["n"].sum()) if len(d) else 0
            for level in levels:
                n = int(d[d["code"].map(codes) == level]["n"].sum()) if len(d) else 0
                long.append({"item": variable_label(self.labels, survey, item), "level": level,
                             "pct": 100.0 * n / base if base else 0.0, "base": base})  # fmt: skip
        anchor, number, title, colours = title_args
        self.add_stacked(anchor, number, title, pd.DataFrame(long), levels, colours, **kw)

    def outcomes(self, survey: str, anchor: str, number: str, title: str, **kw) -> None:
        s = self.data.outcome_summary
        s = s[s["survey"] == survey].copy()
        s["label"] = [self.labels.outcome_label(survey, o) for o in s["outcome_id"]]
        s["order"] = [self.labels.outcome_order.get((survey, o), 99) for o in s["outcome_id"]]
        s = s.sort_values("order")
        columns = ("Outcome", "Positive (%)", "95% CI low", "95% CI high", "No difference (%)",
                   "Negative (%)", "Base (relevant)")  # fmt: skip
        rows = tuple(
            (
                r.label,
                pct(r.pct_positive, r.n_relevant),
                pct(r.ci_low, r.n_relevant),
                pct(r.ci_high, r.n_relevant),
                pct(r.pct_no_difference, r.n_relevant),
                pct(r.pct_negative, r.n_relevant),
                str(int(r.n_relevant)),
            )  # fmt: skip
            for r in s.itertuples()
        )
        visible = s[
            [
                shown(n) and not pd.isna(p)
                for n, p in zip(s["n_relevant"], s["pct_positive"], strict=True)
            ]
        ]
        if visible.empty:
            self.figures.append(Figure(anchor, number, title, None, f"{title}: no figure.",
                                       columns, rows, missing="no outcome on a base of 10 or more"))  # fmt: skip
            return
        chart, datasets = charts.outcome_chart(visible)
        pairs = [(f"{r.label} positive", pct(r.pct_positive)) for r in visible.itertuples()]
        self.figures.append(
            Figure(
                anchor,
                number,
                title,
                charts.to_svg(chart, datasets),
                _alt_text(title, pairs),
                columns,
                rows,
                **kw,
            )  # fmt: skip
        )

    def outcome_levels(self, survey: str, anchor: str, number: str, title: str) -> None:
        variables = dict(
            zip(self.data.outcomes["outcome_id"], self.data.outcomes["variable"], strict=True)
        )
        ids = self.labels.outcomes_of(survey)
        codes = {1: "A lot better", 2: "Better", 3: "No difference", 4: "Worse", 5: "A lot worse"}
        long = []
        for outcome in ids:
            d = self.distribution(survey, variables[outcome])
            d = d[d["code"].isin(list(codes))]
            base = int(d["n"].sum()) if len(d) else 0
            for code, level in codes.items():
                n = int(d[d["code"] == code]["n"].sum()) if len(d) else 0
                long.append({"item": self.labels.outcome_label(survey, outcome), "level": level,
                             "pct": 100.0 * n / base if base else 0.0, "base": base})  # fmt: skip
        colours = ["#1b7837", "#7fbf7b", "#d9d9d9", "#ef8a62", "#b2182b"]
        self.add_stacked(anchor, number, title, pd.DataFrame(long), list(codes.values()), colours)

    def comments(self, survey: str, anchor: str, number: str, title: str, **kw) -> None:
        c = self.data.comment_counts
        c = c[c["survey"] == survey]
        frame = pd.DataFrame(
            [
                {
                    "label": QUESTIONS[q],
                    "n": int(r["n_comments"]),
                    "base": int(r["n_respondents"]),
                    "pct": 100.0 * r["n_comments"] / r["n_respondents"],
                }  # fmt: skip
                for q in QUESTIONS
                for _, r in c[c["question"] == q].iterrows()
            ]
        )
        if frame.empty:
            frame = pd.DataFrame(columns=["label", "n", "base", "pct"])
        self.add_bars(anchor, number, f"{title}: people who commented", frame, **kw)
        self.themes(survey, anchor + "-themes", number + " (themes)", title)

    def themes(self, survey: str, anchor: str, number: str, title: str) -> None:
        shares = self.data.theme_shares
        columns = ("Question", "Theme", "Comments with the theme", "Comments", "Percent (%)",
                   "95% CI low", "95% CI high")  # fmt: skip
        if shares is None:
            self.figures.append(Figure(anchor, number, f"{title}: themes", None,
                                       "Themes of comments: not loaded.", columns, (),
                                       missing="not loaded (marts.theme_shares is not in this warehouse)"))  # fmt: skip
            return
        s = shares[shares["survey"] == survey].copy()
        s["q"] = s["question"].map(QUESTIONS).fillna(s["question"])
        s["theme"] = s["label"].fillna(s["theme_id"]) if "label" in s else s["theme_id"]
        s = s.sort_values(["question", "pct"], ascending=[True, False])
        rows = tuple(
            (
                r.q,
                str(r.theme),
                str(int(r.n_with_theme)) if shown(r.n_comments) else SUPPRESSED,
                str(int(r.n_comments)) if shown(r.n_comments) else SUPPRESSED,
                pct(r.pct, r.n_comments),
                pct(r.ci_low, r.n_comments),
                pct(r.ci_high, r.n_comments),
            )  # fmt: skip
            for r in s.itertuples()
        )
        visible = s[[shown(n) for n in s["n_comments"]]]
        if visible.empty:
            self.figures.append(Figure(anchor, number, f"{title}: themes", None,
                                       "Themes of comments: none on a base of 10 or more.",
                                       columns, rows, missing="no theme on a base of 10 or more"))  # fmt: skip
            return
        # theme_shares has its own `label` (the same text as `theme`): chart the one column.
        frame = visible.drop(columns=["label"], errors="ignore")
        frame = frame.rename(columns={"theme": "label", "q": "group"})
        chart, datasets = charts.grouped_bars(frame[["label", "group", "pct"]])
        pairs = [(f"{r.q}, {r.theme}", pct(r.pct)) for r in visible.itertuples()]
        self.figures.append(
            Figure(
                anchor,
                number,
                f"{title}: themes",
                charts.to_svg(chart, datasets),
                _alt_text(f"{title}: themes", pairs),
                columns,
                rows,
            )  # fmt: skip
        )


def build_figures(data: ReportData, labels: Labels) -> list[Figure]:
    b = FigureBuilder(data, labels)
    h, c = "holders", "carers"
    fid = b.fidelity
    b.simple(h, "management", "fig2", "Figure 2", "Management of personal budget",
             notes=b.group_notes(["dp_own_account", "dp_family_friend", "dp_broker",
                                  "provider_managed", "council_nhs_managed"]),
             published=fid(h, ("management",)))  # fmt: skip
    b.simple(h, "duration", "fig3", "Figure 3", "Length of time people had held their personal budgets",
             published=fid(h, ("duration",)))  # fmt: skip
    b.simple(h, "prior_support", "fig4", "Figure 4",
             "Previous social care support before the personal budget",
             published=fid(h, ("prior_support",)))  # fmt: skip
    bands = data.weekly_amount_bands.copy()
    bands["order"] = bands["band"].map({k: i for i, k in enumerate(WEEKLY_BANDS)})
    bands = bands.sort_values("order")
    bands["label"] = bands["band"].map(WEEKLY_BANDS)
    bands["base"] = bands["n"].sum()
    b.add_bars("fig5", "Figure 5", "Amount of money in personal budgets (weekly, ongoing budgets)",
               bands, notes=b.group_notes(["weekly_amount_gbp"]),
               published=fid(h, ("weekly_amount_band", "mean_weekly_amount_by_group")))  # fmt: skip
    plan = ["plan_help_family", "plan_help_council", "plan_help_nhs", "plan_help_independent",
            "plan_help_provider", "plan_help_none"]  # fmt: skip
    b.ticks(h, plan, "fig6", "Figure 6", "Support for planning personal budgets",
            notes=b.group_notes(["plan_help_family_friends", "plan_help_council", "plan_help_nhs",
                                 "plan_help_independent", "plan_help_provider", "plan_without_help"]),
            published=fid(h, ("planning_support",)))  # fmt: skip
    b.levels(h, ["views_needs", "views_budget", "views_plan"],
             {1: "Yes fully", 2: "Yes partly", 3: "No", 9: "Don't know"},
             ("fig7", "Figure 7", "People's views included in the personal budget process",
              ["#1b7837", "#7fbf7b", "#b2182b", "#d9d9d9"]),
             notes=b.group_notes(["views_included_needs_assessed", "views_included_budget_set",
                                  "views_included_support_plan"]),
             published=fid(h, ("views_included",)))  # fmt: skip
    scale = data.process_scale
    scale_note = ()
    if len(scale):
        r = scale.iloc[0]
        scale_note = (f"Process scale: mean inter-item correlation {float(r['mean_inter_item_r']):.2f}, "
                      f"Cronbach's alpha {float(r['cronbach_alpha']):.2f} (n={int(r['n'])}).",)  # fmt: skip
    b.levels(h, list(PROCESS_ITEMS), {1: "Easy", 2: "Easy", 3: "Neither", 4: "Difficult", 5: "Difficult"},
             ("fig8", "Figure 8", "The personal budget process (of those for whom it was relevant)",
              ["#1b7837", "#d9d9d9", "#b2182b"]),
             notes=scale_note + b.group_notes([f"{i}_level" for i in PROCESS_ITEMS]),
             published=fid(h, ("process_difficult", "process_scale")))  # fmt: skip
    spend = [
        "spend_care_support",
        "spend_community_leisure",
        "spend_personal_assistant",
        "spend_equipment",
    ]
    b.ticks(h, spend, "fig9", "Figure 9", "How personal budget holders used their budget",
            notes=b.group_notes(["spend_care_support", "spend_community_leisure",
                                 "spend_personal_assistants", "spend_equipment"]),
            published=fid(h, ("spend",)))  # fmt: skip
    b.outcomes(h, "fig10", "Figure 10", "Areas of life: personal budget holders",
               notes=b.group_notes([f"{o}_positive" for o in labels.outcomes_of(h)]),
               published=fid(h, ("outcome_positive", "outcome_negative")))  # fmt: skip
    b.outcome_levels(
        h, "fig11", "Figure 11", "Difference personal budgets have made to the lives of holders"
    )
    b.comments(
        h,
        "fig12",
        "Figure 12",
        "Personal budget holders' comments",
        published=fid(h, ("comments",)),
    )
    # Carers (Figures 13-20).
    health = pd.concat(
        [b.distribution(s, "general_health").assign(group=SURVEY_NAMES[s]) for s in (c, h)]
    )
    b.figures.append(_health_figure(health))
    rel = b.distribution(c, "relationship")
    lives = b.distribution(c, "lives_with")
    lives = lives[lives["code"] == 1].assign(label="Lives in the same house as the person")
    b.add_bars("fig14", "Figure 14", "Who carers care for, and whether they live with the person",
               pd.concat([rel, lives]), published=fid(c, ("relationship", "lives_with")))  # fmt: skip
    b.simple(c, "hours_band", "fig15", "Figure 15", "Estimated hours per week spent caring",
             published=fid(c, ("hours_per_week",)))  # fmt: skip
    b.simple(c, "pb_duration", "fig16", "Figure 16",
             "How long the person cared for has been using a personal budget",
             published=fid(c, ("duration",)))  # fmt: skip
    b.simple(c, "prior_support", "fig17", "Figure 17",
             "Did the personal budget holder get paid support before their budget?",
             published=fid(c, ("prior_support",)))  # fmt: skip
    b.levels(c, ["views_person_needs", "views_carer_needs", "views_budget", "views_plan"],
             {1: "Very much", 2: "Mostly", 3: "A little", 4: "Not at all", 8: "Did not happen"},
             ("fig18", "Figure 18", "Were carers' views included in the personal budget?",
              ["#1b7837", "#7fbf7b", "#ef8a62", "#b2182b", "#d9d9d9"]),
             published=fid(c, ("views_included",)))  # fmt: skip
    b.outcomes(c, "fig19", "Figure 19", "Outcomes for carers",
               published=fid(c, ("outcome_positive", "outcome_negative")))  # fmt: skip
    b.comments(c, "fig20", "Figure 20", "Carers' comments", published=fid(c, ("comments",)))
    return b.figures


def _health_figure(health: pd.DataFrame) -> Figure:
    title = "Self-reported general health of carers and of personal budget holders"
    columns = ("Survey", "Health", "Percent (%)", "Number of people", "Base (people answering)")
    rows = tuple(
        (
            r.group,
            r.label,
            pct(r.pct, r.base),
            str(int(r.n)) if shown(r.base) else SUPPRESSED,
            str(int(r.base)) if shown(r.base) else SUPPRESSED,
        )  # fmt: skip
        for r in health.itertuples()
    )
    visible = health[[shown(x) for x in health["base"]]] if len(health) else health
    if visible.empty:
        return Figure("fig13", "Figure 13", title, None, f"{title}: no figure.", columns, rows,
                      missing="no answers on a base of 10 or more")  # fmt: skip
    chart, datasets = charts.grouped_bars(visible[["label", "group", "pct"]])
    pairs = [(f"{r.group}, {r.label}", pct(r.pct)) for r in visible.itertuples()]
    return Figure("fig13", "Figure 13", title, charts.to_svg(chart, datasets),
                  _alt_text(title, pairs), columns, rows)  # fmt: skip
