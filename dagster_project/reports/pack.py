"""Builds a whole report pack (index, national report, local reports, spreadsheet)
into a folder, from one read-only connection to a warehouse."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import jinja2
import pandas as pd
from markupsafe import Markup, escape

from dagster_project import workers
from dagster_project.reports import charts
from dagster_project.reports import data as report_data
from dagster_project.reports.disclosure import SUPPRESSED, min_base
from dagster_project.reports.figures import build_figures
from dagster_project.reports.labels import SURVEY_NAMES, build_labels
from dagster_project.reports.local import Z_998, LocalCharts, build_local
from dagster_project.reports.tables import build_grids, build_regressions
from dagster_project.reports.workbook import write_workbook
from dagster_project.stats.plan import (
    FISHER_MIN_EXPECTED,
    REPORTED_ALPHA,
    SIGNIFICANCE_ALPHA,
    Z_95,
    ZERO_CELL_ADDITION,
    RegressionRules,
)

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class PackReport:
    folder: Path
    wave: int
    files: int
    organisations: int
    seconds: float
    cpu_seconds: dict[str, float]  # per part: local (this process), national, workbook
    chart_counts: dict[str, int]  # drawn by vl-convert, or cached (charts.SvgCache)


def data_table(caption: str, columns, rows, numeric_from: int = 1) -> Markup:
    """An accessible HTML table (caption, column and row headers), written in Python:
    the local pages carry tables of hundreds of rows, and a template macro per cell is
    the slowest part of a pack."""
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if i >= numeric_from else ""}>{escape(c)}</th>'
        for i, c in enumerate(columns)
    )
    body = [
        _text_row(row, numeric_from)
        if type(row) is tuple and all(type(v) is str for v in row)
        else _row(row, numeric_from)
        for row in rows
    ]
    return Markup(
        f"<table>\n<caption>{escape(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )


def _row(row, numeric_from: int) -> str:
    cells = [f'<th scope="row">{escape(row[0])}</th>'] if row else []
    cells += [
        f'<td class="num">{escape(v)}</td>' if i >= numeric_from else f"<td>{escape(v)}</td>"
        for i, v in enumerate(row[1:], start=1)
    ]
    return "<tr>" + "".join(cells) + "</tr>"


# Every local page repeats the funnel plots' table of every organisation's points (all but
# its own rows alike): a row of text cells is escaped once per pack, not once per page.
# Only rows of plain strings are kept, so that 1 and 1.0 never share a row.
_text_row = lru_cache(maxsize=16_384)(_row)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["data_table"] = data_table
    return env


def methods(data: report_data.ReportData) -> list[str]:
    """The methods section, written from the analysis plan's constants."""
    rules = RegressionRules()
    return [
        "Every figure comes from the consenting rows of the current used version of each "
        "organisation's return for this wave. Percentages of outcomes are of those for whom "
        "the area of life is relevant (answers 1-5); other percentages are of those who "
        "answered the question.",
        f"Intervals are 95% intervals with z = {Z_95}: Wilson score intervals for percentages, "
        f"Woolf intervals for odds ratios and Wald intervals for regression coefficients.",
        f"Odds ratios (Tables 1-6 and 8-11) compare the odds of a positive impact with and "
        f"without each factor; {ZERO_CELL_ADDITION} is added to every cell when one is 0. "
        f"p comes from Pearson's chi-square without continuity correction, or Fisher's "
        f"exact test when an expected count is below {FISHER_MIN_EXPECTED:g}; a ratio is "
        f"marked significant (*) when p < {SIGNIFICANCE_ALPHA}.",
        f"Logistic regressions (Tables 7 and 12) are fitted per outcome on complete cases by "
        f"Newton-Raphson (at most {rules.max_iterations} iterations, tolerance "
        f"{rules.ll_tolerance:g}); a model needs at least {rules.min_cases} cases and "
        f"{rules.min_events_per_predictor:g} events per predictor, and is not reported when "
        f"it separates (a fitted probability beyond {rules.separation_probability:g} of 0 or "
        f"1, or a coefficient above {rules.separation_coefficient:g}). Factors are reported "
        f"when p < {REPORTED_ALPHA}; R² is Nagelkerke's.",
        "Differences across the four social care groups (physical disability, learning "
        "disability, mental health difficulties, older people) are Pearson chi-square tests "
        "(and a one-way ANOVA of weekly amounts), given as footnotes under the figures.",
        f"Organisations are compared with England by their Wilson interval: higher or lower "
        f"when it lies wholly above or below England's percentage. Funnel limits are "
        f"England's proportion ± z·√(p(1-p)/n) with z = {Z_95} (95%) and {Z_998} (99.8%).",
        f"Disclosure control: no figure on a base below {min_base()} is shown in any chart, "
        f"table, text alternative or spreadsheet; such cells read {SUPPRESSED}.",
    ]


