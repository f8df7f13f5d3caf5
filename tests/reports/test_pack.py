"""The report pack of a real refresh: published with the warehouse, offline in a
browser, nothing suppressed anywhere, and its numbers those of the published tables."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from report_browser import Browser, chromium
from report_planting import PLANTED, PLANTED_LABEL, POET

from dagster_project.reports.pack import build_pack, data_table
from dagster_project.settings import REPO_ROOT

# Not marked slow: its refresh is the one test_loaded_tables (marked slow, so scheduled
# first) builds for both workers (conftest.py); scheduled later, it finds it built.


def _query(published: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_refresh_publishes_the_pack_with_the_warehouse(pack, published):
    assert pack.is_symlink(), "POET_REPORTS is a link swapped atomically"
    orgs = {c for (c,) in _query(published, "SELECT DISTINCT org_code FROM marts.org_summary")}
    assert PLANTED in orgs
    assert {p.stem for p in (pack / "org").glob("*.html")} == orgs
    for name in ("index.html", "national.html", "poet_tables.xlsx"):
        assert (pack / name).stat().st_size > 0
    index = _text(pack / "index.html")
    assert all(f'href="org/{code}.html"' in index for code in orgs)
    leftovers = [p.name for p in pack.resolve().parent.glob(".reports.tmp-*")]
    assert leftovers == [], "the staging folder was swapped in, not left behind"


@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")
def test_national_and_local_report_open_offline_in_chromium(pack, tmp_path):
    style = "getComputedStyle(document.querySelector('{}')).{}"
    checks = {
        # The local page highlights its own funnel points and shows only its own marks
        # in the chart against England (CSS on the shared SVG).
        "LA01": (
            style.format('.vs-england [aria-label^="Organisation LA01:"]', "display"),
            style.format('.vs-england [aria-label^="Organisation LA02:"]', "display"),
            style.format('figure:not(.vs-england) path[aria-label^="LA01:"]', "fill"),
            style.format('figure:not(.vs-england) path[aria-label^="LA02:"]', "fill"),
        ),
        "national": ("document.querySelectorAll('svg').length",),
    }
    browser = Browser(chromium())
    try:
        for page in (pack / "national.html", pack / "org" / "LA01.html"):
            visit = browser.visit(page, expressions=checks[page.stem])
            assert visit.console_errors == [], visit.console_errors
            # The document itself is the only load: no script, style, font or image.
            assert visit.requests == [page.resolve().as_uri()], visit.requests
            assert visit.screenshot[:8] == b"\x89PNG\r\n\x1a\n"
            if page.stem == "LA01":
                assert visit.values == ["inline", "none", "rgb(217, 95, 2)", "rgb(138, 138, 138)"]
            else:
                assert visit.values[0] >= 20  # the charts of Figures 2-20
            (tmp_path / f"{page.stem}.png").write_bytes(visit.screenshot)
            shots = os.environ.get("POET_SCREENSHOTS")  # docs/images, refreshed by hand
            if shots:
                Path(shots, f"report_{page.stem}.png").write_bytes(visit.screenshot)
    finally:
        browser.close()


def _pack_texts(pack: Path) -> dict[str, str]:
    texts = {str(p.relative_to(pack)): _text(p) for p in pack.rglob("*.html")}
    with zipfile.ZipFile(pack / "poet_tables.xlsx") as book:
        for name in book.namelist():
            if name.endswith(".xml"):
                texts[f"poet_tables.xlsx:{name}"] = book.read(name).decode("utf-8")
    return texts


def test_planted_figure_on_nine_appears_nowhere(pack, published):
    (row,) = _query(
        published,
        "SELECT suppressed, n_relevant, pct_positive FROM marts.org_benchmark "
        "WHERE org_code = ? AND outcome_id = 'paid_work'",
        [PLANTED],
    )
    assert row == (True, None, None), "the mart suppressed the base of 9"
    (n,) = _query(
        published,
        "SELECT count(paid_work_positive) FROM marts.holder_responses WHERE org_code = ?",
        [PLANTED],
    )[0]
    assert n == 9
    page = _text(pack / "org" / f"{PLANTED}.html")
    # Its row in the outcomes table: every figure [c].
    cells = re.search(rf"<tr><th scope=\"row\">{PLANTED_LABEL}</th>(.*?)</tr>", page).group(1)
    values = re.findall(r"<td[^>]*>(.*?)</td>", cells)
    # Positive, interval, base and comparison suppressed; England's figure stays.
    assert values[0:4] == ["[c]"] * 4 and values[5] == "[c]", values
    assert re.fullmatch(r"\d+\.\d", values[4]), values
    # Its other outcomes are shown (a base of 30): the test can fail.
    assert "LA98: Quality of life" in page
    for name, text in _pack_texts(pack).items():
        plain = html.unescape(text)
        assert f"{PLANTED}: {PLANTED_LABEL}" not in plain, name  # vs-England mark
        assert not re.search(rf"{PLANTED}: [^\"<]*base 9,", plain), name  # funnel point
        for line in re.findall(rf"<tr>[^\n]*\({PLANTED}\)[^\n]*</tr>", plain):
            assert PLANTED_LABEL not in line, (name, line)  # funnel data table
    book = openpyxl.load_workbook(pack / "poet_tables.xlsx", read_only=True)
    sheet = book["Organisations"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and PLANTED in r]
    paid = [r for r in rows if PLANTED_LABEL in r]
    assert len(rows) > 1 and len(paid) == 1
    assert paid[0][4:8] == ("[c]",) * 4 and paid[0][9] == "[c]", paid


def test_spreadsheet_outcomes_equal_the_mart(pack, published):
    book = openpyxl.load_workbook(pack / "poet_tables.xlsx", read_only=True)
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    rows = list(book["Outcomes"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Survey")
    header = rows[header_at]
    assert "Positive (%)" in header and "Base (people for whom relevant)" in header
    got = {
        (r[header.index("Outcome id")], r[0]): r
        for r in rows[header_at + 1 :]
        if r and r[header.index("Outcome id")]
    }
    mart = _query(
        published,
        "SELECT survey, outcome_id, n_relevant, pct_positive, ci_low, ci_high "
        "FROM marts.outcome_summary WHERE wave = 2014",
    )
    names = {"holders": "Personal budget holders", "carers": "Carers"}
    assert len(got) == len(mart) == 23
    for survey, outcome, n, pct, low, high in mart:
        row = got[(outcome, names[survey])]
        assert row[header.index("Base (people for whom relevant)")] == n
        assert row[header.index("Positive (%)")] == pytest.approx(round(pct, 1))
        assert row[header.index("95% CI lower (%)")] == pytest.approx(round(low, 1))
        assert row[header.index("95% CI upper (%)")] == pytest.approx(round(high, 1))


def _table(page: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}".*?</section>', page, re.S).group(0)


def test_report_numbers_are_the_published_warehouse(pack, published):
    page = _text(pack / "national.html")
    table1 = _table(page, "table1")
    factors = re.findall(r'<th scope="col" class="factor">(.*?)</th>', table1)
    labels = dict(
        _query(
            published,
            "SELECT DISTINCT factor_label, factor_id "
            'FROM reference.published_2014_holder_bivariate_odds_ratios WHERE "table" = 1',
        )
    )
    assert factors and set(factors) == set(labels)
    first_row = re.search(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table1.split("<tbody>")[1])
    outcome_label = first_row.group(1)
    assert outcome_label == "Quality of life"
    cells = re.findall(r"<td[^>]*>([^<]*)", first_row.group(2))
    checked = 0
    for factor_label, text in zip(factors, cells, strict=True):
        ((odds, significant),) = _query(
            published,
            "SELECT odds_ratio, significant FROM marts.odds_ratios WHERE wave = 2014 "
            "AND survey = 'holders' AND outcome_id = 'quality_of_life' AND factor_id = ?",
            [labels[factor_label]],
        )
        if odds is None:
            continue
        assert text == f"{odds:.2f}{'*' if significant else ''}", factor_label
        checked += 1
    assert checked >= 5
    # A funnel point: the data table of LA01's page against org_benchmark.
    local = html.unescape(_text(pack / "org" / "LA01.html"))
    name = _query(published, "SELECT org_name FROM marts.org_summary WHERE org_code = 'LA01'")[0][0]
    row = re.search(
        rf"<tr><th scope=\"row\">Quality of life</th><td>{re.escape(name)} \(LA01\) "
        r"\(this organisation\)</td><td class=\"num\">(\d+)</td><td class=\"num\">([\d.]+)</td>",
        local,
    )
    assert row, "LA01's quality of life point is in its funnel data table"
    ((n, pct),) = _query(
        published,
        "SELECT n_relevant, pct_positive FROM marts.org_benchmark WHERE wave = 2014 "
        "AND survey = 'holders' AND org_code = 'LA01' AND outcome_id = 'quality_of_life'",
    )
    assert int(row.group(1)) == n and row.group(2) == f"{pct:.1f}"
    assert f"LA01: {name}, base {n}, {pct:.1f}% positive" in local  # the plotted point


def test_sections_of_tables_not_in_the_warehouse_say_not_loaded(published, tmp_path):
    # A warehouse published before the themes and trends stages (or by a build without
    # them) lacks their tables: the pack still builds and each section says so.
    warehouse = tmp_path / "poet.duckdb"
    shutil.copy(published, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        for table in ("comment_themes", "theme_shares", "trend_changes", "org_trend_changes"):
            con.execute(f"DROP TABLE IF EXISTS marts.{table}")
        con.close()
        con = duckdb.connect(str(warehouse), read_only=True)
        build_pack(con, tmp_path / "pack", parallel=False)
    finally:
        con.close()
    page = _text(tmp_path / "pack" / "national.html")
    for table in ("theme_shares", "trend_changes"):
        assert f"marts.{table} is not in this warehouse" in page
    local = _text(tmp_path / "pack" / "org" / "LA01.html")
    assert "marts.comment_themes is not in this warehouse" in local
    assert "marts.org_trend_changes is not in this warehouse" in local


def test_sections_of_loaded_tables_do_not_say_not_loaded(pack):
    page = _text(pack / "national.html") + _text(pack / "org" / "LA01.html")
    assert "is not in this warehouse" not in page


def test_poet_report_for_a_wave_not_loaded_says_so(refreshed):
    root, env = refreshed
    run = subprocess.run([POET, "report", "--wave", "1999"], env=env, cwd=REPO_ROOT,
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 2
    assert "wave 1999 has no used return; waves loaded: [2014]" in run.stderr


def test_a_pack_from_the_charts_cache_is_the_same_pack(published, tmp_path):
    from dagster_project.reports.charts import SvgCache

    cache = SvgCache(tmp_path / "charts")
    con = duckdb.connect(str(published), read_only=True)
    try:
        first = build_pack(con, tmp_path / "first", parallel=False, chart_cache=cache)
        second = build_pack(con, tmp_path / "second", parallel=False, chart_cache=cache)
    finally:
        con.close()
    assert first.chart_counts.get("drawn", 0) >= 10 and "cached" not in first.chart_counts
    assert second.chart_counts == {"cached": first.chart_counts["drawn"]}
    generated = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")  # when each page was written
    pages = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*.html"))
    assert len(pages) == first.files - 1  # every page but the spreadsheet
    for page in pages:
        a, b = (generated.sub("", _text(tmp_path / run / page)) for run in ("first", "second"))
        assert a == b, page


def test_data_table_rows_are_escaped_and_keep_their_own_text():
    """Rows of plain text are rendered once per pack and reused (pack._text_row); a row
    is still escaped every time, and a row of numbers is never taken for an equal row
    (1 and 1.0 are equal keys)."""
    for _ in range(2):
        table = str(data_table("c", ("A", "B"), [("<b>x</b>", "1 & 2")]))
        assert '<th scope="row">&lt;b&gt;x&lt;/b&gt;</th><td class="num">1 &amp; 2</td>' in table
    assert '<td class="num">1</td>' in str(data_table("c", ("A", "B"), [("x", 1)]))
    assert '<td class="num">1.0</td>' in str(data_table("c", ("A", "B"), [("x", 1.0)]))
    assert '<td class="num">1.0</td>' in str(data_table("c", ("A", "B"), [["x", 1.0]]))
