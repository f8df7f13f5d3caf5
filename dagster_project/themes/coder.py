"""Theme coding of redacted comments: one DuckDB statement per survey.

The rules (rules.py) become literal regular expressions in the SQL, so DuckDB compiles
each once and runs them vectorised: one scan of the comments per survey, each distinct
(normalised) text coded once into a list of (theme, rule), unnested to one row per
coded theme and joined back to every comment with that text.
The same function codes `marts.comments` in the asset and the labelled set in
benchmarks/eval_themes.py, so the measured quality is the quality of what is published.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dagster_project.themes.rules import ThemeRule

# Case and apostrophes are ignored ("Don't" = "dont"), as in rules.normalise_phrase.
NORMALISED = "lower(replace(replace({col}, '''', ''), '\u2019', ''))"
KEY_COLUMNS = ("wave", "survey", "org_code", "respondent_id", "question")
# Distinct texts the learned model judges at a time: its feature matrices hold about 100
# values a text, so memory stays bounded whatever the number of comments.
MODEL_CHUNK = 50_000


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def theme_hit_sql(rule: ThemeRule, text: str = "t") -> str:
    """The words of `text` that carry the theme, or NULL.

    Rules-out phrases are blanked out first. Most comments carry no given theme, so the
    carrying phrases are looked for first and the blanking runs only for a comment where
    one occurs. Each regular expression appears as few times as possible in the SQL:
    DuckDB compiles every occurrence (at bind time and per thread), and with a few
    thousand phrases compiling costs more than matching on the default set.
    """
    carry = _literal(rule.carry_pattern)
    found = f"nullif(trim(regexp_extract({text}, {carry})), '')"
    if not rule.rules_out_pattern:
        return found
    out = _literal(rule.rules_out_pattern)
    masked = f"regexp_extract(regexp_replace({text}, {out}, ' | ', 'g'), {carry})"
    return f"nullif(trim({masked}), '')"


def coding_sql(
    source: str, survey: str, rules: tuple[ThemeRule, ...], key_columns=KEY_COLUMNS
) -> str:
    """SELECT of key columns, theme_id, rule: one row per comment of `survey` and theme."""
    active = [r for r in rules if r.carries]
    keys = ", ".join(key_columns)
    if not active:
        return f"SELECT {keys}, NULL::VARCHAR AS theme_id, NULL::VARCHAR AS rule FROM {source} WHERE false"
    hits = ", ".join(
        f"{{'theme_id': {_literal(r.theme_id)}, 'rule': {theme_hit_sql(r)}}}" for r in active
    )
    normalised = NORMALISED.format(col="comment_redacted")
    # Each distinct text is coded once ("nothing", "more money" recur thousands of times);
    # MATERIALIZED so the expressions run once per text, not again for the filter.
    return f"""
        WITH comments AS (
            SELECT {keys}, {normalised} AS t FROM {source} WHERE survey = {_literal(survey)}
        ), coded AS MATERIALIZED (
            SELECT t, unnest([{hits}]) AS hit FROM (SELECT DISTINCT t FROM comments)
        )
        SELECT {", ".join(f"c.{k}" for k in key_columns)}, coded.hit.theme_id AS theme_id,
               coded.hit.rule AS rule
        FROM comments c JOIN coded ON c.t = coded.t
        WHERE coded.hit.rule IS NOT NULL
    """


def coding_query(
    source: str, rules_by_survey: dict[str, tuple[ThemeRule, ...]], key_columns=KEY_COLUMNS
) -> str:
    """The SELECT that codes every comment of `source` (all surveys): key columns,
    theme_id, rule."""
    parts = [coding_sql(source, s, rules, key_columns) for s, rules in rules_by_survey.items()]
    return " UNION ALL ".join(f"SELECT * FROM ({part})" for part in parts)


def code_comments(
    con: duckdb.DuckDBPyConnection,
    source: str,
    rules_by_survey: dict[str, tuple[ThemeRule, ...]],
    key_columns=KEY_COLUMNS,
) -> duckdb.DuckDBPyRelation:
    """The coded themes of every comment in `source` (a table or view with the key
    columns and `comment_redacted`), as a relation: key columns, theme_id, rule."""
    return con.sql(coding_query(source, rules_by_survey, key_columns))


def code_with_model(
    con: duckdb.DuckDBPyConnection,
    source: str,
    rules_by_survey: dict[str, tuple[ThemeRule, ...]],
    key_columns=KEY_COLUMNS,
) -> str:
    """Code every comment of `source` by the rules, then let the learned model drop the
    rules' themes it finds unlikely and add those it finds likely (learned.py).

    Leaves the coded rows (key columns, theme_id, rule) in the temporary table whose
    name it returns. Each distinct (survey, question, text) is judged once.
    """
    from dagster_project.themes import learned

    keys = ", ".join(key_columns)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE theme_rule_hits AS "
        + coding_query(source, rules_by_survey, key_columns)
    )
    jobs: list[tuple[str, list[tuple[str, str]], list[frozenset[str]]]] = []
    modelled: list[tuple[str, str]] = []
    for survey in rules_by_survey:
        model_themes = learned.modelled_themes(survey)
        if model_themes is None:
            continue  # no model for this survey: its rules' coding stands
        modelled += [(survey, theme) for theme in model_themes]
        texts = con.execute(
            f"SELECT DISTINCT question, comment_redacted FROM {source} "
            f"WHERE survey = ? AND comment_redacted IS NOT NULL ORDER BY ALL",
            [survey],
        ).fetchall()
        given: dict[tuple[str, str], frozenset[str]] = {
            (question, text): frozenset(themes)
            for question, text, themes in con.execute(
                f"SELECT c.question, c.comment_redacted, list(DISTINCT r.theme_id) "
                f"FROM theme_rule_hits r JOIN {source} c USING ({keys}) "
                "WHERE c.survey = ? GROUP BY ALL",
                [survey],
            ).fetchall()
        }
        for start in range(0, len(texts), MODEL_CHUNK):
            chunk = texts[start : start + MODEL_CHUNK]
            jobs.append((survey, chunk, [given.get((q, t), frozenset()) for q, t in chunk]))
    frames: list[pd.DataFrame] = []
    for (survey, chunk, _), judged in zip(jobs, _judged(jobs), strict=True):
        questions = np.array([q for q, _ in chunk], dtype=object)
        comments = np.array([t for _, t in chunk], dtype=object)
        frames.append(
            pd.DataFrame(
                {
                    "survey": survey,
                    "question": questions[judged.rows],
                    "comment_redacted": comments[judged.rows],
                    "theme_id": judged.themes,
                    "add_rule": judged.add_rules,
                },
                dtype=object,
            )
        )
    view_columns = ["survey", "question", "comment_redacted", "theme_id", "add_rule"]
    view = pd.concat(frames) if frames else pd.DataFrame(columns=view_columns, dtype=object)
    con.register("theme_model_frame", view)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE theme_model_view AS SELECT "
        + ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in view_columns)
        + " FROM theme_model_frame"
    )
    con.unregister("theme_model_frame")
    con.register(
        "theme_modelled_frame", pd.DataFrame(modelled, columns=["survey", "theme_id"], dtype=object)
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE theme_modelled AS SELECT CAST(survey AS VARCHAR) AS survey, "
        "CAST(theme_id AS VARCHAR) AS theme_id FROM theme_modelled_frame"
    )
    con.unregister("theme_modelled_frame")
    text_of = f"SELECT {keys}, comment_redacted FROM {source}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE theme_coded AS
        WITH c AS ({text_of})
        SELECT r.* FROM theme_rule_hits r JOIN c USING ({keys})
        WHERE NOT EXISTS (SELECT 1 FROM theme_modelled d
                          WHERE d.survey = r.survey AND d.theme_id = r.theme_id)
           OR EXISTS (SELECT 1 FROM theme_model_view m
                      WHERE m.survey = c.survey AND m.question = c.question
                        AND m.comment_redacted = c.comment_redacted AND m.theme_id = r.theme_id)
        UNION ALL
        SELECT {", ".join(f"c.{k}" for k in key_columns)}, m.theme_id, m.add_rule
        FROM c JOIN theme_model_view m
          ON m.survey = c.survey AND m.question = c.question
         AND m.comment_redacted = c.comment_redacted
        WHERE m.add_rule IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM theme_rule_hits r
            WHERE {" AND ".join(f"r.{k} = c.{k}" for k in key_columns)} AND r.theme_id = m.theme_id)
    """)
    for table in ("theme_rule_hits", "theme_model_view", "theme_modelled"):
        con.execute(f"DROP TABLE {table}")
    return "theme_coded"


