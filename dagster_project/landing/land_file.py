"""Land one new file version: its rows into raw, its invalid cells, its own checks.

The checks here depend on the file's content only (readable, required columns,
respondent_id, invalid cells). Checks that depend on the rest of the folder (organisation
listed, a second file for the slot) are made when statuses are derived (registry.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from dagster_project.codebook import REQUIRED_COLUMNS, Variable, load_codebook
from dagster_project.landing.layout import ReturnFile
from dagster_project.landing.readers import (
    Source,
    UnreadableFile,
    create_table,
    opened,
    position_column,
)
from dagster_project.landing.rules import (
    CODE_NOT_IN_CODEBOOK,
    CONSENT_YES,
    CellRule,
    QuarantineLimits,
    canonical,
    canonical_code,
    cell_rules,
    is_coded,
    quote_identifier,
    quote_literal,
    trimmed,
)
from dagster_project.landing.schema import FILE_CHECKS, survey_table
from dagster_project.quality.contact_details import CONTACT_DETAIL_PATTERNS
from dagster_project.quality.masking import detail_kind
from dagster_project.redaction import gate_prefilter

_CONTACT_DETAIL_REGEX = "|".join(f"(?:{p})" for p in CONTACT_DETAIL_PATTERNS.values())
_CONTACT_DETAIL_PREFILTER = gate_prefilter()

# An in-memory database attached for the run, one table per staged file: unlike temporary
# tables it is seen by every cursor, so files can be read by several threads at once.
STAGE_DATABASE = "landing_stage"


@dataclass(frozen=True)
class FileOutcome:
    rows: int
    rows_without_consent: int
    invalid_cells: int
    columns_present: list[str] | None  # None when the file cannot be read
    content_reasons: list[str]

    @property
    def content_reason(self) -> str | None:
        return "; ".join(self.content_reasons) or None


@dataclass(frozen=True)
class _Columns:
    by_variable: dict[str, int]  # codebook variable -> header position (first occurrence)
    extra: dict[str, int]  # header as delivered -> position
    repeated: list[str]  # codebook variables given more than once


def _map_header(header: list[str], variables: tuple[str, ...]) -> _Columns:
    known = set(variables)
    by_variable: dict[str, int] = {}
    extra: dict[str, int] = {}
    seen: Counter[str] = Counter()
    for position, name in enumerate(header):
        key = name.strip().lower()
        if key in known:
            seen[key] += 1
            by_variable.setdefault(key, position)
        else:
            extra[name.strip() or f"column_{position + 1}"] = position
    repeated = [name for name in variables if seen[name] > 1]
    return _Columns(by_variable, extra, repeated)


_ROW = "CAST(rowid + 1 AS INTEGER)"  # a stage table is filled in file order, outside a transaction

# A small file's statements cost their binding, not their rows: DuckDB binds each
# expression of a statement, and compiles each regular expression in it, once per
# statement (about 0.2 ms per column and rule). A file up to these sizes is cleaned and
# checked with one expression per kind of cell, applied to a list of its cells (list
# lambdas); a larger one with one expression per column or rule, which reads its rows
# faster (measured: to clean a 130-row file 22 -> 9 ms, a 52,621-row file 418 -> 455 ms).
# Both forms give the same cells (tests/landing/test_compact_forms.py).
COMPACT_MAX_BYTES = 1_000_000
COMPACT_MAX_ROWS = 4_000


def _select_list(survey: str, columns: _Columns, cell: Callable[[Variable, int], str]) -> str:
    """The stage table's columns: every codebook variable (`cell` of its header position,
    NULL when the file lacks it), then extra_columns."""
    selected = []
    for variable in load_codebook(survey).variables:
        position = columns.by_variable.get(variable.name)
        expression = "CAST(NULL AS VARCHAR)" if position is None else cell(variable, position)
        selected.append(f"{expression} AS {quote_identifier(variable.name)}")
    if columns.extra:
        pairs = ", ".join(
            f"{quote_literal(name)}, {position_column(p)}" for name, p in columns.extra.items()
        )
        selected.append(f"json_object({pairs}) AS extra_columns")
    else:
        selected.append("CAST(NULL AS JSON) AS extra_columns")
    return ", ".join(selected)


def _stage_relation(
    survey: str, columns: _Columns, source: Source, compact: bool = False
) -> tuple[str, Source]:
    """Select list and relation of the stage table: every codebook variable cleaned, then
    extra_columns. Cells are trimmed once in the inner query; the outer one reads each
    trimmed cell several times."""
    positions = sorted(set(columns.by_variable.values()))
    if compact and positions:
        return _compact_stage_relation(survey, columns, source, positions)
    inner = [f"{trimmed(position_column(p))} AS t{p}" for p in positions]
    inner += [position_column(p) for p in columns.extra.values()]
    select_list = _select_list(survey, columns, lambda v, p: canonical(f"t{p}", v))
    relation = f"(SELECT {', '.join(inner) or 'NULL AS no_codebook_column'} FROM {source.relation})"
    return select_list, Source(source.header, relation, source.csv_path)


def _compact_stage_relation(
    survey: str, columns: _Columns, source: Source, positions: list[int]
) -> tuple[str, Source]:
    """_stage_relation for a small file: the cells trimmed as one list (`trimmed`), the
    coded ones made canonical as another (`coded`), each with one lambda."""
    trimmed_at = {p: i for i, p in enumerate(positions, start=1)}  # list indexes from 1
    coded = [
        v for v in load_codebook(survey).variables if v.name in columns.by_variable and is_coded(v)
    ]
    coded_at = {v.name: i for i, v in enumerate(coded, start=1)}
    cells = ", ".join(position_column(p) for p in positions)
    inner = [f"list_transform([{cells}], lambda cell: {trimmed('cell')}) AS trimmed"]
    inner += [position_column(p) for p in columns.extra.values()]
    middle = "*"
    if coded:
        listed = ", ".join(f"trimmed[{trimmed_at[columns.by_variable[v.name]]}]" for v in coded)
        middle += f", list_transform([{listed}], lambda cell: {canonical_code('cell')}) AS coded"

    def cell(variable: Variable, position: int) -> str:
        if variable.name in coded_at:
            return f"coded[{coded_at[variable.name]}]"
        return f"trimmed[{trimmed_at[position]}]"

    relation = f"(SELECT {middle} FROM (SELECT {', '.join(inner)} FROM {source.relation}))"
    return _select_list(survey, columns, cell), Source(source.header, relation, source.csv_path)


def _listed(items: list[str], limit: int, separator: str = ", ") -> str:
    more = f"{separator}and {len(items) - limit} more" if len(items) > limit else ""
    return separator.join(items[:limit]) + more


def _contact_detail_candidates(con: duckdb.DuckDBPyConnection, stage: str) -> bool:
    """Whether any respondent_id matches the short prefilter of the contact-detail
    patterns (a file whose ids all fail it has no contact detail in them)."""
    [(found,)] = con.execute(
        f"SELECT count(*) > 0 FROM {stage} WHERE regexp_matches(respondent_id, $re)",
        {"re": _CONTACT_DETAIL_PREFILTER},
    ).fetchall()
    return bool(found)


def _respondent_reasons(
    con: duckdb.DuckDBPyConnection, stage: str, limits: QuarantineLimits
) -> list[str]:
    reasons: list[str] = []
    blank_rows = [
        str(row)
        for (row,) in con.execute(
            f"SELECT {_ROW} AS r FROM {stage} WHERE respondent_id IS NULL ORDER BY r"
        ).fetchall()
    ]
    if blank_rows:
        noun = "row" if len(blank_rows) == 1 else "rows"
        listed = _listed(blank_rows, limits.ids_listed)
        reasons.append(f"respondent_id blank in {len(blank_rows)} {noun} (data {noun} {listed})")
    contact = (
        [
            str(row)
            for (row,) in con.execute(
                f"SELECT {_ROW} AS r FROM {stage} WHERE regexp_matches(respondent_id, $re) ORDER BY r",
                {"re": _CONTACT_DETAIL_REGEX},
            ).fetchall()
        ]
        if _contact_detail_candidates(con, stage)
        else []
    )
    if contact:
        # The staging gate scans respondent_id for contact details: one file must not block
        # every refresh there. The value itself is never repeated.
        noun = "row" if len(contact) == 1 else "rows"
        listed = _listed(contact, limits.ids_listed)
        reasons.append(
            f"respondent_id looks like a contact detail in {len(contact)} {noun} (data {noun} {listed}): "
            "use the survey's own respondent ids"
        )
    repeated = con.execute(
        f"SELECT respondent_id, count(*) FROM {stage} WHERE respondent_id IS NOT NULL "
        f"GROUP BY respondent_id HAVING count(*) > 1 ORDER BY min({_ROW})"
    ).fetchall()
    if repeated:
        # Reasons are published (marts.landed_files): an id that is a contact detail is not repeated.
        shown = [
            f"{'an id that is a contact detail' if detail_kind(rid) else rid} ({n} rows)"
            for rid, n in repeated
        ]
        reasons.append("respondent_id repeated: " + _listed(shown, limits.ids_listed))
    return reasons


HIDDEN_CONTACT_DETAIL = "hidden (contact detail)"


def hide_contact_details(con: duckdb.DuckDBPyConnection, shas: list[str]) -> None:
    """raw.invalid_cells.raw_value reaches analysts (marts.data_quality_issues), whose gate
    refuses contact details: an invalid cell of these versions that holds one is recorded
    as `hidden (contact detail)`, so one mistyped cell never blocks the publish (the cell
    itself stays in the raw survey table).

    Once per batch of files, not per file or rule: each regexp_matches in a statement
    compiles the 23 kB pattern again (about 0.8 s)."""
    if shas:
        con.execute(
            f"UPDATE raw.invalid_cells SET raw_value = {quote_literal(HIDDEN_CONTACT_DETAIL)} "
            "WHERE source_sha256 IN (SELECT unnest(?::VARCHAR[])) "
            f"AND regexp_matches(raw_value, {quote_literal(_CONTACT_DETAIL_REGEX)})",
            [shas],
        )


def _stage_invalid_cells(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    table: str,
    survey: str,
    present: set[str],
    compact: bool = False,
) -> int:
    """Fill `table` (respondent_id, variable, raw_value, rule) with the stage's invalid
    cells; return how many (0 and no table when no rule applies)."""
    rules = cell_rules(load_codebook(survey), present)
    if not rules:
        return 0
    consenting = f"consent = {quote_literal(CONSENT_YES)}"
    # Contact details in raw_value are hidden when the batch is stored (hide_contact_details).
    if compact:
        cells = _invalid_cells_list(rules)
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT respondent_id, cell.variable, "
            f"cell.raw_value, cell.rule FROM (SELECT respondent_id, unnest({cells}) AS cell "
            f"FROM {stage} WHERE {consenting})"
        )
    else:
        # One scan per rule; measured faster than one pass building a list of cells per
        # row once a file has some thousands of rows.
        selects = " UNION ALL ".join(
            f"SELECT respondent_id, {quote_literal(r.variable)}, {r.raw_value}, "
            f"{quote_literal(r.rule)} "
            f"FROM {stage} WHERE {consenting} AND {r.invalid_when}"
            for r in rules
        )
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {selects}")
    [(invalid,)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(invalid)


def _invalid_cells_list(rules: list[CellRule]) -> str:
    """SQL for the list of a row's invalid cells (structs of variable, raw_value, rule),
    for the compact form (COMPACT_MAX_ROWS): the coded cells tested by one lambda against
    their codes (the lists a constant), each other rule by an expression of its own."""
    coded = [r for r in rules if r.codes]
    others = [r for r in rules if not r.codes]
    parts = []
    if coded:
        cells = ", ".join(quote_identifier(r.variable) for r in coded)
        codes = ", ".join("[" + ", ".join(map(quote_literal, r.codes)) + "]" for r in coded)
        names = ", ".join(quote_literal(r.variable) for r in coded)
        invalid = (
            f"list_filter(list_zip([{cells}], [{codes}], [{names}]), "
            "lambda z: z[1] IS NOT NULL AND NOT list_contains(z[2], z[1]))"
        )
        parts.append(
            f"list_transform({invalid}, lambda z: {{'variable': z[3], 'raw_value': z[1], "
            f"'rule': {quote_literal(CODE_NOT_IN_CODEBOOK)}}})"
        )
    if others:
        found = ", ".join(
            f"CASE WHEN {r.invalid_when} THEN {{'variable': {quote_literal(r.variable)}, "
            f"'raw_value': {r.raw_value}, 'rule': {quote_literal(r.rule)}}} END"
            for r in others
        )
        parts.append(f"list_filter([{found}], lambda cell: cell IS NOT NULL)")
    return parts[0] if len(parts) == 1 else f"list_concat({', '.join(parts)})"


def _counts(
    con: duckdb.DuckDBPyConnection, stage: str, survey: str, present: set[str]
) -> tuple[int, int, int]:
    """Rows, rows without consent, answered answer cells of consenting rows."""
    answers = [v.name for v in load_codebook(survey).variables if v.is_answer and v.name in present]
    answered = (
        " + ".join(f"CAST({quote_identifier(n)} IS NOT NULL AS INTEGER)" for n in answers) or "0"
    )
    rows, without_consent, answered_cells = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE consent IS DISTINCT FROM ?), "
        f"coalesce(sum({answered}) FILTER (WHERE consent = ?), 0) FROM {stage}",
        [CONSENT_YES, CONSENT_YES],
    ).fetchone()
    return int(rows), int(without_consent), int(answered_cells)


def _invalid_share_reason(invalid: int, answered: int, limits: QuarantineLimits) -> str | None:
    share = invalid / answered if answered else float(invalid > 0)
    if share <= limits.max_invalid_share:
        return None
    return f"{share * 100:.1f}% of answer cells invalid (limit {limits.max_invalid_share * 100:g}%)"


@dataclass(frozen=True)
class StagedVersion:
    table: str  # the stage table holding the cleaned cells
    invalid_table: str | None  # its invalid cells (respondent_id, variable, raw_value, rule)
    outcome: FileOutcome  # the version's own checks, computed from the stage

    @property
    def rows(self) -> int:
        return self.outcome.rows


class LandingFailed(UnreadableFile):
    """A database error landing did not foresee while checking a staged file; the file is
    registered as unreadable with the database's own words, and the run goes on."""


