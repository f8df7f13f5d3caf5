"""Writing a national set of returns into a landing folder, organisation by
organisation and chunk by chunk, with a manifest of every file written."""

from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dagster_project.codebook import Codebook, load_codebook
from dagster_project.settings import SURVEYS
from dagster_project.synth import faults
from dagster_project.synth.comments import ThemeSample
from dagster_project.synth.config import SynthConfig
from dagster_project.synth.organisations import (
    UNKNOWN_ORG,
    Organisation,
    allocate_respondents,
    build_organisations,
)
from dagster_project.synth.respondents import SurveyGenerator
from dagster_project.synth.targets import OUTCOMES, wave_targets
from dagster_project.synth.writers import WRITERS

MANIFEST_NAME = "synth_manifest.json"
EXTRA_COLUMN = "local_team"  # a column some organisations add; not in the codebook

# Quarantine-worthy files: reason -> (survey, format). Reasons name the broken rule.
BAD_FILES = (
    ("unreadable", "carers", "xlsx"),
    ("missing_required_column", "carers", "csv"),
    ("repeated_respondent_id", "carers", "sav"),
    ("too_many_invalid_cells", "carers", "csv"),
    ("unknown_organisation", "holders", "csv"),
)


@dataclass
class FileRecord:
    path: str
    wave: int
    org_code: str
    survey: str
    file_format: str
    rows: int
    consenting_rows: int
    intended_status: str  # used | quarantined
    intended_reason: str | None
    answered_cells: int  # non-blank answer cells of consenting rows
    invalid_cells: int  # invalid cells of consenting rows (contract definition)
    columns: list[str] = field(default_factory=list)


def _log(message: str) -> None:
    print(f"poet synth: {message}", file=sys.stderr, flush=True)


PROGRESS_EVERY_SECONDS = 10.0
_last_progress = [time.monotonic()]


def _progress(message: str) -> None:
    """A progress line at most every PROGRESS_EVERY_SECONDS: a national set takes minutes."""
    now = time.monotonic()
    if now - _last_progress[0] >= PROGRESS_EVERY_SECONDS:
        _last_progress[0] = now
        _log(message)


def _text_columns(codebook: Codebook) -> set[str]:
    return {v.name for v in codebook.variables if v.type in ("text", "date")} | {EXTRA_COLUMN}


def _columns(codebook: Codebook, org: Organisation, rng: np.random.Generator) -> list[str]:
    columns = list(codebook.names)
    if org.shuffled_columns:
        columns = [columns[i] for i in rng.permutation(len(columns))]
    if org.extra_column:
        columns.append(EXTRA_COLUMN)
    return columns


class ReturnBuilder:
    """Rows of one survey in one wave: consenting rows from one generator (exact
    national quotas), rows without consent from another."""

    def __init__(
        self,
        survey: str,
        wave: int,
        config: SynthConfig,
        orgs: list[Organisation],
        sizes: list[int],
        org_drift: dict[str, float] | None = None,
    ):
        self.survey = survey
        self.wave = wave
        self.config = config
        self.codebook = load_codebook(survey)
        targets = wave_targets(survey, wave, config.drift_points())
        self.targets = targets
        self.consenting = SurveyGenerator(targets, config, wave, orgs, sizes, org_drift)
        self.others = SurveyGenerator(targets, config, wave, orgs, sizes, org_drift)
        self.non_consent_given = 0
        self.consent_given = 0

    def chunk(
        self,
        org: Organisation,
        n: int,
        rng: np.random.Generator,
        faulty: bool,
        invalid_share: float | None = None,
    ) -> tuple[dict[str, np.ndarray], faults.CellCounts]:
        a = self.config.assumptions
        rates = self.config.fault_rates
        self.consent_given += n
        extra = round(a.non_consent_share * self.consent_given) - self.non_consent_given
        self.non_consent_given += extra
        rows = self.consenting.respondents(org, n, rng)
        if extra > 0:
            others = self.others.respondents(org, extra, rng)
            blank = rng.random(extra) < a.non_consent_blank_share
            others["consent"] = np.where(blank, np.nan, 2.0)
            order = rng.permutation(n + extra)
            rows = {k: np.concatenate([rows[k], others[k]])[order] for k in rows}
        if faulty:
            faults.skip_multi_selects(rows, self.codebook, rates.multi_select_blank, rng)
            faults.blank_items(rows, self.codebook, rates.item_blank, rng)
        if org.ticks_blank:
            faults.export_ticks_blank(rows, self.codebook)
        if faulty:
            share = rates.invalid_cell if invalid_share is None else invalid_share
            counts = faults.make_invalid(rows, self.codebook, share, self.wave, rng)
        else:
            counts = faults.CellCounts(answered=faults.count_answered(rows, self.codebook))
        if org.extra_column:
            rows[EXTRA_COLUMN] = np.array(
                [f"Team {t}" for t in rng.integers(1, 6, size=len(rows["consent"]))], dtype=object
            )
        return rows, counts