def _judge_chunk(job: tuple[str, list[tuple[str, str]], list[frozenset[str]]]):
    from dagster_project.themes import learned

    survey, chunk, given = job
    return learned.judge(survey, [learned.model_text(q, t) for q, t in chunk], given)


def _judged(jobs: list) -> list:
    """The model's judgement of each chunk, in order. The judgement is plain Python and
    numpy on one core (about 19 s for the 514,000 texts of 1M holders and 500,000 carers),
    so two or more chunks are judged in worker processes, one per core (workers.py); each
    chunk's judgement is the same wherever it runs."""
    if len(jobs) < 2:
        return [_judge_chunk(job) for job in jobs]
    from dagster_project import workers

    with workers.pool() as pool:
        return list(pool.map(_judge_chunk, jobs))


# The working warehouse keeps the coding of every distinct (survey, question, text) it
# has coded (not published): a refresh codes only texts it has not coded under the same
# rules, model and code (DECISIONS C20).
CACHE_SCHEMA = "poet_meta"
# Up to this many new texts the coding runs on one DuckDB thread: every thread compiles
# its own copy of each theme's expressions and builds its own matching automaton, which
# with a few thousand phrases costs more than the parallelism saves on a small set. The
# set operations over every comment (what is new, what is gone, the join) keep them all.
SINGLE_THREAD_MAX_TEXTS = 250_000
_CODER_FILES = ("coder.py", "learned.py", "rules.py")


