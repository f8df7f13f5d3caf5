"""Small landing folders built by hand, for the landing tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from dagster_project.landing.land import LandingReport, land_folder

ORGANISATIONS = [
    ("LA01", "Northtown Council", "council", "North East"),
    ("LA02", "Southby Council", "council", "South West"),
    ("NHS01", "Midshire CCG", "nhs", "Midlands"),
]


def holders_rows(n: int, start: int = 1) -> list[dict[str, str]]:
    """n valid, consenting holders rows."""
    return [
        {
            "respondent_id": f"R{i:04d}",
            "consent": "1",
            "survey_date": "2014-03-01",
            "gender": str(1 + i % 2),
            "amount_gbp": "120.50",
            "amount_period": "1",
            "plan_help_family": "1",
            "comment_change": "",
        }
        for i in range(start, start + n)
    ]


def write_csv(
    path: Path, rows: list[dict[str, str]], bom: bool = False, header: list[str] | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    keys = list(rows[0]) if rows else header
    for row in rows:
        writer.writerow([row[k] for k in keys])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


class Landing:
    """A landing folder under tmp_path and an in-memory warehouse to land it into."""

    def __init__(self, root: Path):
        self.root = root
        self.con = duckdb.connect()
        write_csv(
            root / "organisations.csv",
            [
                dict(zip(("org_code", "org_name", "org_type", "region"), o, strict=True))
                for o in ORGANISATIONS
            ],
        )

    def path(self, relative: str) -> Path:
        return self.root / relative

    def csv(self, relative: str, rows: list[dict[str, str]], **kwargs) -> Path:
        return write_csv(self.path(relative), rows, **kwargs)

    def land(self) -> LandingReport:
        return land_folder(self.con, self.root)

    def registry(self) -> dict[str, dict]:
        """Registry rows by path (the latest landed version of each path)."""
        return {row["source_path"]: row for row in self.registry_rows()}

    def registry_rows(self) -> list[dict]:
        cursor = self.con.execute("SELECT * FROM raw.file_registry ORDER BY landed_at, source_path")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def invalid_cells(self) -> list[tuple]:
        return self.con.execute(
            "SELECT source_path, respondent_id, variable, raw_value, rule FROM raw.invalid_cells "
            "ORDER BY source_path, respondent_id, variable"
        ).fetchall()

    def tables(self) -> dict[str, list]:
        """What landing wrote, comparable between two landings of the same files: the raw
        holders and carers rows and invalid cells (all but landed_at) and each registry row's
        path, status, format, counts and reason."""
        tables = {}
        for table in ("holders", "carers", "invalid_cells"):
            columns = [
                c
                for (c,) in self.con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c != "landed_at"
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            tables[table] = self.con.execute(
                f"SELECT {listed} FROM raw.{table} ORDER BY ALL"
            ).fetchall()
        tables["registry"] = sorted(
            (
                r["source_path"],
                r["status"],
                r["file_format"],
                r["rows_used"],
                r["invalid_cells"],
                r["reason"],
            )
            for r in self.registry_rows()
        )
        return tables
