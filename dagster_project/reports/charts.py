"""Charts of the reports: Altair specifications rendered to static SVG by vl-convert.

Every chart is built from an aggregate frame that the caller has already put through
disclosure control, and rendered with `allowed_base_urls=[]`, so that it can never
fetch anything: its data is inline and its text uses the reader's own sans-serif font.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import vl_convert as vlc

POSITIVE = "#1b7837"  # better (green)
NEGATIVE = "#b2182b"  # worse (red)
NEUTRAL = "#bdbdbd"
HIGHLIGHT = "#d95f02"
ACCENT = "#2166ac"
FONT = "sans-serif"
WIDTH = 520

CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 320},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
    "title": {"fontSize": 13, "anchor": "start"},
}


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows (NaN as null, numpy scalars as Python numbers)."""
    return json.loads(frame.to_json(orient="records", double_precision=10))


def _strip(svg: str) -> str:
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


@dataclass(frozen=True)
class SvgCache:
    """Charts drawn by earlier packs, kept beside the warehouse (DECISIONS R43).

    vl-convert's drawing of a chart is a function of its specification (data included),
    the configuration above and vl-convert's version: the file of a chart is named by
    the digest of the three. `read` False (a forced refresh) draws every chart again and
    keeps the new drawing."""

    folder: Path
    read: bool = True


_CACHE: list[SvgCache | None] = []  # the cache of the pack being written in this process
# Charts of this process since the last reset: "drawn" by vl-convert, or "cached".
DRAWN: Counter = Counter()


@contextmanager
def svg_cache(cache: SvgCache | None) -> Iterator[None]:
    """Charts drawn inside the block use `cache` (none: every chart is drawn)."""
    _CACHE.append(cache)
    try:
        yield
    finally:
        _CACHE.pop()


def _draw(spec: dict) -> str:
    DRAWN["drawn"] += 1
    return _strip(vlc.vegalite_to_svg(spec, config=CONFIG, allowed_base_urls=[]))


def to_svg(chart: alt.TopLevelMixin, datasets: dict[str, pd.DataFrame]) -> str:
    """The chart as an inline SVG element (no XML declaration, no external reference)."""
    spec = chart.to_dict(validate=False)
    spec["datasets"] = {name: records(frame) for name, frame in datasets.items()}
    cache = _CACHE[-1] if _CACHE else None
    if cache is None:
        return _draw(spec)
    key = json.dumps([vlc.__version__, CONFIG, spec], sort_keys=True)
    path = cache.folder / f"{hashlib.sha256(key.encode()).hexdigest()}.svg"
    if cache.read and path.exists():
        os.utime(path)  # used by this pack: kept by prune_svg_cache
        DRAWN["cached"] += 1
        return path.read_text(encoding="utf-8")
    svg = _draw(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial")
    partial.write_text(svg, encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a chart
    return svg


def prune_svg_cache(folder: Path, since: float) -> int:
    """Remove the charts no pack drew or read since `since` (time.time()); how many."""
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.stat().st_mtime < since:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def now() -> float:
    """The start of a pack, for prune_svg_cache (a second early: file times are coarse
    on some file systems)."""
    return time.time() - 1


Built = tuple[alt.TopLevelMixin, dict[str, pd.DataFrame]]


def _height(rows: int) -> int:
    return max(60, 22 * rows)


def _data(name: str) -> alt.Data:
    return alt.Data(name=name)


def bar_distribution(frame: pd.DataFrame, x_title: str = "Percent") -> Built:
    """Horizontal bars: `label` against `pct` (a distribution of one question)."""
    order = list(dict.fromkeys(frame["label"]))
    base = alt.Chart(_data("rows")).encode(
        y=alt.Y("label:N", sort=order, title=None, scale=alt.Scale(domain=order)),
        x=alt.X("pct:Q", title=x_title, scale=alt.Scale(domain=[0, 100])),
    )
    bars = base.mark_bar(color=ACCENT)
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text("pct:Q", format=".1f"))
    chart = alt.layer(bars, text).properties(width=WIDTH, height=_height(len(frame)))
    return chart, {"rows": frame[["label", "pct"]]}


def grouped_bars(frame: pd.DataFrame) -> Built:
    """Bars of `pct` by `label`, one colour per `group` (e.g. holders vs carers)."""
    order = list(dict.fromkeys(frame["label"]))
    groups = list(dict.fromkeys(frame["group"]))
    chart = (
        alt.Chart(_data("rows"))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None, scale=alt.Scale(domain=order)),
            yOffset=alt.YOffset("group:N", sort=groups),
            x=alt.X("pct:Q", title="Percent", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "group:N",
                sort=groups,
                title=None,
                scale=alt.Scale(
                    domain=groups, range=[ACCENT, HIGHLIGHT, POSITIVE, "#7570b3"][: len(groups)]
                ),
            ),
        )
        .properties(width=WIDTH, height=_height(len(frame)))
    )
    return chart, {"rows": frame[["label", "group", "pct"]]}


