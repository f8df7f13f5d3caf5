"""Hand-coded theme samples: `<landing>/<wave>/theme_codes.csv` into the raw layer.

Contract README, "Hand-coded themes": columns `survey,org_code,respondent_id,question,
theme_id`, one row per comment and theme (a comment coded with no theme has one row with
`theme_id` blank). A sample is landed like a return: each content version (sha256) once,
kept in `raw.theme_codes` with its registry row in `raw.theme_code_files`; the version
present in the folder is `used` when every check passes and `quarantined` with every
reason otherwise; earlier versions of the wave are `superseded`; a wave with no file
present keeps its statuses. The checks are made again on every run, because "names a
comment that was not landed" depends on the returns landed since.

A sample is only ever used to measure agreement (`marts.theme_agreement`); it never
changes a published theme share.
"""

# No `from __future__ import annotations`: Dagster reads the context annotation at
# definition time.

import csv
import datetime as dt
import io
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from dagster_project.landing.layout import THEME_CODES_FILE, sha256_of
from dagster_project.settings import SURVEYS
from dagster_project.settings_resource import SettingsResource
from dagster_project.themes.rules import load_themes
from dagster_project.warehouse import WarehouseResource

REQUIRED_COLUMNS = ("survey", "org_code", "respondent_id", "question", "theme_id")
QUESTIONS = ("worked_well", "not_worked", "change")
USED, SUPERSEDED, QUARANTINED = "used", "superseded", "quarantined"
_WAVE = re.compile(r"[0-9]{4}")
_LOGGER = logging.getLogger(__name__)

CREATE_TABLES = (
    "CREATE SCHEMA IF NOT EXISTS raw",
    """CREATE TABLE IF NOT EXISTS raw.theme_code_files (
        source_path VARCHAR, source_sha256 VARCHAR, wave INTEGER, landed_at TIMESTAMP,
        status VARCHAR, reason VARCHAR, rows INTEGER, columns_present VARCHAR[],
        read_error VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS raw.theme_codes (
        source_path VARCHAR, source_sha256 VARCHAR, source_row INTEGER, wave INTEGER,
        survey VARCHAR, org_code VARCHAR, respondent_id VARCHAR, question VARCHAR,
        theme_id VARCHAR, landed_at TIMESTAMP)""",
)


@dataclass(frozen=True)
class SampleFile:
    wave: int
    path: Path
    relative_path: str


@dataclass
class ThemeCodesReport:
    found: int = 0
    landed: int = 0
    unchanged: int = 0
    statuses: dict[str, tuple[str, str | None]] = field(
        default_factory=dict
    )  # path -> status, reason


def find_samples(root: Path) -> list[SampleFile]:
    """Every `<wave>/theme_codes.csv` directly under the landing folder, by wave."""
    samples = []
    if not root.is_dir():
        return samples
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            candidate = Path(entry.path) / THEME_CODES_FILE
            if entry.is_dir() and _WAVE.fullmatch(entry.name) and candidate.is_file():
                samples.append(
                    SampleFile(int(entry.name), candidate, f"{entry.name}/{THEME_CODES_FILE}")
                )
    return samples


class UnreadableSample(ValueError):
    pass


