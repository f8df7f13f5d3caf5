"""Measure the redaction on a labelled set (tests/redaction/redaction_eval.csv).

Each row is a comment; `planted` lists its personal details as `tag=text` separated by
`|` (empty for a clean comment, one that looks similar but holds none). A planted
detail is caught when the redacted text keeps none of its words or digit groups (titles
such as "Mrs" aside: "Mrs [name]" is fine) and holds its tag. Prints the recall of
planted details (target >= 0.98) and the share of clean comments changed (<= 2%):

    python -m dagster_project.redaction_eval [--show]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.redaction import REPO_ROOT, redact_sql

LABELLED = REPO_ROOT / "tests" / "redaction" / "redaction_eval.csv"
TITLE_WORDS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof"}
TARGET_RECALL = 0.98
TARGET_CLEAN_CHANGED = 0.02


@dataclass(frozen=True)
class Planted:
    tag: str
    text: str


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    planted: tuple[Planted, ...]


@dataclass(frozen=True)
class Figures:
    planted: int
    caught: int
    by_tag: dict[str, tuple[int, int]]  # tag -> (caught, planted)
    clean: int
    clean_changed: int
    missed: list[tuple[str, str, str]]  # (id, planted text, redacted comment)
    changed: list[tuple[str, str]]  # (id, redacted clean comment)

    @property
    def recall(self) -> float:
        return self.caught / self.planted

    @property
    def clean_changed_share(self) -> float:
        return self.clean_changed / self.clean


def load(path: Path = LABELLED) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cases = []
    for row in rows:
        planted = tuple(Planted(*item.split("=", 1)) for item in row["planted"].split("|") if item)
        if (row["kind"] == "planted") != bool(planted):
            raise ValueError(f"{path.name} row {row['id']}: kind and planted disagree")
        cases.append(Case(row["id"], row["text"], planted))
    return cases


def redact_all(texts: list[str]) -> list[str]:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, c VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
        rows = con.execute(f"SELECT {redact_sql('c')} FROM t ORDER BY i").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _tokens(text: str) -> Counter[str]:
    return Counter(t for t in re.findall(r"[A-Za-z0-9']+", text) if t.lower() not in TITLE_WORDS)


def caught(case: Case, planted: Planted, redacted: str) -> bool:
    """No word of the detail left (beyond what the rest of the comment has), tag present."""
    outside = _tokens(case.text) - _tokens(planted.text)
    left = _tokens(redacted)
    leaked = [t for t in _tokens(planted.text) if left[t] > outside[t]]
    return not leaked and f"[{planted.tag}]" in redacted


def evaluate(cases: list[Case]) -> Figures:
    redacted = redact_all([c.text for c in cases])
    by_tag: dict[str, list[int]] = {}
    missed, changed = [], []
    for case, out in zip(cases, redacted, strict=True):
        for planted in case.planted:
            ok = caught(case, planted, out)
            counts = by_tag.setdefault(planted.tag, [0, 0])
            counts[0] += ok
            counts[1] += 1
            if not ok:
                missed.append((case.id, planted.text, out))
        if not case.planted and out != case.text:
            changed.append((case.id, out))
    planted_n = sum(n for _, n in by_tag.values())
    return Figures(
        planted=planted_n,
        caught=sum(c for c, _ in by_tag.values()),
        by_tag={t: (c, n) for t, (c, n) in sorted(by_tag.items())},
        clean=sum(not c.planted for c in cases),
        clean_changed=len(changed),
        missed=missed,
        changed=changed,
    )


def report(figures: Figures, show: bool = False) -> str:
    lines = [
        f"planted details: recall {figures.recall:.3f} ({figures.caught}/{figures.planted}; target >= {TARGET_RECALL})",
        f"clean comments changed: {figures.clean_changed_share:.1%} "
        f"({figures.clean_changed}/{figures.clean}; target <= {TARGET_CLEAN_CHANGED:.0%})",
        "recall by tag: " + ", ".join(f"{t} {c}/{n}" for t, (c, n) in figures.by_tag.items()),
    ]
    if show:
        lines += [f"  missed {i}: {p!r} -> {out!r}" for i, p, out in figures.missed]
        lines += [f"  changed {i}: {out!r}" for i, out in figures.changed]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recall and clean-comment changes of redaction.")
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument(
        "--show", action="store_true", help="list misses and changed clean comments"
    )
    args = parser.parse_args(argv)
    figures = evaluate(load(args.labelled))
    print(report(figures, args.show))
    met = figures.recall >= TARGET_RECALL and figures.clean_changed_share <= TARGET_CLEAN_CHANGED
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
