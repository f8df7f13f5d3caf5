"""Open one return (CSV, XLSX or SPSS) as a DuckDB relation of text cells.

Every format gives the same thing: the header as delivered, and a relation with one
VARCHAR column per header position (`c0`, `c1`, ...) and one row per data row in file
order, so the rest of landing is one SQL path for all formats. CSV is parsed by DuckDB
inside the statement that consumes it (no intermediate copy). A file that cannot be read
raises UnreadableFile with a short cause a person can act on.

Spreadsheets and SPSS files are parsed in Python (calamine, pyreadstat, pandas), which
holds the interpreter lock a run's other threads need: in a run, one over
WORKER_MIN_BYTES is read in one of the process's worker processes (workers.py, started
for the gates) and comes back as an Arrow table of the same text cells (DECISIONS L11).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from dagster_project import workers
from dagster_project.bounds import MAX_CSV_ROW_BYTES

if TYPE_CHECKING:
    import pyarrow as pa

_LOGGER = logging.getLogger(__name__)
FILE_TABLE = "landing_file"
_FRAME_VIEW = "landing_frame"
_MAX_CAUSE_CHARS = 160
_EXACT_INTEGERS = 2.0**53  # beyond this a float no longer holds every integer exactly


class UnreadableFile(Exception):
    """The file's bytes cannot be turned into a table; str(exc) is the short cause."""


def position_column(index: int) -> str:
    return f"c{index}"


def _csv_header(path: Path) -> list[str]:
    try:
        # utf-8-sig drops a byte-order mark; the csv module handles quoted headers.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("not UTF-8 text (save it as CSV UTF-8)") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"header row is not valid CSV ({exc})") from exc
    if not header or all(not name.strip() for name in header):
        raise UnreadableFile("no header row")
    return header


def _short_duckdb_cause(exc: duckdb.Error) -> str:
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    where = f"line {line.group(1)}" if line else "a row"
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if columns:
        return f"{where} has {columns.group(2)} fields, expected {columns.group(1)}"
    if "not utf-8 encoded" in text.lower():
        return f"not UTF-8 text at {where} (save it as CSV UTF-8)"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return re.sub(r"^[A-Za-z ]+Error: ", "", first)[:_MAX_CAUSE_CHARS]


def _csv_source(path: Path) -> tuple[list[str], str]:
    header = _csv_header(path)
    columns = ", ".join(f"'{position_column(i)}': 'VARCHAR'" for i in range(len(header)))
    literal_path = "'" + str(path).replace("'", "''") + "'"
    # Explicit dialect and positional names: no sniffing surprises, and headers that
    # differ only in case or spaces stay distinguishable (checked by the caller).
    relation = (
        f"read_csv({literal_path}, header=true, all_varchar=true, auto_detect=false, "
        f"delim=',', quote='\"', escape='\"', max_line_size={MAX_CSV_ROW_BYTES}, columns={{{columns}}})"
    )
    return header, relation


def _cell_text(value: object) -> str | None:
    """A spreadsheet or SPSS cell as the text a person would have typed (blank is None)."""
    if value is None or value is pd.NaT or value == "":
        return None
    if isinstance(value, float):
        return _floats_text(np.array([value]))[0]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime | pd.Timestamp):
        is_midnight = value.time() == dt.time(0)
        return value.date().isoformat() if is_midnight else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _floats_text(values: np.ndarray) -> np.ndarray:
    """Numbers stored as floats (every SPSS number, Excel numeric cells): 1.0 is "1"."""
    text = np.full(len(values), None, dtype=object)
    present = ~np.isnan(values)
    integral = (
        present
        & np.isfinite(values)
        & (np.floor(values) == values)
        & (np.abs(values) < _EXACT_INTEGERS)
    )
    text[integral] = values[integral].astype(np.int64).astype(str)
    other = present & ~integral
    text[other] = [repr(float(v)) for v in values[other]]
    return text


