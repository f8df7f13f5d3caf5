"""The planted organisation of the reports tests (LA98), and the `poet` command."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

POET = str(Path(sys.executable).parent / "poet")
PLANTED = "LA98"
PLANTED_NAME = "Planted Test Council"
PLANTED_OUTCOME_VARIABLE = "out_paid_work"
PLANTED_LABEL = "Getting and/or keeping a paid job"


def plant_organisation(landing: Path, wave: int = 2014) -> None:
    """LA98: 30 consenting holders copied from LA01; paid work relevant to 9 of them."""
    with (landing / "organisations.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            [PLANTED, PLANTED_NAME, "council", "North East"]
        )
    source = landing / str(wave) / "LA01" / "holders.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [r for r in reader if r["consent"] == "1"][:30]
    for i, row in enumerate(rows):
        row["respondent_id"] = f"{PLANTED}-H-{i + 1:04d}"
        row[PLANTED_OUTCOME_VARIABLE] = "1" if i < 7 else "3" if i < 9 else "8"
        for name in fields:  # no comments: nothing of LA01's text reused
            if name.startswith("comment_"):
                row[name] = ""
    target = landing / str(wave) / PLANTED
    target.mkdir(parents=True)
    with (target / "holders.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
