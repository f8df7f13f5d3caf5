"""The three theme marts of docs/contract/marts.md, written in DuckDB SQL.

- `marts.comment_themes`: one row per coded comment and theme, with the words that
  carried the theme (`rule`).
- `marts.theme_shares`: per wave, survey, question and theme of the catalogue, the
  non-blank comments, those carrying the theme, the percentage and its Wilson 95%
  interval (analysis plan section 4; national, so never suppressed: plan section 3).
- `marts.theme_agreement`: per survey and theme, how the coding agrees with the used
  hand-coded samples (raw.theme_codes), over the sampled comments that are published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from dagster_project.file_versions import (
    delete_versions,
    same_version,
    version_changes,
    version_keys,
)
from dagster_project.settings import SURVEYS
from dagster_project.themes.coder import CACHE_SCHEMA, KEY_COLUMNS, code_incrementally
from dagster_project.themes.rules import load_rules, load_themes

Z_95 = 1.959964  # as dbt_project/macros/proportions.sql

COMMENT_THEMES = {
    "wave": "INTEGER", "survey": "VARCHAR", "org_code": "VARCHAR", "respondent_id": "VARCHAR",
    "question": "VARCHAR", "theme_id": "VARCHAR", "rule": "VARCHAR",
    # the theme's readable label (seed themes), as in theme_shares (issue 14: labels)
    "label": "VARCHAR",
    # the file version of the comment (landed_files.sha256): the table is built by version
    "source_sha256": "VARCHAR",
}  # fmt: skip
THEME_SHARES = {
    "wave": "INTEGER", "survey": "VARCHAR", "question": "VARCHAR", "theme_id": "VARCHAR",
    "label": "VARCHAR", "n_comments": "BIGINT", "n_with_theme": "BIGINT", "pct": "DOUBLE",
    "ci_low": "DOUBLE", "ci_high": "DOUBLE",
}  # fmt: skip
THEME_AGREEMENT = {
    "survey": "VARCHAR", "theme_id": "VARCHAR", "label": "VARCHAR", "n_compared": "BIGINT",
    "n_hand": "BIGINT", "n_coded": "BIGINT", "tp": "BIGINT", "fp": "BIGINT", "fn": "BIGINT",
    "tn": "BIGINT", "precision": "DOUBLE", "recall": "DOUBLE", "f1": "DOUBLE", "kappa": "DOUBLE",
}  # fmt: skip


def wilson_sql(k: str, n: str, sign: int) -> str:
    """Wilson score bound in percent for k of n (sign -1 low, +1 high); NULL when n = 0."""
    op = "-" if sign < 0 else "+"
    p = f"(({k})::DOUBLE / ({n}))"
    bound = (
        f"100.0 * (({p} + {Z_95}^2 / (2.0 * ({n}))) {op} {Z_95} * "
        f"sqrt({p} * (1 - {p}) / ({n}) + {Z_95}^2 / (4.0 * ({n})^2))) / (1 + {Z_95}^2 / ({n}))"
    )
    # The bound is 0 at k = 0 and 100 at k = n; rounding can miss that by an ulp.
    return f"CASE WHEN ({n}) > 0 THEN least(100.0, greatest(0.0, {bound})) END"


def _ddl(name: str, columns: dict[str, str]) -> str:
    cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    return f"CREATE OR REPLACE TABLE marts.{name} ({cols})"


def _register_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    frame = pd.DataFrame(
        [(t.survey, t.theme_id, t.label, i) for i, t in enumerate(load_themes())],
        columns=["survey", "theme_id", "label", "theme_order"],
    )
    con.register("theme_catalogue", frame)


# A file version of marts.comments: its coded rows depend only on its comments (a function
# of its bytes and the code, R18) and on the code, so they are coded once (DECISIONS R33).
VERSION_COLUMNS = version_keys(COMMENT_THEMES)
CODED_VERSIONS = f"{CACHE_SCHEMA}.comment_theme_versions"


@dataclass(frozen=True)
class ThemesBuild:
    rows: int  # rows of marts.comment_themes
    texts_coded: int  # distinct texts coded by this build (the others came from the cache)
    versions_added: int  # file versions whose comments were coded into the table
    versions_removed: int  # file versions whose rows left it
    rebuilt: str | None  # why the whole table was rebuilt; None when only versions changed


def _rebuild_reason(con: duckdb.DuckDBPyConnection, code_key: str, forced: bool) -> str | None:
    if forced:
        return "a full refresh was asked for (poet run --force)"
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = 'comment_themes'"
        ).fetchall()
    }
    if "source_sha256" not in columns:
        return "no earlier build of marts.comment_themes by file version"
    versions = ", ".join(f"{c} {COMMENT_THEMES[c]}" for c in VERSION_COLUMNS)
    con.execute(f"CREATE TABLE IF NOT EXISTS {CODED_VERSIONS} (code_key VARCHAR, {versions})")
    keys = {k for (k,) in con.execute(f"SELECT DISTINCT code_key FROM {CODED_VERSIONS}").fetchall()}
    if keys != {code_key}:
        return "the project's code, reference data or libraries changed since its last build"
    return None


def build_comment_themes(
    con: duckdb.DuckDBPyConnection,
    code_key: str,
    forced: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> ThemesBuild:
    """Code the comments of marts.comments into marts.comment_themes (the rules, then the
    learned model's vetoes and additions). Incremental by file version: only the comments
    of versions not coded under `code_key` (build_state.code_inputs) are coded, the rows
    of versions gone from marts.comments are deleted; a new key, a forced refresh or a
    table without versions rebuilds it all. Texts coded before under the same rules and
    model are taken from the coder's cache either way."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS {CACHE_SCHEMA}")
    _register_catalogue(con)
    # One transaction: the table and its record of coded versions change together or not
    # at all (a version recorded but not coded would never be coded).
    con.execute("BEGIN TRANSACTION")
    try:
        reason, added, removed, new = _code_versions(con, code_key, forced)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    log(
        (f"rebuilt whole ({reason}); " if reason else "")
        + f"{added} file version(s) coded, {removed} removed; "
        f"{new} distinct comment texts new since the last refresh"
    )
    rows = con.execute("SELECT count(*) FROM marts.comment_themes").fetchall()[0][0]
    return ThemesBuild(rows, new, added, removed, reason)


def _code_versions(
    con: duckdb.DuckDBPyConnection, code_key: str, forced: bool
) -> tuple[str | None, int, int, int]:
    version = ", ".join(VERSION_COLUMNS)
    reason = _rebuild_reason(con, code_key, forced)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE theme_versions_now AS "
        f"SELECT DISTINCT {version} FROM marts.comments"
    )
    if reason:
        con.execute(_ddl("comment_themes", COMMENT_THEMES))
        con.execute("CREATE OR REPLACE TEMP TABLE theme_versions_new AS FROM theme_versions_now")
        con.execute(
            f"CREATE OR REPLACE TABLE {CODED_VERSIONS} AS "
            "SELECT ?::VARCHAR AS code_key, * FROM theme_versions_now LIMIT 0",
            [code_key],
        )
        source, prune, removed = "marts.comments", True, 0
        added = con.execute("SELECT count(*) FROM theme_versions_new").fetchall()[0][0]
    else:
        removed, added = version_changes(
            con, "theme_versions_now", CODED_VERSIONS, VERSION_COLUMNS, "theme_versions"
        )
        delete_versions(
            con, ("marts.comment_themes", CODED_VERSIONS), "theme_versions_gone", VERSION_COLUMNS
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE theme_new_comments AS SELECT c.* FROM marts.comments c "
            f"SEMI JOIN theme_versions_new v ON {same_version(VERSION_COLUMNS, 'c', 'v')}"
        )
        source, prune = "theme_new_comments", False
    coded, new = code_incrementally(
        con, source, {s: load_rules(s) for s in SURVEYS}, (*KEY_COLUMNS, "source_sha256"), prune
    )
    columns = ", ".join("t.label" if c == "label" else f'c."{c}"' for c in COMMENT_THEMES)
    con.execute(
        f"INSERT INTO marts.comment_themes SELECT {columns} FROM {coded} c "
        "LEFT JOIN theme_catalogue t USING (survey, theme_id) "
        "ORDER BY wave, survey, org_code, respondent_id, question, theme_id"
    )
    con.execute(f"INSERT INTO {CODED_VERSIONS} SELECT ?, * FROM theme_versions_new", [code_key])
    for table in (coded, "theme_versions_now", "theme_versions_gone", "theme_versions_new"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP TABLE IF EXISTS theme_new_comments")
    return reason, added, removed, new


def build_theme_shares(con: duckdb.DuckDBPyConnection) -> int:
    """Every theme of the catalogue for every wave, survey and question with comments."""
    _register_catalogue(con)
    try:
        con.execute(_ddl("theme_shares", THEME_SHARES))
        con.execute(
            f"""INSERT INTO marts.theme_shares
            WITH base AS (
                SELECT wave, survey, question, count(*) AS n_comments
                FROM marts.comments GROUP BY wave, survey, question
            ), coded AS (
                SELECT wave, survey, question, theme_id, count(*) AS n_with_theme
                FROM marts.comment_themes GROUP BY wave, survey, question, theme_id
            ), cells AS (
                SELECT b.wave, b.survey, b.question, t.theme_id, t.label, t.theme_order,
                       b.n_comments, coalesce(c.n_with_theme, 0) AS n_with_theme
                FROM base b
                JOIN theme_catalogue t ON t.survey = b.survey
                LEFT JOIN coded c ON c.wave = b.wave AND c.survey = b.survey
                     AND c.question = b.question AND c.theme_id = t.theme_id
            )
            SELECT wave, survey, question, theme_id, label, n_comments, n_with_theme,
                   100.0 * n_with_theme / n_comments AS pct,
                   {wilson_sql("n_with_theme", "n_comments", -1)} AS ci_low,
                   {wilson_sql("n_with_theme", "n_comments", +1)} AS ci_high
            FROM cells
            ORDER BY wave, survey,
                     CASE question WHEN 'worked_well' THEN 1 WHEN 'not_worked' THEN 2 ELSE 3 END,
                     theme_order"""
        )
    finally:
        con.unregister("theme_catalogue")
    return con.execute("SELECT count(*) FROM marts.theme_shares").fetchall()[0][0]


def _has_samples(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'raw' AND table_name IN ('theme_codes', 'theme_code_files')"
        ).fetchall()[0][0]
        == 2
    )