def database_cause(exc: duckdb.Error) -> str:
    return str(exc).strip().splitlines()[0][:160]


def stage_table(number: int) -> str:
    return f"{STAGE_DATABASE}.file_{number}"


def _invalid_table(stage: str) -> str:
    return f"{stage}_invalid"


def _checked(
    con: duckdb.DuckDBPyConnection,
    item: ReturnFile,
    stage: str,
    columns: _Columns,
    limits: QuarantineLimits,
) -> StagedVersion:
    """The file's own checks, read from its stage table (its invalid cells into a table
    beside it), so that landing it later only copies rows."""
    survey = item.slot.survey
    codebook = load_codebook(survey)
    present = set(columns.by_variable)
    reasons: list[str] = []
    missing = [name for name in REQUIRED_COLUMNS if name not in present]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        reasons.append(f"missing required {noun} {' and '.join(missing)}")
    if columns.repeated:
        reasons.append("column given more than once: " + ", ".join(columns.repeated))
    rows, without_consent, answered = _counts(con, stage, survey, present)

    invalid = 0
    invalid_table = None
    if "respondent_id" in present:
        reasons.extend(_respondent_reasons(con, stage, limits))
    if "consent" in present:
        invalid_table = _invalid_table(stage)
        compact = rows <= COMPACT_MAX_ROWS
        invalid = _stage_invalid_cells(con, stage, invalid_table, survey, present, compact)
        share_reason = _invalid_share_reason(invalid, answered, limits)
        if share_reason:
            reasons.append(share_reason)
    columns_present = [name for name in codebook.names if name in present]
    outcome = FileOutcome(rows, without_consent, invalid, columns_present, reasons)
    return StagedVersion(stage, invalid_table if invalid else None, outcome)


