"""Dagster assets of the themes stage (analysis plan section 4, docs/themes.md)."""

import dagster as dg

from dagster_project.publish import parquet_stage
from dagster_project.settings import SURVEYS
from dagster_project.themes.marts import (
    build_comment_themes,
    build_theme_agreement,
    build_theme_shares,
)
from dagster_project.transform import build_state
from dagster_project.warehouse import WarehouseResource

GROUP = "themes"
COMMENTS = dg.AssetKey(["marts", "comments"])
# The rules and catalogue are dbt seeds: loaded into `reference` for analysts, read by
# the coder from the same files.
SEEDS = [
    dg.AssetKey(["reference", name])
    for name in ("themes", *(f"theme_rules_{survey}" for survey in SURVEYS))
]
HAND_CODES = [dg.AssetKey(["raw", "theme_codes"]), dg.AssetKey(["raw", "theme_code_files"])]


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])


@dg.asset(key=_key("comment_themes"), deps=[COMMENTS, *SEEDS], group_name=GROUP)
def comment_themes(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Plan 4: the themes of every redacted comment, with the words that carried each.
    Incremental by file version (DECISIONS R33)."""
    forced = build_state.is_forced(context.run)
    code_key = build_state.code_inputs(warehouse.path)
    with warehouse.connect() as con:
        build = build_comment_themes(con, code_key, forced, log=context.log.info)
        rows = build.rows
        comments = con.execute("SELECT count(*) FROM marts.comments").fetchall()[0][0]
        with_theme = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT wave, survey, org_code, respondent_id, question "
            "FROM marts.comment_themes)"
        ).fetchall()[0][0]
    context.log.info(
        f"marts.comment_themes: {rows} themes coded on {with_theme} of {comments} comments"
    )
    if parquet_stage.run_publishes(context):
        # Nothing changes it after this step: its Parquet file (the largest mart after the
        # responses) is written while the statistics run (DECISIONS R39).
        parquet_stage.add(
            warehouse.path, context.run.run_id, warehouse.connect, (parquet_stage.THEMES_TABLE,)
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "comments": comments,
            "comments_with_a_theme": with_theme,
            "file_versions_coded": build.versions_added,
            "file_versions_removed": build.versions_removed,
            "rebuilt_whole_because": build.rebuilt or "",
        }
    )


@dg.asset(key=_key("theme_shares"), deps=[COMMENTS, _key("comment_themes")], group_name=GROUP)
def theme_shares(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Plan 4: per wave, survey, question and theme, the share of comments, Wilson 95%."""
    with warehouse.connect() as con:
        rows = build_theme_shares(con)
    context.log.info(f"marts.theme_shares: {rows} rows")
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


@dg.asset(
    key=_key("theme_agreement"),
    deps=[COMMENTS, _key("comment_themes"), *HAND_CODES],
    group_name=GROUP,
)
def theme_agreement(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Plan 4: agreement of the coding with the used hand-coded samples (empty without)."""
    with warehouse.connect() as con:
        rows = build_theme_agreement(con)
        if rows:
            compared = con.execute(
                "SELECT survey, max(n_compared) FROM marts.theme_agreement GROUP BY survey ORDER BY survey"
            ).fetchall()
            context.log.info(
                "marts.theme_agreement: "
                + ", ".join(f"{n} {survey} comments compared" for survey, n in compared)
            )
        else:
            context.log.info("marts.theme_agreement: no hand-coded sample in use; table empty")
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})


THEMES_ASSETS = [comment_themes, theme_shares, theme_agreement]