def _counts(data: report_data.ReportData):
    files = data.landed_files
    by_status = (
        files.groupby("status").agg(files=("path", "size"), rows=("rows", "sum")).reset_index()
    )
    quarantined = files[files["status"] == "quarantined"]
    used = data.org_summary.groupby("survey")["respondents_used"].sum()
    counts = [
        {"label": f"{SURVEY_NAMES[s].lower()} used", "value": f"{int(used.get(s, 0)):,}"}
        for s in ("holders", "carers")
    ]
    counts += [
        {"label": "organisations with a used return", "value": str(len(data.org_codes))},
        {"label": "files landed for this wave", "value": f"{len(files):,}"},
        {"label": "returns quarantined", "value": f"{len(quarantined):,}"},
    ]
    status_rows = [
        (r.status, str(int(r.files)), f"{int(r.rows or 0):,}") for r in by_status.itertuples()
    ]
    q_rows = [(r.path, r.reason or "") for r in quarantined.itertuples()]
    return counts, status_rows, q_rows


def _trend_rows(data: report_data.ReportData, labels) -> list[tuple] | None:
    if data.trend_changes is None:
        return None
    rows = []
    for r in data.trend_changes.sort_values(["survey", "outcome_id"]).itertuples():

        def f(v, fmt="{:.1f}"):
            return "" if v is None or pd.isna(v) else fmt.format(float(v))

        rows.append(
            (
                SURVEY_NAMES.get(r.survey, r.survey),
                labels.outcome_label(r.survey, r.outcome_id),
                str(int(r.previous_wave)),
                f(r.previous_pct_positive),
                f(r.pct_positive),
                f(r.change_points, "{:+.1f}"),
                f"{f(r.ci_low)} to {f(r.ci_high)}",
                f(r.p_value, "{:.3g}"),
                r.direction or "",
            )  # fmt: skip
        )
    return rows


def _fidelity(data: report_data.ReportData) -> tuple[list[tuple], str]:
    from dagster_project.stats.plan import FIDELITY_WAVE

    f = data.report_fidelity
    if data.wave != FIDELITY_WAVE or f.empty:
        return [], ""
    m = f[(f["kind"] == "marginal") & ~f["suspected_erratum"].astype(bool)]
    rows = [
        (
            r.survey,
            r.section,
            r.category,
            f"{float(r.published):g}",
            "" if pd.isna(r.reproduced) else f"{float(r.reproduced):.1f}",
            "" if pd.isna(r.ci_low) else f"{float(r.ci_low):.1f}-{float(r.ci_high):.1f}",
            "" if pd.isna(r.within_interval) else ("yes" if r.within_interval else "no"),
        )  # fmt: skip
        for r in m.itertuples()
    ]
    judged = f[~f["suspected_erratum"].astype(bool) & f["within_interval"].notna()]
    summary = (
        f"{int(judged['within_interval'].sum())} of {len(judged)} published 2014 figures "
        f"(percentages, odds ratios and regression terms) lie within this wave's 95% interval."
    )
    return rows, summary


def _common(data: report_data.ReportData) -> dict:
    return {
        "css": (TEMPLATES / "style.css").read_text(encoding="utf-8"),
        "wave": data.wave,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "min_base": min_base(),
        "suppressed": SUPPRESSED,
    }


class _Part(NamedTuple):
    cpu_seconds: float  # in the process that wrote the part
    drawn: Counter  # charts.DRAWN
    value: Any


def _timed(job: Callable, cache: charts.SvgCache | None, *args) -> _Part:
    """Run `job` with the charts' cache `cache`, counting the CPU seconds (in the process
    that ran it) and the charts it took."""
    started = time.process_time()
    charts.DRAWN.clear()
    with charts.svg_cache(cache):
        value = job(*args)
    return _Part(time.process_time() - started, Counter(charts.DRAWN), value)


