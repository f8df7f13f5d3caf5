"""raw.organisations: the latest usable organisations.csv replaces the table, line by line.

The list is small, so it is read whole, once, by Python's csv module: the sha256 is that of
the bytes parsed, and a byte-order mark, CRLF, LF, CR or a mix of them, and quoted names
holding commas or line breaks are all read as a person would. Each data line is judged on
its own (docs/landing.md, "organisations.csv"):

- `listed`: the organisation is used; a blank `org_name` or `region`, or one that looks
  like a contact detail (stored blank), is said in `note`;
- `repeat`: the same organisation with the same details as an earlier line (`note` names it);
- `left_out`: not usable, `note` says why with the line number (blank `org_code`, `org_type`
  not council or nhs, more fields than the header, or the same `org_code` on several lines
  with different details: every one of those lines is left out). Returns of a left-out
  organisation are quarantined with that reason.

Blank lines are skipped (counted in the log). A file that cannot be used at all (missing,
empty, not UTF-8, not CSV, a required column missing or given twice, no usable line)
keeps the list landed before (and says so in the log, one line): returns are then checked
against the last good list rather than all quarantined because of one bad upload.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.bounds import MAX_ORGANISATIONS_BYTES
from dagster_project.landing.layout import ORGANISATIONS_FILE
from dagster_project.quality.masking import detail_kind, scrub

ORGANISATION_COLUMNS = ("org_code", "org_name", "org_type", "region")
ORG_TYPES = ("council", "nhs")  # docs/contract/README.md; compared trimmed, in any case
LISTED, REPEAT, LEFT_OUT = "listed", "repeat", "left_out"
LINE_STATUSES = (LISTED, REPEAT, LEFT_OUT)
_BLANKS = " \t\n\r\xa0"  # what every landed cell is trimmed of (landing/rules.py)
_SHOWN_CHARS = 40  # a delivered value quoted in a note is cut to this length
_SHOWN_LINES = 5  # line numbers named in one note
_LOGGED_LINES = 20  # lines of the list reported one by one in the log; the rest counted


class ListRefused(Exception):
    """organisations.csv cannot be used at all; str(exc) says why in a few words."""


@dataclass(frozen=True)
class OrganisationLine:
    line: int  # physical line of the file where the row starts (the header is line 1)
    org_code: str | None
    org_name: str | None
    org_type: str | None
    region: str | None
    status: str
    note: str | None


@dataclass(frozen=True)
class OrganisationsOutcome:
    codes: set[str]  # listed organisations
    replaced: bool
    problem: str | None  # why the file was not used, when it was not
    left_out: dict[str, str] = field(default_factory=dict)  # org_code -> why (not listed)
    lines: list[str] = field(default_factory=list)  # "line 7: left out: ..." of the list in use


def _shown(value: str) -> str:
    """A delivered value as it may appear in a note: no contact detail, not too long."""
    text = scrub(value)
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "...")


def _lines(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _decoded(data: bytes) -> str:
    if not data:
        raise ListRefused("file is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ListRefused(f"not a text file (a NUL byte on line {line}): save it as CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ListRefused(f"not UTF-8 text at line {line} (save it as CSV UTF-8)") from exc


def _header_positions(header: list[str] | None) -> dict[str, int]:
    names = [name.strip(_BLANKS).lower() for name in header or []]
    if not any(names):
        raise ListRefused("no header row")
    missing = [c for c in ORGANISATION_COLUMNS if c not in names]
    if missing:
        if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
            sep = next(s for s in ";\t|" if s in names[0])
            what = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[sep]
            raise ListRefused(
                f"its header is separated by {what}, not commas: save it as CSV UTF-8 "
                f"(comma separated, columns {', '.join(ORGANISATION_COLUMNS)})"
            )
        noun = "column" if len(missing) == 1 else "columns"
        raise ListRefused(f"missing required {noun} {', '.join(missing)}")
    repeated = [c for c in ORGANISATION_COLUMNS if names.count(c) > 1]
    if repeated:
        raise ListRefused(f"column given more than once: {', '.join(repeated)}")
    return {c: names.index(c) for c in ORGANISATION_COLUMNS}


@dataclass
class _Row:
    line: int
    values: dict[str, str | None]
    problems: list[str]  # why the line cannot be used on its own
    notes: list[str]  # what was noticed on a usable line

    def details(self) -> tuple:
        v = self.values
        org_type = v["org_type"].lower() if v["org_type"] else None
        return (v["org_name"], org_type, v["region"])


def _judge_row(line: int, row: list[str], positions: dict[str, int], width: int) -> _Row | None:
    cells = [cell.strip(_BLANKS) or None for cell in row]
    if not any(cells):
        return None  # a blank line (or only separators): nothing to lose
    values = {c: cells[i] if i < len(cells) else None for c, i in positions.items()}
    problems: list[str] = []
    notes: list[str] = []
    if len(cells) > width and any(cells[width:]):
        problems.append(
            f"{len(cells)} fields where the header has {width} (a comma inside a name needs quotes)"
        )
    for column in ORGANISATION_COLUMNS:
        kind = detail_kind(values[column]) if values[column] else None
        if kind:
            # Every text column of the marts is refused by the gates when it holds one.
            values[column] = None
            text = f"{column} looks like a contact detail ({kind})"
            if column in ("org_code", "org_type"):
                problems.append(text)
            else:
                notes.append(f"{text}: left blank")
    if values["org_code"] is None and not any(p.startswith("org_code") for p in problems):
        problems.append("org_code is blank")
    org_type = values["org_type"]
    if org_type is None:
        if not any(p.startswith("org_type") for p in problems):
            problems.append("org_type is blank (council or nhs)")
    elif org_type.lower() not in ORG_TYPES:
        problems.append(f"org_type {_shown(org_type)} is not council or nhs")
    for column in ("org_name", "region"):
        if values[column] is None and not any(n.startswith(column) for n in notes):
            notes.append(f"{column} is blank")
    return _Row(line, values, problems, notes)


def _conflict(code: str, same_code: list[_Row]) -> str | None:
    """Why every line of a code given on several lines is left out, or None when they all
    give the same details (then the later ones are repeats)."""
    differing = [
        column
        for column, index in (("org_name", 0), ("org_type", 1), ("region", 2))
        if len({r.details()[index] for r in same_code}) > 1
    ]
    if not differing:
        return None
    numbers = [r.line for r in same_code]
    shown = (
        _lines(numbers)
        if len(numbers) <= _SHOWN_LINES
        else ", ".join(str(n) for n in numbers[:_SHOWN_LINES])
        + f" and {len(numbers) - _SHOWN_LINES} more"
    )
    return (
        f"org_code {_shown(code)} is on lines {shown} with different {', '.join(differing)}: "
        "keep one line per organisation"
    )


def read_organisations(data: bytes) -> tuple[list[OrganisationLine], int]:
    """The lines of an organisations.csv (its bytes) and the number of blank lines skipped;
    raises ListRefused when the file cannot be used at all."""
    text = _decoded(data)
    # strict: a quote left open or text after a closing quote is an error, not a guess.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    blank = 0
    start = 1  # line where the record being read starts
    try:
        header = next(reader, None)
        positions = _header_positions(header)
        start = reader.line_num + 1
        for row in reader:
            judged = _judge_row(start, row, positions, len(header))
            start = reader.line_num + 1
            if judged is None:
                blank += 1
            else:
                rows.append(judged)
    except csv.Error as exc:
        raise ListRefused(f"line {start} is not valid CSV ({exc})") from exc

    by_code: dict[str, list[_Row]] = {}
    for row in rows:
        if row.values["org_code"] is not None:
            by_code.setdefault(row.values["org_code"], []).append(row)
    # Judged once per code (a list may repeat one code thousands of times).
    conflicts = {code: _conflict(code, same) for code, same in by_code.items() if len(same) > 1}
    lines: list[OrganisationLine] = []
    for row in rows:
        status, note = (LEFT_OUT, "; ".join(row.problems)) if row.problems else (LISTED, None)
        note = note or ("; ".join(row.notes) or None)
        code = row.values["org_code"]
        if code in conflicts:
            first = by_code[code][0]
            if conflicts[code]:
                status, note = LEFT_OUT, "; ".join([*row.problems, conflicts[code]])
            elif row is not first and not row.problems:
                status, note = REPEAT, f"repeats line {first.line}"
        lines.append(OrganisationLine(row.line, **row.values, status=status, note=note))
    if not any(line.status == LISTED for line in lines):
        why = next((f"line {x.line}: {x.note}" for x in lines if x.note), "no data lines")
        raise ListRefused(f"no line lists a usable organisation ({why})")
    return lines, blank


def _state(con: duckdb.DuckDBPyConnection) -> tuple[set[str], dict[str, str]]:
    """Listed codes and, for codes only on left-out lines, why (from raw.organisations)."""
    rows = con.execute(
        "SELECT org_code, status, source_line, note FROM raw.organisations "
        "WHERE org_code IS NOT NULL ORDER BY source_line"
    ).fetchall()
    listed = {code for code, status, _line, _note in rows if status == LISTED}
    left_out: dict[str, list[str]] = {}
    for code, status, line, note in rows:
        if status == LEFT_OUT and code not in listed:
            left_out.setdefault(code, []).append(f"line {line}: {note}")
    return listed, {code: "; ".join(why) for code, why in left_out.items()}


def _needs_landing(con: duckdb.DuckDBPyConnection, sha: str) -> bool:
    # A list landed by a version before line statuses existed is judged again.
    stored = con.execute(
        "SELECT DISTINCT source_sha256, source_line IS NULL FROM raw.organisations"
    ).fetchall()
    return stored != [(sha, False)]


def noted_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The lines of the list in use that have a note, as `line 4: left out: <why>`."""
    rows = con.execute(
        "SELECT source_line, status, note FROM raw.organisations WHERE note IS NOT NULL "
        "ORDER BY source_line"
    ).fetchall()
    return [
        f"line {line}: {'left out: ' if status == LEFT_OUT else ''}{note}"
        for line, status, note in rows
    ]