def coding_key(rules_by_survey: dict[str, tuple[ThemeRule, ...]]) -> str:
    """What the coding of one text depends on: the rules, the model's arrays, the code
    that applies them and DuckDB's version (its regular expressions)."""
    from dagster_project.themes import learned

    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _CODER_FILES:
        digest.update((here / name).read_bytes())
    digest.update(learned.MODEL_FILE.read_bytes())
    digest.update(repr(sorted(rules_by_survey.items())).encode())
    digest.update(duckdb.__version__.encode())
    return digest.hexdigest()


def code_incrementally(
    con: duckdb.DuckDBPyConnection,
    source: str,
    rules_by_survey: dict[str, tuple[ThemeRule, ...]],
    key_columns=KEY_COLUMNS,
    prune: bool = True,
) -> tuple[str, int]:
    """As code_with_model, coding only the distinct texts of `source` not coded before
    under the same coding key (kept in CACHE_SCHEMA); with `prune`, texts no longer in
    `source` are forgotten (without, `source` may be a part of the comments). Returns the
    temporary table of coded rows and how many texts were coded."""
    key = coding_key(rules_by_survey)
    texts, coded = f"{CACHE_SCHEMA}.theme_texts", f"{CACHE_SCHEMA}.theme_text_codes"
    text_columns = "survey VARCHAR, question VARCHAR, comment_redacted VARCHAR"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {CACHE_SCHEMA}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {texts} (coding_key VARCHAR, {text_columns})")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {coded} "
        f"(coding_key VARCHAR, {text_columns}, theme_id VARCHAR, rule VARCHAR)"
    )
    present = (
        f"SELECT DISTINCT survey, question, comment_redacted FROM {source} "
        "WHERE comment_redacted IS NOT NULL"
    )
    for table in (texts, coded):
        gone = (
            f" OR (survey, question, comment_redacted) NOT IN "
            f"(SELECT (survey, question, comment_redacted) FROM ({present}))"
            if prune
            else ""
        )
        con.execute(f"DELETE FROM {table} WHERE coding_key <> ?{gone}", [key])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE theme_new_texts AS SELECT 0 AS wave, survey, "
        "'' AS org_code, CAST(row_number() OVER () AS VARCHAR) AS respondent_id, question, "
        f"comment_redacted FROM ({present} EXCEPT SELECT survey, question, comment_redacted "
        f"FROM {texts})"
    )
    new = con.execute("SELECT count(*) FROM theme_new_texts").fetchall()[0][0]
    if new:
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        if new <= SINGLE_THREAD_MAX_TEXTS:
            con.execute("SET threads = 1")
        try:
            fresh = code_with_model(con, "theme_new_texts", rules_by_survey)
        finally:
            con.execute(f"SET threads = {int(threads)}")
        con.execute(
            f"INSERT INTO {coded} SELECT ?, n.survey, n.question, n.comment_redacted, "
            f"f.theme_id, f.rule FROM {fresh} f JOIN theme_new_texts n USING (survey, respondent_id)",
            [key],
        )
        con.execute(
            f"INSERT INTO {texts} SELECT ?, survey, question, comment_redacted FROM theme_new_texts",
            [key],
        )
        con.execute(f"DROP TABLE {fresh}")
    con.execute("DROP TABLE theme_new_texts")
    keys = ", ".join(f"c.{k}" for k in key_columns)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE theme_coded AS
        SELECT {keys}, t.theme_id, t.rule FROM {source} c JOIN {coded} t
          ON t.survey = c.survey AND t.question = c.question
         AND t.comment_redacted = c.comment_redacted
    """)
    return "theme_coded", new