def _write_national(data: report_data.ReportData, labels, folder: Path) -> None:
    counts, files_by_status, quarantined = _counts(data)
    fidelity_rows, fidelity_summary = _fidelity(data)
    page = (
        _environment()
        .get_template("national.html.j2")
        .render(
            title=f"POET national report, wave {data.wave}",
            figures=build_figures(data, labels),
            grids=build_grids(data, labels),
            regressions=build_regressions(data, labels),
            counts=counts,
            files_by_status=files_by_status,
            quarantined=quarantined,
            trends=_trend_rows(data, labels),
            fidelity=fidelity_rows,
            fidelity_summary=fidelity_summary,
            methods=methods(data),
            alpha=SIGNIFICANCE_ALPHA,
            reported_alpha=REPORTED_ALPHA,
            **_common(data),
        )
    )
    (folder / "national.html").write_text(page, encoding="utf-8")


def _write_local(data: report_data.ReportData, labels, folder: Path) -> list[dict]:
    local_charts = LocalCharts(data, labels)
    template = _environment().get_template("local.html.j2")
    common = _common(data)
    orgs, written = [], []
    # A page is about 1.3 MB (its charts show every organisation); the kernel's work of
    # writing it into a new file (0.5-3 s for a pack's pages) runs in a thread beside the
    # next page's rendering.
    with ThreadPoolExecutor(1, thread_name_prefix="poet-pages") as writer:
        for code in data.org_codes:
            report = build_local(local_charts, code)
            page = template.render(
                title=f"POET local report: {report.org_name}, wave {data.wave}",
                report=report,
                **common,
            )
            path = folder / "org" / f"{code}.html"
            written.append(writer.submit(path.write_text, page, encoding="utf-8"))
            used = {s.survey: s.respondents for s in report.surveys}
            orgs.append({"code": code, "name": report.org_name, "type": report.org_type,
                         "holders": used.get("holders", 0), "carers": used.get("carers", 0)})  # fmt: skip
        for page_written in written:
            page_written.result()  # a page that could not be written fails the pack
    return orgs


def build_pack(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    wave: int | None = None,
    log: Callable[[str], None] = lambda _: None,
    parallel: bool = True,
    chart_cache: charts.SvgCache | None = None,
) -> PackReport:
    """Write index.html, national.html, org/<code>.html and poet_tables.xlsx to `folder`.

    Only aggregates are read (`data.load`); the national report and the spreadsheet
    are written in worker processes while this one writes the local reports. With a
    `chart_cache`, a chart an earlier pack drew is read, not drawn, and the charts this
    pack did not use are removed from it.
    """
    started, cache_started = time.perf_counter(), charts.now()
    data = report_data.load(con, wave)
    labels = build_labels(data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org").mkdir(exist_ok=True)
    log(f"reports: wave {data.wave}, {len(data.org_codes)} organisations")
    xlsx = folder / "poet_tables.xlsx"
    if parallel:
        with workers.pool() as pool:
            national = pool.submit(_timed, _write_national, chart_cache, data, labels, folder)
            workbook = pool.submit(_timed, write_workbook, None, data, labels, xlsx)
            local = _timed(_write_local, chart_cache, data, labels, folder)
            log(f"reports: {len(local.value)} local reports ({time.perf_counter() - started:.1f}s)")
            parts = {"local": local, "national": national.result(), "workbook": workbook.result()}
    else:
        parts = {
            "national": _timed(_write_national, chart_cache, data, labels, folder),
            "local": _timed(_write_local, chart_cache, data, labels, folder),
            "workbook": _timed(write_workbook, None, data, labels, xlsx),
        }
    orgs = parts["local"].value
    drawn = sum((part.drawn for part in parts.values()), Counter())
    if chart_cache is not None:
        removed = charts.prune_svg_cache(chart_cache.folder, cache_started)
        log(
            f"reports: {drawn['drawn']} charts drawn, {drawn['cached']} read from "
            f"{chart_cache.folder} ({removed} unused removed)"
        )
    log(f"reports: national.html and poet_tables.xlsx ({time.perf_counter() - started:.1f}s)")
    index = (
        _environment()
        .get_template("index.html.j2")
        .render(title=f"POET reports, wave {data.wave}", orgs=orgs, **_common(data))
    )
    (folder / "index.html").write_text(index, encoding="utf-8")
    seconds = time.perf_counter() - started
    log(f"reports: pack written in {seconds:.1f}s")
    cpu_seconds = {name: part.cpu_seconds for name, part in parts.items()}
    return PackReport(
        folder, data.wave, len(orgs) + 3, len(orgs), seconds, cpu_seconds, dict(drawn)
    )
