"""A small raw layer built by hand, exactly as docs/ARCHITECTURE.md "The raw layer" defines it.

The landing stage writes these tables for real; the transform tests build them here so
every expected value can be worked out from the rows below. Bulk rows come from a seeded
generator; the named rows (`SPECIAL_HOLDERS`) carry the borderline cases the tests check.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.codebook import load_codebook

LANDED_AT = datetime(2026, 1, 5, 9, 30)


@dataclass
class FixtureFile:
    """One landed file version and its delivered rows (cells as text, None = blank)."""

    wave: int
    org_code: str
    survey: str
    file_format: str
    status: str
    rows: list[dict[str, str | None]]
    columns_present: list[str]
    reason: str | None = None
    invalid: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    version: str = "v1"

    @property
    def source_path(self) -> str:
        return f"{self.wave}/{self.org_code}/{self.survey}.{self.file_format}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.source_path}:{self.version}".encode()).hexdigest()

    @property
    def consenting(self) -> list[dict[str, str | None]]:
        return [r for r in self.rows if (r.get("consent") or "").strip() == "1"]


def _random_row(survey: str, rng: random.Random, respondent_id: str) -> dict[str, str | None]:
    row: dict[str, str | None] = {}
    book = load_codebook(survey)
    for variable in book.variables:
        if variable.name == "respondent_id":
            row[variable.name] = respondent_id
        elif variable.name == "consent":
            row[variable.name] = "1"
        elif variable.type in ("code", "tick"):
            codes = list(variable.codes)
            # About one cell in ten blank, so NULL handling is exercised everywhere.
            row[variable.name] = None if rng.random() < 0.1 else str(rng.choice(codes))
        elif variable.type == "number":
            row[variable.name] = (
                None if rng.random() < 0.2 else str(rng.choice([35, 180, 250, 600, 1200, 4000]))
            )
        elif variable.type == "date":
            row[variable.name] = f"2014-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        else:
            row[variable.name] = rng.choice(
                [None, "It worked well", "Mrs Smith called me on 07700 900123"]
            )
    if survey == "holders" and row.get("amount_gbp") and not row.get("amount_period"):
        row["amount_period"] = "1"
    if survey == "carers" and row.get("amount_gbp") and not row.get("amount_period"):
        row["amount_period"] = "3"
    return row


def _blank_row(survey: str, respondent_id: str) -> dict[str, str | None]:
    row: dict[str, str | None] = dict.fromkeys(load_codebook(survey).names)
    row.update(respondent_id=respondent_id, consent="1")
    return row


def _special_holders() -> list[dict[str, str | None]]:
    """Hand-made rows of LA01 2014 holders with the values the recode tests check."""
    process = load_codebook("holders").names
    process_items = [n for n in process if n.startswith("process_")]
    rows = []

    # S1: process mean exactly 2.5 over four items -> 0; all plan_help blank -> NULL;
    # amount with a blank period -> knows 1, no weekly amount.
    s1 = _blank_row("holders", "S1")
    s1.update(
        dict(zip(process_items, ["2", "3", "2", "3", "8", None, None, None, None], strict=True))
    )
    s1.update(
        amount_gbp="150",
        amount_period=None,
        spend_equipment="1",
        comment_worked_well="Dr. Jane Smith rang 0113 496 0000, email jo@example.org, NHS 943 476 5919, LS1 4DY",
    )
    rows.append(s1)

    # S2: two items only -> NULL; one plan_help ticked -> others 0; per month amount.
    s2 = _blank_row("holders", "S2")
    s2.update(
        process_info="1",
        process_choose="2",
        plan_help_council="1",
        amount_gbp="520",
        amount_period="3",
        gender="7",
    )
    rows.append(s2)

    # S3: mean 2.0 -> 1; invalid amount -> knows 0; per four weeks.
    s3 = _blank_row("holders", "S3")
    s3.update(
        process_info="1",
        process_choose="2",
        process_change="3",
        amount_gbp="-40",
        amount_period="2",
        management="6",
        main_reason="8",
        out_dignity="8",
    )
    rows.append(s3)

    # S4: one-off payment; explicit 0 ticks only.
    s4 = _blank_row("holders", "S4")
    s4.update(amount_gbp="2000", amount_period="5", plan_help_family="0", out_dignity="4")
    rows.append(s4)
    return rows


def fixture_files() -> list[FixtureFile]:
    rng = random.Random(20140)
    holders_names = list(load_codebook("holders").names)
    carers_names = list(load_codebook("carers").names)

    la01 = [_random_row("holders", rng, f"H{i:03d}") for i in range(40)] + _special_holders()
    la01.append({**_random_row("holders", rng, "NC1"), "consent": "2"})
    la01.append({**_random_row("holders", rng, "NC2"), "consent": None})

    # LA02 did not ask plan_help_nhs, amount_gbp/amount_period, nor any spend item.
    absent = {
        "plan_help_nhs",
        "amount_gbp",
        "amount_period",
        "spend_care_support",
        "spend_community_leisure",
        "spend_personal_assistant",
        "spend_equipment",
    }
    la02_columns = [n for n in holders_names if n not in absent]
    la02 = []
    for i in range(6):
        row = _random_row("holders", rng, f"B{i}")
        la02.append({k: (None if k in absent else v) for k, v in row.items()})
    la02[0].update(
        plan_help_family=None,
        plan_help_council=None,
        plan_help_independent=None,
        plan_help_provider=None,
        plan_help_none=None,
    )  # all present items blank
    la02[1].update(
        plan_help_family="1",
        plan_help_council=None,
        plan_help_independent=None,
        plan_help_provider=None,
        plan_help_none=None,
    )

    return [
        FixtureFile(
            2014,
            "LA01",
            "holders",
            "csv",
            "superseded",
            [_random_row("holders", rng, f"OLD{i}") for i in range(5)],
            holders_names,
            reason="superseded by a newer version",
            version="v0",
        ),
        FixtureFile(
            2014,
            "LA01",
            "holders",
            "csv",
            "used",
            la01,
            holders_names,
            invalid=[
                ("S2", "gender", "7", "code not in codebook"),
                ("S1", "amount_period", "", "blank amount_period beside a valid amount"),
                ("S3", "amount_gbp", "-40", "amount not a positive number"),
            ],
        ),
        FixtureFile(2014, "LA02", "holders", "xlsx", "used", la02, la02_columns),
        FixtureFile(
            2014,
            "LA99",
            "holders",
            "csv",
            "quarantined",
            [_random_row("holders", rng, f"Q{i}") for i in range(3)],
            holders_names,
            reason="unknown organisation LA99",
        ),
        FixtureFile(
            2015,
            "LA01",
            "holders",
            "sav",
            "used",
            [_random_row("holders", rng, f"W{i}") for i in range(15)],
            holders_names,
        ),
        FixtureFile(
            2014,
            "LA01",
            "carers",
            "csv",
            "used",
            [_random_row("carers", rng, f"C{i:02d}") for i in range(25)],
            carers_names,
        ),
        FixtureFile(
            2014,
            "NHS1",
            "carers",
            "csv",
            "used",
            [_random_row("carers", rng, f"D{i}") for i in range(4)],
            carers_names,
        ),
    ]


ORGANISATIONS = [
    ("LA01", " Leeds City Council ", "council", "Yorkshire"),
    ("LA02", "Kirklees Council", "council", "Yorkshire"),
    ("NHS1", "West Yorkshire ICB", "nhs", "Yorkshire"),
    ("LA03", "Wakefield Council", "council", "Yorkshire"),
]


def build_raw_warehouse(path: Path, files: list[FixtureFile] | None = None) -> list[FixtureFile]:
    files = files if files is not None else fixture_files()
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        con.execute(
            "create or replace table raw.organisations (org_code varchar, org_name varchar, "
            "org_type varchar, region varchar, source_sha256 varchar, landed_at timestamp, "
            "source_line integer, status varchar, note varchar)"
        )
        con.executemany(
            "insert into raw.organisations values (?, ?, ?, ?, 'orgsha', ?, ?, 'listed', null)",
            [(*org, LANDED_AT, line) for line, org in enumerate(ORGANISATIONS, start=2)],
        )
        for survey in ("holders", "carers"):
            names = load_codebook(survey).names
            cells = ", ".join(f"{n} varchar" for n in names)
            con.execute(
                f"create or replace table raw.{survey} (source_path varchar, source_sha256 varchar, "
                f"source_row integer, wave integer, org_code varchar, landed_at timestamp, {cells}, "
                "extra_columns json)"
            )
            for f in (f for f in files if f.survey == survey):
                con.executemany(
                    f"insert into raw.{survey} values ({', '.join('?' * (len(names) + 7))})",
                    [
                        (
                            f.source_path,
                            f.sha256,
                            i,
                            f.wave,
                            f.org_code,
                            LANDED_AT,
                            *[row.get(n) for n in names],
                            json.dumps({"note": "x"}) if i == 1 else None,
                        )
                        for i, row in enumerate(f.rows, start=1)
                    ],
                )
        con.execute(
            "create or replace table raw.file_registry (source_path varchar, source_sha256 varchar, "
            "wave integer, org_code varchar, survey varchar, file_format varchar, landed_at timestamp, "
            "status varchar, reason varchar, rows integer, rows_used integer, "
            "rows_without_consent integer, invalid_cells integer, columns_present varchar[])"
        )
        con.execute(
            "create or replace table raw.invalid_cells (source_path varchar, source_sha256 varchar, "
            "respondent_id varchar, variable varchar, raw_value varchar, rule varchar)"
        )
        for f in files:
            used = len(f.consenting) if f.status == "used" else 0
            con.execute(
                "insert into raw.file_registry values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    f.source_path,
                    f.sha256,
                    f.wave,
                    f.org_code,
                    f.survey,
                    f.file_format,
                    LANDED_AT,
                    f.status,
                    f.reason,
                    len(f.rows),
                    used,
                    len(f.rows) - len(f.consenting),
                    len(f.invalid),
                    f.columns_present,
                ],
            )
            for cell in f.invalid:
                con.execute(
                    "insert into raw.invalid_cells values (?, ?, ?, ?, ?, ?)",
                    [f.source_path, f.sha256, *cell],
                )
    finally:
        con.close()
    return files