def _stacked(name: str, order: list[str], levels: list[str], colours: list[str]) -> alt.Chart:
    return (
        alt.Chart(_data(name))
        .mark_bar()
        .encode(
            y=alt.Y("item:N", sort=order, title=None, scale=alt.Scale(domain=order)),
            x=alt.X("pct:Q", stack="zero", title="Percent", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "level:N", sort=levels, title=None, scale=alt.Scale(domain=levels, range=colours)
            ),
            order=alt.Order("level_order:Q"),
        )
    )


def stacked_levels(frame: pd.DataFrame, levels: list[str], colours: list[str]) -> Built:
    """100% stacked bars: for each `item`, the share (`pct`) of each `level`."""
    order = list(dict.fromkeys(frame["item"]))
    rows = frame[["item", "level", "pct"]].assign(
        level_order=frame["level"].map({lvl: i for i, lvl in enumerate(levels)})
    )
    chart = _stacked("rows", order, levels, colours).properties(
        width=WIDTH, height=_height(len(order))
    )
    return chart, {"rows": rows}


OUTCOME_LEVELS = ["Positive", "No difference", "Negative"]


def outcome_chart(frame: pd.DataFrame) -> Built:
    """Per outcome: positive / no difference / negative, and the positive share's 95% CI."""
    long = frame.melt(
        id_vars=["label"],
        value_vars=["pct_positive", "pct_no_difference", "pct_negative"],
        var_name="level",
        value_name="pct",
    ).rename(columns={"label": "item"})
    long["level"] = long["level"].map(
        dict(
            zip(["pct_positive", "pct_no_difference", "pct_negative"], OUTCOME_LEVELS, strict=True)
        )
    )
    long["level_order"] = long["level"].map({lvl: i for i, lvl in enumerate(OUTCOME_LEVELS)})
    order = list(dict.fromkeys(frame["label"]))
    bars = _stacked("levels", order, OUTCOME_LEVELS, [POSITIVE, NEUTRAL, NEGATIVE])
    interval = (
        alt.Chart(_data("intervals"))
        .mark_rule(color="black", strokeWidth=1.5)
        .encode(
            y=alt.Y("label:N", sort=order, title=None, scale=alt.Scale(domain=order)),
            x="ci_low:Q",
            x2="ci_high:Q",
        )
    )
    chart = alt.layer(bars, interval).properties(width=WIDTH, height=_height(len(frame)))
    return chart, {"levels": long, "intervals": frame[["label", "ci_low", "ci_high"]]}


def org_vs_england(frame: pd.DataFrame, order: list[str]) -> Built:
    """Every organisation's percentage and 95% interval per outcome, England as a tick.

    `frame` has one row per organisation and outcome with a figure (label, org_code,
    pct_positive, ci_low, ci_high, description) plus England's rows (label,
    national_pct). Each organisation's marks carry its description as `aria-label`
    (starting "Organisation <code>:"); every page hides the other organisations' marks
    with a CSS rule (`only_org_css`), so one SVG serves every page.
    """
    y = alt.Y("label:N", sort=order, title=None, scale=alt.Scale(domain=order))
    x_scale = alt.Scale(domain=[0, 100])
    base = alt.Chart(_data("rows"))
    orgs = base.transform_filter(alt.datum.kind == "org")
    rule = orgs.mark_rule(color=HIGHLIGHT, strokeWidth=2).encode(
        y=y,
        x=alt.X("ci_low:Q", scale=x_scale, title="Percent positive"),
        x2="ci_high:Q",
        description="description:N",
    )
    point = orgs.mark_point(filled=True, size=60, color=HIGHLIGHT, opacity=1).encode(
        y=y, x=alt.X("pct_positive:Q", scale=x_scale), description="description:N"
    )
    england = (
        base.transform_filter(alt.datum.kind == "england")
        .mark_tick(color="black", thickness=2, size=14)
        .encode(y=y, x=alt.X("national_pct:Q", scale=x_scale))
    )
    chart = alt.layer(rule, point, england).properties(width=WIDTH, height=_height(len(order)))
    return chart, {"rows": frame}


