"""Dagster assets of the stats stage: the statistical tables of docs/contract/marts.md."""

import dagster as dg
import pandas as pd

from dagster_project.stats import labels, partitions, tables, version_counts
from dagster_project.stats.fidelity import fidelity_table
from dagster_project.stats.plan import HOLDERS, SURVEYS
from dagster_project.stats.trends import ORG_TREND_CHANGES, TREND_CHANGES, trend_tables
from dagster_project.transform import build_state
from dagster_project.warehouse import WarehouseResource

# The other modules that use scipy are imported by the assets that need them, not when the
# code location loads: scipy.stats alone costs about 2 CPU seconds (docs/refresh-passes.md).

GROUP = "stats"
HOLDERS_MART = dg.AssetKey(["marts", "holder_responses"])
CARERS_MART = dg.AssetKey(["marts", "carer_responses"])
OUTCOME_SUMMARY = dg.AssetKey(["marts", "outcome_summary"])
DISTRIBUTIONS = dg.AssetKey(["marts", "distributions"])
COMMENTS = dg.AssetKey(["marts", "comments"])
ORG_SUMMARY = dg.AssetKey(
    ["marts", "org_summary"]
)  # the used returns of each wave  # the comment shares of the report
SEEDS = [
    dg.AssetKey(["reference", f"published_2014_{survey}_{name}"])
    for survey in ("holder", "carer")
    for name in ("bivariate_odds_ratios", "marginals", "regressions")
]
# The labels of every stats table are joined from these reference models (stats/labels.py).
LABELS = [dg.AssetKey(list(source)) for source in labels.LABEL_SOURCES]


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])


def _write(
    context, warehouse_con, name: str, frame: pd.DataFrame, columns: dict
) -> dg.MaterializeResult:
    frame = labels.add_labels(warehouse_con, frame)
    rows = tables.write_table(warehouse_con, name, frame, columns)
    context.log.info(f"marts.{name}: {rows} rows written")
    return dg.MaterializeResult(asset_key=_key(name), metadata={"rows": rows})


def _plans(context, warehouse: WarehouseResource, con, names: tuple[str, ...], surveys=SURVEYS):
    """Per survey of `surveys`, the waves to compute for the tables `names` (computed
    together) (stats/partitions.py, DECISIONS R36)."""
    forced = build_state.is_forced(context.run)
    code = build_state.code_inputs(warehouse.path)
    plans, waves = [], {}
    for survey in surveys:
        waves[survey.name] = tables.waves_of(con, survey.table)
        plans.append(partitions.plan(con, names, survey, code, forced, waves[survey.name]))
    context.log.info(f"{', '.join(names)}: {partitions.describe(plans, waves)}")
    return plans


def _reuse(context, warehouse: WarehouseResource) -> version_counts.Reuse:
    """Counts kept per file version may be added to when this run's code made them
    (stats/version_counts.py, DECISIONS R50)."""
    return version_counts.Reuse(
        build_state.code_inputs(warehouse.path), build_state.is_forced(context.run)
    )


def _write_partitions(
    context, con, name: str, frame: pd.DataFrame, columns: dict, plans
) -> dg.MaterializeResult:
    if len(frame):
        frame = labels.add_labels(con, frame)
    rows = partitions.write(con, name, frame, columns, plans)
    context.log.info(f"marts.{name}: {len(frame)} rows computed, {rows} rows in the table")
    return dg.MaterializeResult(
        asset_key=_key(name), metadata={"rows": rows, "rows_computed": len(frame)}
    )