def read_sample(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header (lower case, trimmed) and rows (trimmed text) of a sample file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableSample("cannot be read: not UTF-8 text") from None
    except OSError as exc:
        raise UnreadableSample(f"cannot be read: {exc.strerror or exc}") from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if not header:
            raise UnreadableSample("cannot be read: no header row")
        columns = [c.strip().lower() for c in header]
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append(
                {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
            )
    except csv.Error as exc:
        raise UnreadableSample(f"cannot be read as CSV: {exc}") from None
    return columns, rows


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in CREATE_TABLES:
        con.execute(statement)


def _store_version(
    con: duckdb.DuckDBPyConnection, sample: SampleFile, sha: str, landed_at: dt.datetime, log
) -> None:
    try:
        columns, rows = read_sample(sample.path)
        reason = None
    except UnreadableSample as exc:
        columns, rows, reason = [], [], str(exc)
    frame = pd.DataFrame(
        [
            {
                "source_path": sample.relative_path,
                "source_sha256": sha,
                "source_row": number,
                "wave": sample.wave,
                **{c: (row.get(c) or None) for c in REQUIRED_COLUMNS},
                "landed_at": landed_at,
            }
            for number, row in enumerate(rows, start=1)
        ],
        columns=[
            "source_path",
            "source_sha256",
            "source_row",
            "wave",
            *REQUIRED_COLUMNS,
            "landed_at",
        ],
    )
    con.execute("BEGIN TRANSACTION")
    try:
        if len(frame):
            con.register("theme_codes_frame", frame)
            con.execute("INSERT INTO raw.theme_codes SELECT * FROM theme_codes_frame")
            con.unregister("theme_codes_frame")
        con.execute(
            "INSERT INTO raw.theme_code_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sample.relative_path, sha, sample.wave, landed_at, QUARANTINED,
                reason or "landing stopped before this version's status was decided",
                len(rows), [c for c in columns if c in REQUIRED_COLUMNS], reason,
            ],
        )  # fmt: skip
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    log.info(f"landed {sample.relative_path}: {len(rows)} rows")


def _count_reason(rows: list[tuple], what: str) -> str | None:
    """'3 rows <what> (first: row 7, carers home)'; a leading 'name' agrees in number."""
    if not rows:
        return None
    first = rows[0]
    noun = "row" if len(rows) == 1 else "rows"
    if len(rows) == 1:
        what = re.sub(r"^name ", "names ", what)
    return (
        f"{len(rows)} {noun} {what} (first: row {first[0]}, {' '.join(str(v) for v in first[1:])})"
    )


def content_reasons(con: duckdb.DuckDBPyConnection, path: str, sha: str) -> list[str]:
    """Why the version cannot be used, in words a person can act on ([] when it can)."""
    columns, unreadable = con.execute(
        "SELECT columns_present, read_error "
        "FROM raw.theme_code_files WHERE source_path = ? AND source_sha256 = ?",
        [path, sha],
    ).fetchall()[0]
    if unreadable:
        return [unreadable]
    missing = [c for c in REQUIRED_COLUMNS if c not in (columns or [])]
    if missing:
        return [f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"]
    themes = pd.DataFrame(
        [(t.survey, t.theme_id) for t in load_themes()], columns=["survey", "theme_id"]
    )
    con.register("theme_catalogue", themes)
    try:
        version = "FROM raw.theme_codes WHERE source_path = ? AND source_sha256 = ?"
        checks = [
            (
                f"SELECT source_row, survey {version} AND (survey IS NULL OR survey NOT IN "
                f"({', '.join(repr(s) for s in SURVEYS)})) ORDER BY source_row",
                "with a survey that is not holders or carers",
            ),
            (
                f"SELECT source_row, question {version} AND (question IS NULL OR question NOT IN "
                f"({', '.join(repr(q) for q in QUESTIONS)})) ORDER BY source_row",
                "with a question that is not worked_well, not_worked or change",
            ),
            (
                f"""SELECT source_row, survey, theme_id {version} AND theme_id IS NOT NULL
                    AND survey IN ({", ".join(repr(s) for s in SURVEYS)})
                    AND (survey, theme_id) NOT IN (SELECT (survey, theme_id) FROM theme_catalogue)
                    ORDER BY source_row""",
                "with a theme id unknown for its survey",
            ),
        ]
        reasons = []
        for sql, what in checks:
            reason = _count_reason(con.execute(sql, [path, sha]).fetchall(), what)
            if reason:
                reasons.append(reason)
        reason = _count_reason(_not_landed(con, path, sha), "name a comment that was not landed")
        if reason:
            reasons.append(reason)
        return reasons
    finally:
        con.unregister("theme_catalogue")


def _raw_table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?",
            [table],
        ).fetchall()[0][0]
    )


def _not_landed(con: duckdb.DuckDBPyConnection, path: str, sha: str) -> list[tuple]:
    """Rows naming a comment absent from the used returns: no such respondent with
    consent in the used file of (wave, org_code, survey), or a blank comment there.
    Each survey's raw table is read once, joined to the sample's few rows."""
    sample = f"""SELECT source_row, wave, org_code, survey, respondent_id, question
        FROM raw.theme_codes
        WHERE source_path = $path AND source_sha256 = $sha
          AND survey IN ({", ".join(repr(x) for x in SURVEYS)})
          AND question IN ({", ".join(repr(q) for q in QUESTIONS)})"""
    landed_parts = []
    if _raw_table_exists(con, "file_registry"):
        for survey in SURVEYS:
            if not _raw_table_exists(con, survey):
                continue
            comment = " ".join(f"WHEN '{q}' THEN r.comment_{q}" for q in QUESTIONS)
            landed_parts.append(
                f"""SELECT s.source_row
                    FROM sample s
                    JOIN raw.{survey} r ON r.wave = s.wave AND r.org_code = s.org_code
                     AND trim(r.respondent_id) = s.respondent_id
                    JOIN raw.file_registry f
                      ON f.source_path = r.source_path AND f.source_sha256 = r.source_sha256
                    WHERE s.survey = '{survey}' AND f.status = 'used' AND trim(r.consent) = '1'
                      AND nullif(trim(CASE s.question {comment} END), '') IS NOT NULL"""
            )
    landed = " UNION ALL ".join(landed_parts) or "SELECT NULL::BIGINT AS source_row WHERE false"
    return con.execute(
        f"""WITH sample AS ({sample}), landed AS ({landed})
            SELECT s.source_row, s.org_code, s.survey, s.respondent_id, s.question
            FROM sample s
            WHERE NOT EXISTS (SELECT 1 FROM landed l WHERE l.source_row = s.source_row)
            ORDER BY s.source_row""",
        {"path": path, "sha": sha},
    ).fetchall()


