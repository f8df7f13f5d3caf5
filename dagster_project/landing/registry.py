"""raw.file_registry: one row per file version, and the statuses derived from the folder.

A version's status is a function of what is in the landing folder now, the version's
own checks (landing_meta.file_checks) and organisations.csv:
- the one file present for a slot is `used` when it passes every check, else
  `quarantined` with every reason;
- two or more files present for one slot are all `quarantined`, naming each other;
- every other version of a slot that has a file present is `superseded`;
- a slot with no file present keeps its statuses (removing a landed file from the
  folder withdraws nothing: the folder is an inbox, not the archive), except that the
  organisation list applies to it too: its `used` version is `quarantined` while its
  organisation is not listed, and used again once it is (otherwise staging would hold
  rows of an organisation the list does not have, and a gate would be the first to say).
Landing the same folder twice therefore changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from dagster_project.landing.land_file import FileOutcome
from dagster_project.landing.layout import ReturnFile, Slot
from dagster_project.landing.schema import FILE_CHECKS

USED, SUPERSEDED, QUARANTINED = "used", "superseded", "quarantined"
_PENDING_REASON = "landing stopped before this version's status was decided"


@dataclass(frozen=True)
class PresentFile:
    item: ReturnFile
    sha: str


def known_versions(con: duckdb.DuckDBPyConnection) -> set[tuple[Slot, str]]:
    rows = con.execute(
        "SELECT wave, org_code, survey, source_sha256 FROM raw.file_registry"
    ).fetchall()
    return {(Slot(w, o, s), sha) for w, o, s, sha in rows}


def insert_version(
    con: duckdb.DuckDBPyConnection,
    present: PresentFile,
    landed_at: dt.datetime,
    outcome: FileOutcome,
) -> None:
    item = present.item
    con.execute(
        "INSERT INTO raw.file_registry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
        [
            item.relative_path,
            present.sha,
            item.slot.wave,
            item.slot.org_code,
            item.slot.survey,
            item.file_format,
            landed_at,
            QUARANTINED,
            _PENDING_REASON,
            outcome.rows,
            outcome.rows_without_consent,
            outcome.invalid_cells,
            outcome.columns_present,
        ],
    )


_UNKNOWN = "unknown organisation "
_LEFT_OUT = "organisation {code} left out of organisations.csv"


def _organisation_reason(
    org_code: str, organisations: set[str], left_out: dict[str, str] | None = None
) -> str | None:
    if org_code in organisations:
        return None
    if left_out and org_code in left_out:
        return f"{_LEFT_OUT.format(code=org_code)} ({left_out[org_code]})"
    hint = "" if organisations else " (no organisations.csv has been landed)"
    return f"{_UNKNOWN}{org_code}{hint}"


def _only_organisation_reason(org_code: str, reason: str | None) -> bool:
    return reason is not None and (
        reason.startswith(_UNKNOWN) or reason.startswith(_LEFT_OUT.format(code=org_code))
    )


def _absent_slot_statuses(
    by_slot: dict[Slot, list[tuple]],
    slots: dict[Slot, list[PresentFile]],
    organisations: set[str],
    left_out: dict[str, str] | None,
) -> list[dict]:
    """Slots with no file present: only the organisation list changes their statuses."""
    desired = []
    for slot, versions in by_slot.items():
        if slot in slots:
            continue
        org_reason = _organisation_reason(slot.org_code, organisations, left_out)
        for sha, rows, without_consent, content_reason, status, reason in versions:
            if status == USED and org_reason:
                status, reason = QUARANTINED, org_reason
            elif (
                status == QUARANTINED
                and content_reason is None
                and (_only_organisation_reason(slot.org_code, reason))
            ):
                status, reason = (QUARANTINED, org_reason) if org_reason else (USED, None)
            else:
                continue
            desired.append(_status_row(slot, sha, status, reason, rows - without_consent))
    return desired


def _status_row(
    slot: Slot, sha: str, status: str, reason: str | None, consenting_rows: int
) -> dict[str, object]:
    """One version's derived status, as `apply_statuses` writes it to the registry."""
    return {
        "wave": slot.wave,
        "org_code": slot.org_code,
        "survey": slot.survey,
        "source_sha256": sha,
        "status": status,
        "reason": reason,
        "rows_used": consenting_rows if status == USED else 0,
    }


def _desired_statuses(
    con: duckdb.DuckDBPyConnection,
    slots: dict[Slot, list[PresentFile]],
    organisations: set[str],
    left_out: dict[str, str] | None = None,
) -> pd.DataFrame:
    versions = con.execute(
        f"""SELECT r.wave, r.org_code, r.survey, r.source_sha256, r.rows, r.rows_without_consent,
                   c.content_reason, r.status, r.reason
            FROM raw.file_registry r
            LEFT JOIN {FILE_CHECKS} c USING (wave, org_code, survey, source_sha256)"""
    ).fetchall()
    by_slot: dict[Slot, list[tuple]] = {}
    for wave, org, survey, *version in versions:
        by_slot.setdefault(Slot(wave, org, survey), []).append(tuple(version))

    desired = _absent_slot_statuses(by_slot, slots, organisations, left_out)
    for slot, present in slots.items():
        present_shas = {p.sha for p in present}
        paths = sorted(p.item.relative_path for p in present)
        for sha, rows, without_consent, content_reason, _status, _reason in by_slot.get(slot, []):
            if sha not in present_shas:
                status, reason = SUPERSEDED, f"superseded by the current {' and '.join(paths)}"
            else:
                reasons = []
                if len(present) > 1:
                    reasons.append(
                        f"two files for one slot: {' and '.join(paths)} (remove all but one)"
                    )
                org_reason = _organisation_reason(slot.org_code, organisations, left_out)
                reasons += [r for r in (org_reason, content_reason) if r]
                status = QUARANTINED if reasons else USED
                reason = "; ".join(reasons) or None
            desired.append(_status_row(slot, sha, status, reason, rows - without_consent))
    return pd.DataFrame(
        desired,
        columns=["wave", "org_code", "survey", "source_sha256", "status", "reason", "rows_used"],
    )


def apply_statuses(
    con: duckdb.DuckDBPyConnection,
    slots: dict[Slot, list[PresentFile]],
    organisations: set[str],
    left_out: dict[str, str] | None = None,
) -> int:
    """Bring the statuses of every slot with a file present up to date, and the organisation
    rule of every other slot; return how many registry rows changed. `left_out` gives, for
    an organisation only on lines of organisations.csv that were left out, why."""
    desired = _desired_statuses(con, slots, organisations, left_out)
    if desired.empty:
        return 0
    con.register("landing_desired", desired)
    try:
        changed = con.execute(
            """UPDATE raw.file_registry AS r
               SET status = d.status, reason = d.reason, rows_used = CAST(d.rows_used AS INTEGER)
               FROM landing_desired AS d
               WHERE r.wave = d.wave AND r.org_code = d.org_code AND r.survey = d.survey
                 AND r.source_sha256 = d.source_sha256
                 AND (r.status IS DISTINCT FROM d.status OR r.reason IS DISTINCT FROM d.reason
                      OR r.rows_used IS DISTINCT FROM d.rows_used)"""
        ).fetchone()
    finally:
        con.unregister("landing_desired")
    return int(changed[0]) if changed else 0
