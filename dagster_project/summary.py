"""A short text summary of the analysts' (published) warehouse, for `poet summary`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.stats.fidelity import fidelity_summary


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _organisation_lines(con: duckdb.DuckDBPyConnection, brief: bool) -> list[str]:
    """Lines of organisations.csv that were not used (marts.organisations, when published)."""
    present = _rows(
        con,
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'organisations'",
    )[0][0]
    if not present:
        return []
    noted = _rows(
        con,
        "select line, status, note from marts.organisations where status <> 'listed' order by line",
    )
    if not noted:
        return []
    lines = [f"  organisations.csv: {len(noted)} lines not used (see marts.organisations)"]
    for line, status, note in [] if brief else noted[:20]:
        lines.append(f"    line {line} {status.replace('_', ' ')}: {note}")
    return lines


def summarise(published: Path, brief: bool = False) -> str:
    """The summary; `brief` leaves out the per-file and per-outcome lines (for `make demo`)."""
    if not published.exists():
        return f"No published warehouse at {published} yet: run 'poet run' first."
    lines: list[str] = [f"Published warehouse: {published}"]
    con = duckdb.connect(str(published), read_only=True)
    try:
        lines.append("")
        lines.append("Landed files by status:")
        for status, files, rows in _rows(
            con,
            "select status, count(*), sum(rows) from marts.landed_files group by status order by status",
        ):
            lines.append(f"  {status:<12} {files:>5} files {int(rows or 0):>10} rows")
        quarantined = _rows(
            con,
            "select path, reason from marts.landed_files where status = 'quarantined' order by path",
        )
        for path, reason in [] if brief else quarantined[:20]:
            lines.append(f"    quarantined {path}: {reason}")
        if len(quarantined) > 20 and not brief:
            lines.append(f"    ... and {len(quarantined) - 20} more (see marts.landed_files)")

        lines.extend(_organisation_lines(con, brief))

        lines.append("")
        lines.append("Respondents used:")
        for table, survey in (("holder_responses", "holders"), ("carer_responses", "carers")):
            for wave, n, orgs in _rows(
                con,
                f"select wave, count(*), count(distinct org_code) from marts.{table} "
                "group by wave order by wave",
            ):
                lines.append(f"  {wave} {survey:<8} {n:>9} respondents from {orgs} organisations")

        latest = _rows(con, "select max(wave) from marts.outcome_summary")[0][0]
        if latest is not None and not brief:
            lines.append("")
            lines.append(
                f"Outcomes {latest}: % better of those for whom relevant (95% Wilson interval)"
            )
            for survey, outcome, n, pct, low, high in _rows(
                con,
                "select survey, outcome_id, n_relevant, pct_positive, ci_low, ci_high "
                f"from marts.outcome_summary where wave = {int(latest)} "
                "order by survey desc, pct_positive desc",
            ):
                if pct is None:
                    continue
                lines.append(
                    f"  {survey:<8} {outcome:<36} {pct:5.1f}%  ({low:4.1f}-{high:4.1f})  n={n}"
                )

        lines.append("")
        lines.append("Fidelity to the 2014 report (marts.report_fidelity):")
        lines.extend(f"  {line}" for line in fidelity_summary(con).splitlines())
    except duckdb.Error as exc:
        lines.append(f"(summary incomplete: {str(exc).splitlines()[0]})")
    finally:
        con.close()
    return "\n".join(lines)