def drop_stage(con: duckdb.DuckDBPyConnection, read: StagedVersion | UnreadableFile) -> None:
    if isinstance(read, StagedVersion):
        con.execute(f"DROP TABLE IF EXISTS {read.table}")
        con.execute(f"DROP TABLE IF EXISTS {_invalid_table(read.table)}")


def read_version(
    con: duckdb.DuckDBPyConnection, item: ReturnFile, stage: str, limits: QuarantineLimits
) -> StagedVersion | UnreadableFile:
    """Read the file into the table `stage` of STAGE_DATABASE (cleaned cells) and check
    it; or say why it cannot be read.

    Call outside a transaction: row numbers come from the stage table's row ids, which
    only count from zero for a committed table. A file DuckDB cannot parse fails here,
    never inside the transaction that lands it with others.
    """
    try:
        with opened(con, item.path, item.file_format) as source:
            columns = _map_header(source.header, load_codebook(item.slot.survey).names)
            compact = item.path.stat().st_size <= COMPACT_MAX_BYTES
            select_list, relation = _stage_relation(item.slot.survey, columns, source, compact)
            create_table(con, stage, select_list, relation, temporary=False)
    except UnreadableFile as exc:
        return exc
    except OSError as exc:
        return UnreadableFile(exc.strerror or str(exc))
    try:
        return _checked(con, item, stage, columns, limits)
    except duckdb.Error as exc:
        return LandingFailed(database_cause(exc))