def _ids(org_code: str, survey: str, wave: int, start: int, n: int) -> np.ndarray:
    prefix = f"{org_code}-{survey[0].upper()}{wave % 100:02d}-"
    return np.array([f"{prefix}{i:06d}" for i in range(start + 1, start + n + 1)], dtype=object)


def write_return(
    out: Path,
    builder: ReturnBuilder,
    org: Organisation,
    n: int,
    file_format: str,
    rng: np.random.Generator,
    org_code: str | None = None,
    faulty: bool = True,
    reason: str | None = None,
    theme_sample: ThemeSample | None = None,
) -> FileRecord:
    """Write one return of n consenting rows (plus rows without consent)."""
    config = builder.config
    code = org_code or org.code
    rel = f"{builder.wave}/{code}/{builder.survey}.{file_format}"
    columns = _columns(builder.codebook, org, rng)
    if reason == "missing_required_column":
        columns.remove("consent")
    writer = WRITERS[file_format](
        out / rel,
        columns,
        _text_columns(builder.codebook),
        builder.wave,
        bom=org.bom and file_format == "csv",
    )
    total = faults.CellCounts()
    consenting = 0
    written = 0
    for start in range(0, n, config.chunk_rows):
        invalid_share = (
            config.fault_rates.bad_file_invalid_share
            if reason == "too_many_invalid_cells"
            else None
        )
        rows, counts = builder.chunk(
            org, min(config.chunk_rows, n - start), rng, faulty, invalid_share
        )
        size = len(rows["consent"])
        rows["respondent_id"] = _ids(code, builder.survey, builder.wave, written, size)
        if reason == "repeated_respondent_id" and size > 2:
            rows["respondent_id"][size - 1] = rows["respondent_id"][0]
        if theme_sample is not None:
            theme_sample.add(builder.survey, code, rows)
        consenting += int((rows["consent"] == 1).sum())
        total += counts
        written += size
        writer.write(rows)
    writer.close()
    if reason == "missing_required_column":
        # without a consent column no row has consented, so no cell is checked
        consenting = 0
        total = faults.CellCounts()
    if reason == "unreadable":
        data = (out / rel).read_bytes()
        (out / rel).write_bytes(data[: len(data) // 3])  # a truncated upload
    return FileRecord(
        path=rel,
        wave=builder.wave,
        org_code=code,
        survey=builder.survey,
        file_format=file_format,
        rows=written,
        consenting_rows=consenting,
        intended_status="quarantined" if reason else "used",
        intended_reason=reason,
        answered_cells=total.answered,
        invalid_cells=total.invalid,
        columns=columns,
    )


def _write_organisations(out: Path, orgs: list[Organisation]) -> None:
    with (out / "organisations.csv").open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(["org_code", "org_name", "org_type", "region"])
        for org in orgs:
            w.writerow([org.code, org.name, org.org_type, org.region])


def _bad_files(
    out: Path, config: SynthConfig, wave: int, orgs: list[Organisation]
) -> list[FileRecord]:
    """Extra files in slots without a good file, so used totals stay as asked."""
    free_carer_slots = [o for o in orgs if not o.sends_carers]
    records = []
    for k, (reason, survey, file_format) in enumerate(BAD_FILES):
        rng = np.random.default_rng([config.seed, wave, 99, k])
        if reason == "unknown_organisation":
            org, code = orgs[0], UNKNOWN_ORG
        else:
            org, code = free_carer_slots.pop(0), None
        # rows from a throwaway builder: the national quotas of used files stay exact
        sizes = [config.fault_rates.bad_file_rows] * len(orgs)
        builder = ReturnBuilder(survey, wave, config, orgs, sizes)
        records.append(
            write_return(
                out,
                builder,
                org,
                config.fault_rates.bad_file_rows,
                file_format,
                rng,
                org_code=code,
                reason=reason,
            )
        )
    return records


def org_drift_of(config: SynthConfig, orgs: list[Organisation]) -> dict[str, float]:
    """org_code -> logit change per year: as given, or by default the largest councils,
    alternately improving and declining (docs/synth.md, "Change between waves")."""
    known = {o.code for o in orgs}
    if config.org_drift is not None:
        unknown = sorted(set(dict(config.org_drift)) - known)
        if unknown:
            raise ValueError(f"--org-drift names unknown organisations {unknown}")
        return dict(config.org_drift)
    a = config.assumptions
    councils = sorted((o for o in orgs if o.org_type == "council"), key=lambda o: -o.size)
    return {
        o.code: a.org_drift_logit * (1 if k % 2 == 0 else -1)
        for k, o in enumerate(councils[: a.org_drift_councils])
    }


def _planted(builder: ReturnBuilder) -> dict:
    """What the wave is meant to show: national and true organisation positive shares
    (percent) per outcome id, before the organisations' sampling noise."""
    ids = OUTCOMES[builder.survey]
    truth: dict[str, dict[str, float]] = {}
    for (org_code, variable), share in builder.consenting.org_truth.items():
        truth.setdefault(org_code, {})[ids[variable]] = round(100.0 * share, 4)
    return {
        "national": {o.outcome_id: round(100.0 * o.positive, 4) for o in builder.targets.outcomes},
        "organisations": truth,
    }


def _clear_previous(out: Path) -> None:
    """Remove what an earlier `poet synth` wrote here (a stale file in another format
    would make two files for one slot); refuse a folder synth did not write."""
    if not out.exists() or not any(out.iterdir()):
        return
    manifest = out / MANIFEST_NAME
    if not manifest.exists():
        raise FileExistsError(
            f"{out} is not empty and holds no {MANIFEST_NAME}: it was not written by "
            "'poet synth'; choose an empty or new folder"
        )
    previous = json.loads(manifest.read_text(encoding="utf-8"))
    for record in previous.get("files", []):
        (out / record["path"]).unlink(missing_ok=True)
    for path in previous.get("theme_codes", []):
        (out / path).unlink(missing_ok=True)
    (out / "organisations.csv").unlink(missing_ok=True)
    manifest.unlink()


def generate(out: Path, config: SynthConfig) -> dict:
    config.validate()
    started = time.monotonic()
    _clear_previous(out)
    out.mkdir(parents=True, exist_ok=True)
    orgs = build_organisations(config)
    org_drift = org_drift_of(config, orgs)
    _write_organisations(out, orgs)
    records: list[FileRecord] = []
    planted: dict[str, dict] = {}
    theme_codes: list[str] = []
    for wave in config.waves:
        theme_sample = ThemeSample()
        for s, survey in enumerate(SURVEYS):
            senders = [o for o in orgs if survey == "holders" or o.sends_carers]
            total = config.holders if survey == "holders" else config.carers
            sizes = allocate_respondents(
                total, [o.size for o in senders], config.assumptions.min_rows_per_org
            )
            builder = ReturnBuilder(survey, wave, config, senders, sizes, org_drift)
            planted[f"{wave}/{survey}"] = _planted(builder)
            for org, n in zip(senders, sizes, strict=True):
                if n == 0:
                    continue
                rng = np.random.default_rng([config.seed, wave, s + 1, org.index])
                record = write_return(
                    out,
                    builder,
                    org,
                    n,
                    org.file_format,
                    rng,
                    faulty=config.faults,
                    theme_sample=theme_sample,
                )
                records.append(record)
                _progress(
                    f"{len(records)} returns written so far, latest {record.path} "
                    f"({record.rows} rows)"
                )
        if config.faults:
            records.extend(_bad_files(out, config, wave, orgs))
        sample_path = theme_sample.write(out, wave)
        if sample_path:
            theme_codes.append(sample_path)
            _log(f"wrote {sample_path} ({len(theme_sample.rows)} hand-coded theme rows)")
    manifest = {
        "seed": config.seed,
        "waves": list(config.waves),
        "faults": config.faults,
        "organisations": len(orgs),
        "used_consenting": {
            f"{wave}/{survey}": sum(
                r.consenting_rows
                for r in records
                if r.wave == wave and r.survey == survey and r.intended_status == "used"
            )
            for wave in config.waves
            for survey in SURVEYS
        },
        "files": [asdict(r) for r in records],
        # change between waves: the assumed drift and what each wave is meant to show
        "drift_points_per_year": config.drift_points(),
        "org_drift_logit_per_year": org_drift,
        "planted": planted,
        "theme_codes": theme_codes,
    }
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    _log(f"{len(records)} files in {out} in {time.monotonic() - started:.1f}s")
    return manifest