@dg.asset(key=_key("odds_ratios"), deps=[HOLDERS_MART, CARERS_MART, *LABELS], group_name=GROUP)
def odds_ratios(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Plan 2.2: 2x2 counts, odds ratio, Woolf interval, chi-square/Fisher p, BH p."""
    from dagster_project.stats.odds_ratios import odds_ratio_table

    with warehouse.connect() as con:
        plans = _plans(context, warehouse, con, ("odds_ratios",))
        frames = []
        for survey, plan in zip(SURVEYS, plans, strict=True):
            if not plan.compute:
                continue
            frame = odds_ratio_table(con, survey, list(plan.compute), _reuse(context, warehouse))
            context.log.info(
                f"{survey.name}: {len(frame)} factor x outcome pairs, "
                f"{int((frame['status'] == 'ok').sum())} ok, {int(frame['significant'].sum())} significant"
            )
            frames.append(frame)
        return _write_partitions(
            context, con, "odds_ratios", _concat(frames, tables.ODDS_RATIOS),
            tables.ODDS_RATIOS, plans,
        )  # fmt: skip


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            _key("regression_models"), deps=[HOLDERS_MART, CARERS_MART, *LABELS], group_name=GROUP
        ),
        dg.AssetSpec(
            _key("regression_terms"), deps=[HOLDERS_MART, CARERS_MART, *LABELS], group_name=GROUP
        ),
    ]
)
def regressions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Plan 2.3: one logistic regression per outcome, fitted on covariate patterns."""
    from dagster_project.stats.regression import regression_tables

    with warehouse.connect() as con:
        plans = _plans(context, warehouse, con, ("regression_models", "regression_terms"))
        models, terms = [], []
        for survey, plan in zip(SURVEYS, plans, strict=True):
            if not plan.compute:
                continue
            m, t = regression_tables(con, survey, log=context.log.info, waves=list(plan.compute))
            models.append(m)
            terms.append(t)
        yield _write_partitions(
            context, con, "regression_models", _concat(models, tables.REGRESSION_MODELS),
            tables.REGRESSION_MODELS, plans,
        )  # fmt: skip
        yield _write_partitions(
            context, con, "regression_terms", _concat(terms, tables.REGRESSION_TERMS),
            tables.REGRESSION_TERMS, plans,
        )  # fmt: skip


@dg.multi_asset(
    specs=[
        dg.AssetSpec(_key("group_differences"), deps=[HOLDERS_MART, *LABELS], group_name=GROUP),
        dg.AssetSpec(_key("group_figures"), deps=[HOLDERS_MART, *LABELS], group_name=GROUP),
    ]
)
def group_differences(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Plan 2.4: chi-square and ANOVA across the four social care groups."""
    from dagster_project.stats.group_tests import group_tables

    with warehouse.connect() as con:
        names = ("group_differences", "group_figures")
        (plan,) = _plans(context, warehouse, con, names, surveys=(HOLDERS,))
        differences, figures = group_tables(con, list(plan.compute), _reuse(context, warehouse))
        yield _write_partitions(
            context, con, "group_differences", _concat([differences], tables.GROUP_DIFFERENCES),
            tables.GROUP_DIFFERENCES, [plan],
        )  # fmt: skip
        yield _write_partitions(
            context, con, "group_figures", _concat([figures], tables.GROUP_FIGURES),
            tables.GROUP_FIGURES, [plan],
        )  # fmt: skip


@dg.asset(key=_key("process_scale"), deps=[HOLDERS_MART], group_name=GROUP)
def process_scale_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Plan 2.5: mean inter-item correlation and Cronbach's alpha of the process items."""
    from dagster_project.stats.group_tests import process_scale

    with warehouse.connect() as con:
        return _write(context, con, "process_scale", process_scale(con), tables.PROCESS_SCALE)


@dg.asset(
    key=_key("report_fidelity"),
    deps=[
        HOLDERS_MART, CARERS_MART, OUTCOME_SUMMARY, DISTRIBUTIONS, COMMENTS, *SEEDS, *LABELS,
        _key("odds_ratios"), _key("regression_models"), _key("regression_terms"), _key("process_scale"),
    ],
    group_name=GROUP,
)  # fmt: skip
def report_fidelity(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Every published 2014 figure beside the one reproduced from the 2014 wave."""
    with warehouse.connect() as con:
        frame = fidelity_table(con)
        judged = frame[~frame["suspected_erratum"] & frame["within_interval"].notna()]
        context.log.info(
            f"{int(judged['within_interval'].sum())} of {len(judged)} published figures within the "
            f"reproduced 95% interval; {int(frame['reproduced'].isna().sum())} not reproduced"
        )
        return _write(context, con, "report_fidelity", frame, tables.REPORT_FIDELITY)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            _key(name),
            deps=[HOLDERS_MART, CARERS_MART, OUTCOME_SUMMARY, ORG_SUMMARY, *LABELS],
            group_name=GROUP,
        )
        for name in ("trend_changes", "org_trend_changes")
    ]
)
def trend_changes(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Plan 2.7: each wave against the latest earlier one, nationally and per organisation
    (Newcombe interval, Pearson chi-square, direction; organisations with a base below 10
    suppressed). Recomputed whole from the marts, so a late or re-sent wave is reflected
    in every comparison that involves it."""
    with warehouse.connect() as con:
        national, orgs = trend_tables(con)
        moved = national[national["direction"].isin(["up", "down"])]
        context.log.info(
            f"{len(national)} national comparisons, {len(moved)} up or down; "
            f"{len(orgs)} organisation comparisons, {int(orgs['suppressed'].sum())} suppressed"
        )
        yield _write(context, con, "trend_changes", national, TREND_CHANGES)
        yield _write(context, con, "org_trend_changes", orgs, ORG_TREND_CHANGES)


def _concat(frames: list[pd.DataFrame], columns: dict) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns))


STATS_ASSETS = [
    odds_ratios, regressions, group_differences, process_scale_asset, report_fidelity,
    trend_changes,
]  # fmt: skip