def _column_text(column: pd.Series) -> np.ndarray:
    """One column as text cells, as `_cell_text` gives them; floats (every SPSS number),
    integers (Excel's whole numbers arrive as int) and strings are converted in bulk,
    anything else (dates, booleans) cell by cell."""
    if pd.api.types.is_float_dtype(column.dtype):
        return _floats_text(column.to_numpy(dtype=float, na_value=np.nan))
    values = column.to_numpy(dtype=object)
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    is_float, is_int, is_str = (np.equal(types, kind) for kind in (float, int, str))
    text = np.empty(len(values), dtype=object)
    text[is_float] = _floats_text(values[is_float].astype(float))
    text[is_int] = [str(v) for v in values[is_int]]
    strings = values[is_str]
    text[is_str] = np.where(strings == "", None, strings)
    rest = ~(is_float | is_int | is_str)
    text[rest] = [_cell_text(v) for v in values[rest]]
    return text


def _text_frame(header: list[str], rows: pd.DataFrame) -> pd.DataFrame:
    text = pd.DataFrame(
        {position_column(i): _column_text(rows.iloc[:, i]) for i in range(len(header))},
        dtype=object,
    )
    # A row with every cell blank is spreadsheet furniture (formatted but empty), not a return.
    return text[text.notna().any(axis=1)] if len(text.columns) else text


def _xlsx_frame(path: Path) -> tuple[list[str], pd.DataFrame]:
    try:
        sheet = pd.read_excel(
            path, sheet_name=0, header=None, engine="calamine", dtype=object, na_filter=False
        )
    except Exception as exc:  # calamine raises its own types for corrupt workbooks
        raise UnreadableFile(
            f"not a readable Excel workbook ({str(exc).splitlines()[0][:120]})"
        ) from exc
    if sheet.empty:
        raise UnreadableFile("first worksheet is empty")
    header = [_cell_text(v) or "" for v in sheet.iloc[0]]
    return header, _text_frame(header, sheet.iloc[1:])


def _sav_frame(path: Path) -> tuple[list[str], pd.DataFrame]:
    import pyreadstat

    try:
        # user_missing=True: a council may declare 8 or 9 as SPSS "missing", but they are
        # answers in this survey and must be kept distinct from blanks.
        frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    except Exception as exc:  # pyreadstat raises ReadstatError and others for bad files
        raise UnreadableFile(
            f"not a readable SPSS file ({str(exc).splitlines()[0][:120]})"
        ) from exc
    header = [str(name) for name in frame.columns]
    if not header:
        raise UnreadableFile("no variables")
    return header, _text_frame(header, frame)


FRAME_READERS: dict[str, Callable[[Path], tuple[list[str], pd.DataFrame]]] = {
    "xlsx": _xlsx_frame,
    "sav": _sav_frame,
}


# Measured at 1M holders (17 workbooks, 15 SPSS files): reading them here held the lock for
# about 20 s of a 37 s landing; in the workers landing took 25 s.
WORKER_MIN_BYTES = 1_000_000


def frame_table(path: Path, file_format: str) -> tuple[list[str], pa.Table]:
    """A worker's job: the file's header and text cells (as FRAME_READERS give them) as
    an Arrow table, which crosses to the run's process as buffers, not Python objects."""
    import pyarrow as pa

    header, frame = FRAME_READERS[file_format](path)
    return header, pa.Table.from_pandas(frame, preserve_index=False)


def _read_frame(path: Path, file_format: str) -> tuple[list[str], pd.DataFrame | pa.Table]:
    """FRAME_READERS' header and cells, read in a worker process when the file is large
    and the run has started the workers (for its gates); here otherwise, or when the
    worker could not say."""
    large = path.stat().st_size > WORKER_MIN_BYTES
    pool = workers.shared(if_started=True) if large else None
    if pool is not None:
        try:
            result = pool.submit(frame_table, path, file_format).result()
            workers.answered(pool)
            return result
        except UnreadableFile:
            workers.answered(pool)
            raise
        except BrokenProcessPool as exc:
            _LOGGER.warning(
                "%s: a worker process failed (%s): read in this process", path.name, exc
            )
            workers.failed(pool)
        except Exception as exc:  # e.g. a cell Arrow cannot hold: read here, as before
            _LOGGER.debug("%s: read in this process (%s)", path, exc)
    return FRAME_READERS[file_format](path)


