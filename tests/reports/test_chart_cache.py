"""The charts' cache (charts.SvgCache, DECISIONS R43): a chart is drawn once for the same
specification and data, read back unchanged, and dropped when no pack uses it."""

from __future__ import annotations

import os

import altair as alt
import pandas as pd

from dagster_project.reports import charts


def _chart(values) -> charts.Built:
    chart = alt.Chart(alt.Data(name="d")).mark_bar().encode(x="a:Q", y="b:N")
    return chart, {"d": pd.DataFrame({"a": values, "b": ["x", "y"]})}


def _draw(cache, values) -> tuple[str, dict]:
    charts.DRAWN.clear()
    with charts.svg_cache(cache):
        svg = charts.to_svg(*_chart(values))
    return svg, dict(charts.DRAWN)


def test_a_chart_is_drawn_once_and_read_back_the_same(tmp_path):
    cache = charts.SvgCache(tmp_path / "charts")
    svg, counts = _draw(cache, [1, 2])
    assert counts == {"drawn": 1} and svg.startswith("<svg")
    assert _draw(cache, [1, 2]) == (svg, {"cached": 1})
    assert _draw(None, [1, 2]) == (svg, {"drawn": 1})  # the same drawing without a cache
    # Other data is another chart; a forced refresh (read=False) draws again.
    other, counts = _draw(cache, [1, 3])
    assert counts == {"drawn": 1} and other != svg
    assert _draw(charts.SvgCache(tmp_path / "charts", read=False), [1, 2]) == (svg, {"drawn": 1})
    assert len(list((tmp_path / "charts").glob("*.svg"))) == 2
    assert not list((tmp_path / "charts").glob(".*"))  # no partial file left


def test_charts_no_pack_used_since_are_removed(tmp_path):
    cache = charts.SvgCache(tmp_path / "charts")
    _draw(cache, [1, 2])
    _draw(cache, [5, 6])
    for path in (tmp_path / "charts").iterdir():
        os.utime(path, (1_000_000, 1_000_000))  # drawn long ago
    since = charts.now()
    kept, counts = _draw(cache, [1, 2])  # this pack reads one of them
    assert counts == {"cached": 1}
    assert charts.prune_svg_cache(tmp_path / "charts", since) == 1
    assert _draw(cache, [1, 2]) == (kept, {"cached": 1})
    assert _draw(cache, [5, 6])[1] == {"drawn": 1}
    assert charts.prune_svg_cache(tmp_path / "missing", since) == 0
