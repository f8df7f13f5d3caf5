"""Writing returns as CSV, Excel and SPSS files, chunk by chunk, byte for byte the same
for the same input (fixed creation times in xlsx and sav)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import xlsxwriter

Columns = dict[str, np.ndarray]

# SPSS .sav header: creation date (9 bytes, "dd Mon yy") and time (8 bytes, "hh:mm:ss")
# follow the 4-byte record type, 60-byte product name and five 4/8-byte fields.
SAV_DATE_OFFSET = 4 + 60 + 4 + 4 + 4 + 4 + 4 + 8


class ReturnWriter:
    """One return file; `write(chunk)` repeatedly, then `close()`."""

    def __init__(
        self, path: Path, columns: list[str], text_columns: set[str], wave: int, bom: bool = False
    ):
        self.path = path
        self.columns = columns
        self.text_columns = text_columns
        self.wave = wave
        self.bom = bom
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, chunk: Columns) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class CsvWriter(ReturnWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.handle = self.path.open("w", encoding="utf-8-sig" if self.bom else "utf-8", newline="")

    def write(self, chunk: Columns) -> None:
        frame = pd.DataFrame(
            {
                name: chunk[name]
                if name in self.text_columns
                else pd.array(chunk[name], dtype="Float64")
                for name in self.columns
            }
        )
        for name in self.columns:
            if name not in self.text_columns and name != "amount_gbp":
                frame[name] = frame[name].astype("Int64")  # codes print without ".0"
        frame.to_csv(
            self.handle,
            index=False,
            header=self.rows == 0,
            lineterminator="\n",
            float_format="%.2f",
        )
        self.rows += len(frame)

    def close(self) -> None:
        self.handle.close()


class XlsxWriter(ReturnWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.book = xlsxwriter.Workbook(str(self.path), {"constant_memory": True})
        self.book.set_properties({"created": dt.datetime(self.wave, 1, 1)})
        self.sheet = self.book.add_worksheet("returns")
        for j, name in enumerate(self.columns):
            self.sheet.write_string(0, j, name)

    def write(self, chunk: Columns) -> None:
        lists = [chunk[name].tolist() for name in self.columns]
        text = [name in self.text_columns for name in self.columns]
        sheet = self.sheet
        n = len(lists[0]) if lists else 0
        for i in range(n):
            r = self.rows + i + 1
            for j, values in enumerate(lists):
                value = values[i]
                if text[j]:
                    if value:
                        sheet.write_string(r, j, value)
                elif value == value:  # not NaN
                    sheet.write_number(r, j, value)
        self.rows += n

    def close(self) -> None:
        self.book.close()


class SavWriter(ReturnWriter):
    """pyreadstat writes a whole frame at once: chunks are held until close (one
    organisation's return, so memory follows the largest return, not the total)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frames: list[pd.DataFrame] = []

    def write(self, chunk: Columns) -> None:
        self.frames.append(
            pd.DataFrame(
                {
                    name: np.where(pd.isna(chunk[name]), "", chunk[name]).astype(object)
                    if name in self.text_columns
                    else chunk[name].astype(np.float64)
                    for name in self.columns
                }
            )
        )
        self.rows += len(self.frames[-1])

    def close(self) -> None:
        frame = pd.concat(self.frames, ignore_index=True)
        pyreadstat.write_sav(frame, str(self.path))
        self.frames = []
        _fix_sav_timestamp(self.path, dt.datetime(self.wave, 1, 1))


def _fix_sav_timestamp(path: Path, when: dt.datetime) -> None:
    """ReadStat stamps the file with the time of writing; a fixed stamp makes the same
    seed give the same bytes."""
    stamp = (when.strftime("%d %b %y") + when.strftime("%H:%M:%S")).encode("ascii")
    with path.open("r+b") as handle:
        handle.seek(SAV_DATE_OFFSET)
        handle.write(stamp)


WRITERS: dict[str, type[ReturnWriter]] = {"csv": CsvWriter, "xlsx": XlsxWriter, "sav": SavWriter}