def funnel_limits(p0: float, n_max: int, z95: float, z998: float) -> pd.DataFrame:
    """Control limits of a funnel plot around p0 (a percentage) for bases 10..n_max."""
    n = np.unique(np.geomspace(10, max(n_max, 20), 60).round().astype(int))
    p = p0 / 100.0
    se = np.sqrt(p * (1 - p) / n)
    return pd.DataFrame(
        {
            "n": n,
            "low_95": np.clip(100 * (p - z95 * se), 0, 100),
            "high_95": np.clip(100 * (p + z95 * se), 0, 100),
            "low_998": np.clip(100 * (p - z998 * se), 0, 100),
            "high_998": np.clip(100 * (p + z998 * se), 0, 100),
        }
    )


def funnel_grid(frame: pd.DataFrame, order: list[str], columns: int = 3) -> Built:
    """One funnel plot per outcome of a survey, as small multiples of one chart.

    `frame` is long: `kind` is `point` (org_code, n, pct, description), `limit` (n,
    low_95, high_95, low_998, high_998) or `centre` (national); `label` names the outcome
    panel. Each point carries its description as its `aria-label`, which starts with
    the organisation's code and a colon: one chart serves every organisation's page,
    where a CSS rule on that label highlights the organisation (see `highlight_css`).
    """
    x = alt.X("n:Q", title="Base (relevant)")
    y_scale = alt.Scale(domain=[0, 100])
    base = alt.Chart()
    lines = [
        base.transform_filter(alt.datum.kind == "limit")
        .mark_line(color="#555555", strokeDash=dash, strokeWidth=1)
        .encode(x=x, y=alt.Y(f"{column}:Q", scale=y_scale, title="Percent positive"))
        for column, dash in (
            ("low_95", [4, 3]),
            ("high_95", [4, 3]),
            ("low_998", [1, 0]),
            ("high_998", [1, 0]),
        )
    ]
    centre = (
        base.transform_filter(alt.datum.kind == "centre")
        .mark_rule(color="black")
        .encode(y=alt.Y("national:Q", scale=y_scale))
    )
    dots = (
        base.transform_filter(alt.datum.kind == "point")
        .mark_point(filled=True, opacity=0.85, color="#8a8a8a", size=22)
        .encode(x=x, y=alt.Y("pct:Q", scale=y_scale), description="description:N")
    )
    chart = (
        alt.layer(*lines, centre, dots, data=_data("rows"))
        .properties(width=200, height=150)
        .facet(facet=alt.Facet("label:N", sort=order, title=None), columns=columns)
        .resolve_scale(x="independent")
    )
    return chart, {"rows": frame}


def highlight_css(org_code: str) -> str:
    """The CSS rule that marks one organisation's points in the funnel plots."""
    safe = "".join(ch for ch in org_code if ch.isalnum() or ch in "-_")
    return (
        f'svg path[aria-label^="{safe}:"] {{ fill: {HIGHLIGHT}; stroke: {HIGHLIGHT}; '
        "stroke-width: 6px; opacity: 1; }"
    )


def only_org_css(org_code: str) -> str:
    """CSS rules that show one organisation's marks in the organisation-vs-England chart."""
    safe = "".join(ch for ch in org_code if ch.isalnum() or ch in "-_")
    return (
        '.vs-england svg [aria-label^="Organisation "] { display: none; } '
        f'.vs-england svg [aria-label^="Organisation {safe}:"] {{ display: inline; }}'
    )