def _log_lines(said: list[str], log: logging.Logger) -> None:
    for text in said[:_LOGGED_LINES]:
        log.warning(f"{ORGANISATIONS_FILE} {text}")
    if len(said) > _LOGGED_LINES:
        log.warning(
            f"{ORGANISATIONS_FILE}: {len(said) - _LOGGED_LINES} more lines with a note "
            "(see raw.organisations, published as marts.organisations)"
        )


def land_organisations(
    con: duckdb.DuckDBPyConnection, path: Path | None, landed_at: dt.datetime, log: logging.Logger
) -> OrganisationsOutcome:
    def keep(problem: str) -> OrganisationsOutcome:
        listed, left_out = _state(con)
        kept = "keeping the list landed before" if listed else "no list was landed before"
        log.error(f"{ORGANISATIONS_FILE} not used: {problem}; {kept}")
        return OrganisationsOutcome(listed, False, problem, left_out, noted_lines(con))

    if path is None:
        return keep("no such file in the landing folder")
    try:
        size = path.stat().st_size
        if size > MAX_ORGANISATIONS_BYTES:
            return keep(
                f"it is {size / 1024 / 1024:.1f} MB, more than the "
                f"{MAX_ORGANISATIONS_BYTES // 1024 // 1024} MB a list of organisations takes "
                "(is it a return saved under the wrong name?)"
            )
        data = path.read_bytes()  # hashed and parsed from the same bytes
    except OSError as exc:
        return keep(f"file cannot be read: {exc.strerror or exc}")
    sha = hashlib.sha256(data).hexdigest()
    if not _needs_landing(con, sha):
        listed, left_out = _state(con)
        said = noted_lines(con)
        if said:
            log.info(
                f"{ORGANISATIONS_FILE} unchanged: {len(listed)} organisations listed, "
                f"{len(said)} lines with a note (see marts.organisations)"
            )
        return OrganisationsOutcome(listed, False, None, left_out, said)
    try:
        lines, blank = read_organisations(data)
    except ListRefused as exc:
        return keep(str(exc))
    frame = pd.DataFrame(
        [
            {
                **{c: getattr(x, c) for c in ORGANISATION_COLUMNS},
                "source_sha256": sha,
                "landed_at": landed_at,
                "source_line": x.line,
                "status": x.status,
                "note": x.note,
            }
            for x in lines
        ]
    )
    columns = ", ".join(frame.columns)
    con.register("landing_organisations", frame)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM raw.organisations")
        con.execute(
            f"INSERT INTO raw.organisations ({columns}) SELECT {columns} FROM landing_organisations"
        )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        return keep(f"file cannot be landed: {str(exc).splitlines()[0]}")
    finally:
        con.unregister("landing_organisations")
    listed, left_out = _state(con)
    counts = {s: sum(x.status == s for x in lines) for s in LINE_STATUSES}
    log.info(
        f"{ORGANISATIONS_FILE} landed: {len(listed)} organisations listed, "
        f"{counts[LEFT_OUT]} lines left out, {counts[REPEAT]} repeated lines, "
        f"{blank} blank lines skipped"
    )
    said = noted_lines(con)
    _log_lines(said, log)
    return OrganisationsOutcome(listed, True, None, left_out, said)