@dataclass(frozen=True)
class Source:
    header: list[str]  # as delivered
    relation: str  # SQL usable after FROM: the cells as VARCHAR c0, c1, ... in file order
    csv_path: Path | None = None  # the CSV file DuckDB parses, to explain a row it rejects


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def oversized_row_cause(path: Path, header: list[str], limit: int | None = None) -> str | None:
    """Which data row is longer than the reader takes, and which column holds most of it."""
    limit = limit or MAX_CSV_ROW_BYTES
    csv.field_size_limit(2**31 - 1)
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        for number, row in enumerate(rows, start=1):
            sizes = [len(cell.encode("utf-8")) for cell in row]
            if sum(sizes) + len(sizes) > limit:
                widest = max(range(len(sizes)), key=sizes.__getitem__)
                column = header[widest].strip() if widest < len(header) else f"field {widest + 1}"
                return (
                    f"data row {number} is {_megabytes(sum(sizes))}, more than the reader's limit of "
                    f"{_megabytes(limit)} per row (column {column} holds {_megabytes(sizes[widest])}): "
                    "shorten that cell"
                )
    return None


def mixed_line_endings(path: Path, chunk_bytes: int = 1 << 20) -> bool:
    """Some lines end in CRLF and others in a bare LF (DuckDB's reader takes one kind)."""
    crlf = lf = False
    carried = b""  # a CR ending the previous chunk may pair with an LF starting this one
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            text = carried + chunk
            pairs = text.count(b"\r\n")
            crlf = crlf or pairs > 0
            lf = lf or text.count(b"\n") > pairs
            if crlf and lf:
                return True
            carried = b"\r" if text.endswith(b"\r") else b""
    return False


MIXED_LINE_ENDINGS = (
    "mixed line endings (some lines end in CRLF, others in LF): save it again as CSV UTF-8"
)


@contextmanager
def opened(con: duckdb.DuckDBPyConnection, path: Path, file_format: str) -> Iterator[Source]:
    """The file as a relation for one statement (see create_table); CSV is parsed by DuckDB
    in that statement, spreadsheets and SPSS files are read here into a registered frame."""
    if path.stat().st_size == 0:
        raise UnreadableFile("file is empty")
    if file_format == "csv":
        yield Source(*_csv_source(path), csv_path=path)
        return
    header, frame = _read_frame(path, file_format)
    con.register(_FRAME_VIEW, frame)
    try:
        # An all-blank column arrives untyped: make every cell text.
        columns = [position_column(i) for i in range(len(header))]
        casts = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in columns)
        yield Source(header, f"(SELECT {casts} FROM {_FRAME_VIEW})")
    finally:
        con.unregister(_FRAME_VIEW)


def create_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    select_list: str,
    source: Source,
    temporary: bool = True,
) -> None:
    """CREATE [TEMP] TABLE table AS SELECT select_list FROM the source; a file DuckDB cannot
    parse (ragged rows, bad encoding) raises UnreadableFile."""
    kind = "TEMP TABLE" if temporary else "TABLE"
    try:
        con.execute(
            f"CREATE OR REPLACE {kind} {table} AS SELECT {select_list} FROM {source.relation}"
        )
    except duckdb.Error as exc:
        cause = None
        if source.csv_path is not None and "maximum line size" in str(exc).lower():
            cause = oversized_row_cause(source.csv_path, source.header)
        if source.csv_path is not None and "invalid state" in str(exc).lower():
            cause = MIXED_LINE_ENDINGS if mixed_line_endings(source.csv_path) else None
        raise UnreadableFile(cause or _short_duckdb_cause(exc)) from exc


def read_into_table(con: duckdb.DuckDBPyConnection, path: Path, file_format: str) -> list[str]:
    """Fill FILE_TABLE (c0, c1, ... VARCHAR) from the file; return its header as delivered."""
    with opened(con, path, file_format) as source:
        create_table(con, FILE_TABLE, "*", source)
    return source.header
