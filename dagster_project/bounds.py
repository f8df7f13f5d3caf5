"""Bounds a landed cell must respect, shared by landing's rules and the quality gates.

A gate bound that one file can break must also be a landing rule (docs/quality.md,
"Gate bounds and landing rules"): landing then quarantines the file or records the cell
as invalid, and the gate never blocks every organisation's refresh because of one file.
Both sides read these values, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

# Waves (the folder name) the warehouse accepts; staging gates `wave` on the same range.
WAVE_RANGE = (2000, 2100)
# survey_date: from this day to the end of the year after the day of checking (a wave's
# fieldwork may run into the next year, and a sender's clock may be ahead).
EARLIEST_SURVEY_DATE = dt.date(2000, 1, 1)
# A text cell (a comment) longer than this is an invalid cell (`text_too_long`): Excel
# holds at most 32,767 characters in a cell, so longer text is not a typed answer.
MAX_TEXT_CHARS = 32_767
# The CSV reader takes rows up to this many bytes; a longer row is reported with its row
# number, column and size (the file cannot be read).
MAX_CSV_ROW_BYTES = 64 * 1024 * 1024
# organisations.csv is read whole into memory: a list of organisations is a few kB, so a
# file larger than this is refused (and the last list kept) rather than read.
MAX_ORGANISATIONS_BYTES = 4 * 1024 * 1024


def latest_survey_date(today: dt.date | None = None) -> dt.date:
    """The last survey_date accepted on `today` (31 December of the next year)."""
    today = today or dt.date.today()
    return dt.date(today.year + 1, 12, 31)
