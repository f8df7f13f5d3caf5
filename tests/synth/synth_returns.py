"""Reading generated returns back and applying the contract's file rules, written
independently of the generator (only the codebook parser is shared)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from python_calamine import CalamineWorkbook

from dagster_project.codebook import Codebook, load_codebook

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_return(path: Path) -> pd.DataFrame:
    """Every cell as text ("" for blank), numbers without a trailing .0."""
    ext = path.suffix.lower()
    if ext == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame.columns = [c.strip().lower() for c in frame.columns]
        return frame.map(lambda x: x.strip())
    if ext == ".xlsx":
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        header = [_cell_text(h).lower() for h in rows[0]]
        body = [[_cell_text(v) for v in row] for row in rows[1:]]
        return pd.DataFrame(body, columns=header)
    if ext == ".sav":
        frame, _ = pyreadstat.read_sav(str(path))
        frame.columns = [c.lower() for c in frame.columns]
        return frame.map(_cell_text)
    raise ValueError(f"not a return: {path}")


def _is_valid(variable, value: str) -> bool:
    if variable.type in ("code", "tick"):
        try:
            number = float(value)
        except ValueError:
            return False
        return number.is_integer() and int(number) in variable.codes
    if variable.type == "number":
        try:
            return float(value) > 0
        except ValueError:
            return False
    if variable.type == "date":
        if not ISO_DATE.match(value):
            return False
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
    return True


def invalid_mask(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """True where a cell of a consenting row is invalid by the contract."""
    consenting = frame["consent"] == "1" if "consent" in frame else pd.Series(False, frame.index)
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for v in codebook.variables:
        if v.name not in frame or not v.is_answer:
            continue
        values = frame[v.name]
        bad = values.map(lambda x, v=v: x != "" and not _is_valid(v, x))
        mask[v.name] = bad & consenting
    if "amount_gbp" in frame and "amount_period" in frame:
        valid_amount = frame["amount_gbp"].map(
            lambda x: _is_valid(codebook["amount_gbp"], x) if x else False
        )
        mask["amount_period"] |= valid_amount & (frame["amount_period"] == "") & consenting
    return mask


def answered_cells(frame: pd.DataFrame, codebook: Codebook) -> int:
    consenting = frame["consent"] == "1"
    names = [v.name for v in codebook.variables if v.is_answer and v.name in frame]
    return int(((frame[names] != "") & consenting.to_numpy()[:, None]).to_numpy().sum())


def file_problem(path: Path, known_orgs: set[str]) -> str | None:
    """The file rule a return breaks, or None."""
    survey = path.stem
    org_code = path.parent.name
    if org_code not in known_orgs:
        return "unknown_organisation"
    try:
        frame = read_return(path)
    except Exception:
        return "unreadable"
    codebook = load_codebook(survey)
    if "respondent_id" not in frame or "consent" not in frame:
        return "missing_required_column"
    ids = frame["respondent_id"]
    if (ids == "").any() or ids.duplicated().any():
        return "repeated_respondent_id"
    invalid = int(invalid_mask(frame, codebook).to_numpy().sum())
    if invalid > 0.02 * answered_cells(frame, codebook):
        return "too_many_invalid_cells"
    return None


def used_rows(landing: Path, survey: str) -> pd.DataFrame:
    """Consenting rows of every return that passes the file rules, invalid cells blank,
    with org_code."""
    known = set(pd.read_csv(landing / "organisations.csv", dtype=str)["org_code"])
    codebook = load_codebook(survey)
    frames = []
    for path in sorted(landing.glob(f"*/*/{survey}.*")):
        if file_problem(path, known):
            continue
        frame = read_return(path)
        frame = frame.mask(invalid_mask(frame, codebook), "")
        frame = frame[frame["consent"] == "1"].copy()
        frame["org_code"] = path.parent.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