def land_new_version(
    con: duckdb.DuckDBPyConnection,
    item: ReturnFile,
    sha: str,
    read: StagedVersion | UnreadableFile,
    landed_at: dt.datetime,
) -> FileOutcome:
    """Insert the version's rows and invalid cells (from the stage read_version filled);
    the caller writes the registry and bookkeeping rows in the same transaction."""
    if isinstance(read, UnreadableFile):
        return FileOutcome(0, 0, 0, None, [f"file cannot be read: {read}"])
    survey = item.slot.survey
    codebook = load_codebook(survey)
    names = ", ".join(quote_identifier(n) for n in codebook.names)
    con.execute(
        f"INSERT INTO {survey_table(survey)} "
        f"SELECT ?, ?, {_ROW}, ?, ?, ?, {names}, extra_columns FROM {read.table}",
        [item.relative_path, sha, item.slot.wave, item.slot.org_code, landed_at],
    )
    if read.invalid_table:
        con.execute(
            f"INSERT INTO raw.invalid_cells SELECT ?, ?, * FROM {read.invalid_table}",
            [item.relative_path, sha],
        )
    return read.outcome


def record_checks(
    con: duckdb.DuckDBPyConnection, item: ReturnFile, sha: str, outcome: FileOutcome
) -> None:
    con.execute(
        f"INSERT INTO {FILE_CHECKS} VALUES (?, ?, ?, ?, ?)",
        [item.slot.wave, item.slot.org_code, item.slot.survey, sha, outcome.content_reason],
    )