def build_theme_agreement(con: duckdb.DuckDBPyConnection) -> int:
    """Agreement of the coding with the used hand-coded samples; empty without one.

    Compared comments: those a used sample names that are published in marts.comments
    (so never a comment of a superseded return or without consent). For each theme of
    the survey, each compared comment is one decision: hand-coded or not, coded or not.
    """
    con.execute(_ddl("theme_agreement", THEME_AGREEMENT))
    if not _has_samples(con):
        return 0
    _register_catalogue(con)
    try:
        con.execute(
            """INSERT INTO marts.theme_agreement
            WITH hand AS (
                SELECT DISTINCT s.wave, s.survey, s.org_code, s.respondent_id, s.question, s.theme_id
                FROM raw.theme_codes s
                JOIN raw.theme_code_files f USING (source_path, source_sha256)
                WHERE f.status = 'used'
            ), compared AS (
                SELECT DISTINCT h.wave, h.survey, h.org_code, h.respondent_id, h.question
                FROM hand h
                JOIN marts.comments c ON c.wave = h.wave AND c.survey = h.survey
                     AND c.org_code = h.org_code AND c.respondent_id = h.respondent_id
                     AND c.question = h.question
            ), decisions AS (
                SELECT c.survey, t.theme_id,
                       EXISTS (SELECT 1 FROM hand h WHERE h.wave = c.wave AND h.survey = c.survey
                               AND h.org_code = c.org_code AND h.respondent_id = c.respondent_id
                               AND h.question = c.question AND h.theme_id = t.theme_id) AS by_hand,
                       EXISTS (SELECT 1 FROM marts.comment_themes a WHERE a.wave = c.wave
                               AND a.survey = c.survey AND a.org_code = c.org_code
                               AND a.respondent_id = c.respondent_id AND a.question = c.question
                               AND a.theme_id = t.theme_id) AS coded
                FROM compared c JOIN theme_catalogue t ON t.survey = c.survey
            ), counts AS (
                SELECT survey, theme_id, count(*) AS n_compared,
                       count(*) FILTER (WHERE by_hand) AS n_hand,
                       count(*) FILTER (WHERE coded) AS n_coded,
                       count(*) FILTER (WHERE by_hand AND coded) AS tp,
                       count(*) FILTER (WHERE coded AND NOT by_hand) AS fp,
                       count(*) FILTER (WHERE by_hand AND NOT coded) AS fn,
                       count(*) FILTER (WHERE NOT by_hand AND NOT coded) AS tn
                FROM decisions GROUP BY survey, theme_id
            ), scored AS (
                SELECT *,
                       CASE WHEN tp + fp > 0 THEN tp / (tp + fp) END AS precision,
                       CASE WHEN tp + fn > 0 THEN tp / (tp + fn) END AS recall,
                       ((tp + tn) / n_compared) AS p_observed,
                       ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n_compared * n_compared) AS p_expected
                FROM (SELECT survey, theme_id, n_compared, n_hand, n_coded,
                             tp::DOUBLE AS tp, fp::DOUBLE AS fp, fn::DOUBLE AS fn, tn::DOUBLE AS tn
                      FROM counts)
            )
            SELECT s.survey, s.theme_id, t.label, n_compared, n_hand, n_coded, tp, fp, fn, tn,
                   precision, recall,
                   CASE WHEN precision + recall > 0 THEN 2 * precision * recall / (precision + recall)
                        WHEN precision IS NOT NULL AND recall IS NOT NULL THEN 0 END AS f1,
                   CASE WHEN p_expected < 1 THEN (p_observed - p_expected) / (1 - p_expected) END AS kappa
            FROM scored s JOIN theme_catalogue t USING (survey, theme_id)
            ORDER BY CASE s.survey WHEN 'holders' THEN 1 ELSE 2 END, t.theme_order"""
        )
    finally:
        con.unregister("theme_catalogue")
    return con.execute("SELECT count(*) FROM marts.theme_agreement").fetchall()[0][0]
