"""Where report packs live, and how a new pack replaces the old one.

`POET_REPORTS` (default: `reports` beside the published warehouse, i.e. `data/reports`)
is a symbolic link to a complete pack folder beside it. A refresh builds its pack into
a staging folder (`.reports.tmp-<run id>`); the publish step, right after it swapped the
analysts' warehouse in, renames the staging folder to a version folder and swaps the
link atomically (a new link renamed over the old one). A reader opening
`data/reports/index.html` sees the old or the new pack, never a mix, and never a pack
whose figures the published warehouse does not hold.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import dagster as dg

STAGING = ".{name}.tmp-{run_id}"
VERSION = ".{name}.v-{stamp}"


def absolute(path: Path) -> Path:
    """An absolute path whose last part is kept as named: the pack folder is a link,
    and resolving it would name the version folder it points to."""
    path = path.expanduser()
    return path.parent.resolve() / path.name


def reports_dir(published: Path) -> Path:
    """`POET_REPORTS`, else `reports` beside the published warehouse."""
    value = os.environ.get("POET_REPORTS", "").strip()
    return absolute(Path(value)) if value else absolute(published.parent / "reports")


class ReportsResource(dg.ConfigurableResource):
    """The folder the published report pack is swapped into (absolute path)."""

    path: str

    def staging(self, run_id: str) -> Path:
        return staging_dir(Path(self.path), run_id)


def staging_dir(reports: Path, run_id: str) -> Path:
    return reports.parent / STAGING.format(name=reports.name, run_id=run_id)


def _versions(reports: Path) -> list[Path]:
    return sorted(reports.parent.glob(VERSION.format(name=reports.name, stamp="*")))


def swap_in(staged: Path, reports: Path) -> Path:
    """Make `staged` the pack at `reports`; returns the version folder it became."""
    reports.parent.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.time_ns()}"
    version = reports.parent / VERSION.format(name=reports.name, stamp=stamp)
    os.replace(staged, version)
    if reports.exists() and not reports.is_symlink():
        # A plain folder (first swap after an older layout): moved aside once.
        os.replace(reports, reports.parent / VERSION.format(name=reports.name, stamp="0-old"))
    link = reports.parent / f".{reports.name}.link-{stamp}"
    link.symlink_to(version.name, target_is_directory=True)
    os.replace(link, reports)  # atomic: the old or the new link, never none
    for old in _versions(reports):
        if old != version:
            shutil.rmtree(old, ignore_errors=True)
    return version


def discard(reports: Path, run_id: str | None = None) -> list[str]:
    """Remove staging folders (of one run, or every one left by a killed run)."""
    pattern = STAGING.format(name=reports.name, run_id=run_id or "*")
    removed = []
    for path in reports.parent.glob(pattern):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(str(path))
    return removed