def _apply_statuses(con: duckdb.DuckDBPyConnection, present: dict[int, tuple[str, str]]) -> None:
    """The present version of each wave is used or quarantined, the wave's others superseded."""
    versions = con.execute(
        "SELECT source_path, source_sha256, wave FROM raw.theme_code_files"
    ).fetchall()
    con.execute("BEGIN TRANSACTION")
    try:
        for path, sha, wave in versions:
            if wave not in present:
                continue
            if (path, sha) == present[wave]:
                reasons = content_reasons(con, path, sha)
                status, reason = (QUARANTINED, "; ".join(reasons)) if reasons else (USED, None)
            else:
                status, reason = SUPERSEDED, f"superseded by the current {present[wave][0]}"
            con.execute(
                "UPDATE raw.theme_code_files SET status = ?, reason = ? "
                "WHERE source_path = ? AND source_sha256 = ?",
                [status, reason, path, sha],
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def land_theme_codes(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, log: logging.Logger = _LOGGER
) -> ThemeCodesReport:
    """Land every hand-coded sample of the folder; run after the returns are landed."""
    ensure_tables(con)
    report = ThemeCodesReport()
    known = {
        tuple(r)
        for r in con.execute(
            "SELECT source_path, source_sha256 FROM raw.theme_code_files"
        ).fetchall()
    }
    landed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    present: dict[int, tuple[str, str]] = {}
    for sample in find_samples(landing_dir):
        report.found += 1
        try:
            sha = sha256_of(sample.path)
        except OSError as exc:
            log.error(f"{sample.relative_path}: file cannot be read: {exc.strerror or exc}")
            continue
        present[sample.wave] = (sample.relative_path, sha)
        if (sample.relative_path, sha) in known:
            report.unchanged += 1
            continue
        _store_version(con, sample, sha, landed_at, log)
        report.landed += 1
    _apply_statuses(con, present)
    for path, sha, status, reason in con.execute(
        "SELECT source_path, source_sha256, status, reason FROM raw.theme_code_files ORDER BY source_path"
    ).fetchall():
        if (path, sha) in present.values():
            report.statuses[path] = (status, reason)
            if status == QUARANTINED:
                log.warning(f"quarantined {path}: {reason}")
    return report


THEME_CODE_TABLES = ("theme_codes", "theme_code_files")
RETURNS = [dg.AssetKey(["raw", t]) for t in ("holders", "carers", "file_registry")]


@dg.multi_asset(
    name="land_theme_codes",
    group_name="landing",
    specs=[
        dg.AssetSpec(
            ["raw", "theme_codes"],
            deps=RETURNS,
            description="Every row of every hand-coded theme sample (<wave>/theme_codes.csv) landed.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["raw", "theme_code_files"],
            deps=RETURNS,
            description="One row per hand-coded sample version: status (used, superseded, quarantined), reason.",
            kinds={"duckdb"},
        ),
    ],
)
def land_theme_codes_asset(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
):
    """Land the hand-coded theme samples after the returns (docs/themes.md)."""
    landing_dir = Path(settings.landing_dir)
    with warehouse.connect() as con:
        report = land_theme_codes(con, landing_dir, log=context.log)
        context.log.info(
            f"theme samples: {report.found} found, {report.landed} landed, {report.unchanged} unchanged"
        )
        for table in THEME_CODE_TABLES:
            rows = con.execute(f"SELECT count(*) FROM raw.{table}").fetchall()[0][0]
            yield dg.MaterializeResult(
                asset_key=["raw", table],
                metadata={
                    "dagster/row_count": dg.MetadataValue.int(int(rows)),
                    "samples": dg.MetadataValue.md(
                        "\n".join(
                            f"- `{p}`: {s}{f' ({r})' if r else ''}"
                            for p, (s, r) in report.statuses.items()
                        )
                        or "none"
                    ),
                },
            )
