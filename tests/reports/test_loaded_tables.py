"""Sections of tables that other stages add (themes, trend changes) render from the
contract's columns when those tables are in the warehouse, with disclosure control."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.reports.pack import build_pack

pytestmark = pytest.mark.slow


def _add_fixture_tables(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        # Every holder comment on what worked well carries `support`; those of an even
        # respondent number also `staff` (rule: fixture).
        con.execute(
            """
            CREATE OR REPLACE TABLE marts.comment_themes AS
            SELECT wave, survey, org_code, respondent_id, question, 'support' AS theme_id,
                   'fixture' AS rule
            FROM marts.comments WHERE survey = 'holders' AND question = 'worked_well'
            UNION ALL
            SELECT wave, survey, org_code, respondent_id, question, 'staff', 'fixture'
            FROM marts.comments WHERE survey = 'holders' AND question = 'worked_well'
              AND hash(respondent_id) % 2 = 0
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TABLE marts.theme_shares AS
            WITH bases AS (
                SELECT wave, survey, question, count(*) AS n_comments FROM marts.comments
                GROUP BY ALL
            )
            SELECT t.wave, t.survey, t.question, t.theme_id,
                   CASE t.theme_id WHEN 'support' THEN 'Support' ELSE 'Staff' END AS label,
                   b.n_comments, count(*) AS n_with_theme,
                   100.0 * count(*) / b.n_comments AS pct,
                   100.0 * count(*) / b.n_comments - 2 AS ci_low,
                   100.0 * count(*) / b.n_comments + 2 AS ci_high
            FROM marts.comment_themes t JOIN bases b USING (wave, survey, question)
            GROUP BY t.wave, t.survey, t.question, t.theme_id, b.n_comments
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TABLE marts.trend_changes AS
            SELECT 'holders' AS survey, 'quality_of_life' AS outcome_id, 2014 AS wave,
                   2013 AS previous_wave, 900 AS n_relevant, 81.0 AS pct_positive,
                   800 AS previous_n_relevant, 76.8 AS previous_pct_positive,
                   4.2 AS change_points, 0.4 AS ci_low, 8.0 AS ci_high, 0.031 AS p_value,
                   'up' AS direction
            """
        )
        con.execute(
            """
            CREATE OR REPLACE TABLE marts.org_trend_changes AS
            SELECT 'holders' AS survey, org_code, org_name, 'quality_of_life' AS outcome_id,
                   2014 AS wave, 2013 AS previous_wave,
                   CASE WHEN org_code = 'LA01' THEN 40 END AS n_relevant,
                   CASE WHEN org_code = 'LA01' THEN 80.0 END AS pct_positive,
                   CASE WHEN org_code = 'LA01' THEN 35 END AS previous_n_relevant,
                   CASE WHEN org_code = 'LA01' THEN 76.7 END AS previous_pct_positive,
                   CASE WHEN org_code = 'LA01' THEN 3.3 END AS change_points,
                   CASE WHEN org_code = 'LA01' THEN -14.1 END AS ci_low,
                   CASE WHEN org_code = 'LA01' THEN 20.2 END AS ci_high,
                   CASE WHEN org_code = 'LA01' THEN 0.72 END AS p_value,
                   CASE WHEN org_code = 'LA01' THEN 'no_change' END AS direction,
                   org_code <> 'LA01' AS suppressed
            FROM marts.org_summary WHERE survey = 'holders' AND org_code IN ('LA01', 'LA02')
            """
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded_pack(published, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("loaded")
    warehouse = root / "poet.duckdb"
    shutil.copy(published, warehouse)
    _add_fixture_tables(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        build_pack(con, root / "pack", parallel=False)
    finally:
        con.close()
    return root / "pack", warehouse


def test_theme_shares_and_trends_render_when_loaded(loaded_pack):
    folder, warehouse = loaded_pack
    page = (folder / "national.html").read_text(encoding="utf-8")
    assert "is not in this warehouse" not in page
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        n_with, n = con.execute(
            "SELECT n_with_theme, n_comments FROM marts.theme_shares "
            "WHERE survey = 'holders' AND theme_id = 'support'"
        ).fetchone()
        org_with, org_n = con.execute(
            "SELECT count(DISTINCT t.respondent_id), (SELECT count(*) FROM marts.comments c "
            "WHERE c.org_code = 'LA01' AND c.survey = 'holders' AND c.question = 'worked_well') "
            "FROM marts.comment_themes t WHERE t.org_code = 'LA01' AND t.theme_id = 'support'"
        ).fetchone()
    finally:
        con.close()
    themes = re.search(r'<section id="fig12-themes".*?</section>', page, re.S).group(0)
    assert f'<td class="num">{n_with}</td><td class="num">{n}</td>' in themes
    assert "+4.2" in page and "Quality of life" in page
    local = (folder / "org" / "LA01.html").read_text(encoding="utf-8")
    assert org_n >= 10
    assert f'<td>Support</td><td class="num">{org_with}</td><td class="num">{org_n}</td>' in local
    assert "+3.3" in local
    other = (folder / "org" / "LA02.html").read_text(encoding="utf-8")
    change = re.search(
        r"<tr><th scope=\"row\">Quality of life</th><td class=\"num\">2013</td>(.*?)</tr>", other
    )
    assert change and set(re.findall(r">([^<]*)</td>", change.group(1))) == {"[c]", "[c] to [c]"}


def test_themes_of_an_organisation_with_few_comments_are_not_shown(loaded_pack):
    folder, warehouse = loaded_pack
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        few = con.execute(
            "SELECT org_code FROM marts.comments WHERE survey = 'holders' "
            "AND question = 'worked_well' GROUP BY org_code HAVING count(*) < 10"
        ).fetchall()
    finally:
        con.close()
    # The planted organisation has no comments at all; any other with under 10 too.
    codes = {c for (c,) in few} | {"LA98"}
    for code in codes:
        page = (folder / "org" / f"{code}.html").read_text(encoding="utf-8")
        section = re.search(r"<h3>Themes of comments</h3>(.*?)<h3>", page, re.S).group(1)
        assert "Support" not in section, code
