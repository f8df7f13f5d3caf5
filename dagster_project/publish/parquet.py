"""Each published mart as a Parquet file, in a `parquet/` folder beside POET_PUBLISHED.

For tools that read neither DuckDB nor PostgreSQL. The folder is written whole under a
temporary name, from the new analysts' file, and swapped in right after that file: with
one atomic exchange of the two folder names (Linux `renameat2(RENAME_EXCHANGE)`), so a
reader listing or opening `parquet/` sees every file of the old publish or every file of
the new one, never a mix of the two. The previous folder is kept as `parquet.old-<run>`
until the next publish, so a reader that opened it before the swap can finish reading it.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

PARQUET_DIR = "parquet"
MANIFEST = "_publish.json"
TMP_MARKER = ".tmp-"
OLD_MARKER = ".old-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def parquet_dir(published: Path) -> Path:
    return published.parent / PARQUET_DIR


def tmp_parquet_dir(published: Path, run_id: str) -> Path:
    return published.parent / f"{PARQUET_DIR}{TMP_MARKER}{run_id}"


def remove_stale_dirs(published: Path) -> list[str]:
    """Folders of a killed publish, and the folder the last publish set aside."""
    removed = []
    for marker in (TMP_MARKER, OLD_MARKER):
        for path in sorted(published.parent.glob(f"{PARQUET_DIR}{marker}*")):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
    return removed


@dataclass(frozen=True)
class Reuse:
    """Parquet files that may be reused (hard-linked) rather than written again: those of
    `unchanged` tables in `folder`, when its manifest names `run_id` (the run that
    published the file the new one started from) and the same row count."""

    folder: Path
    run_id: str
    unchanged: set[str]

    def sources(self) -> dict[str, tuple[Path, int]]:
        """Per reusable table, its file and row count (empty when the folder is another
        publish's or has no readable manifest)."""
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if manifest.get("run_id") != self.run_id:
            return {}
        tables = manifest.get("tables", {})
        return {
            name: (self.folder / f"{name}.parquet", tables[name])
            for name in self.unchanged
            if name in tables and (self.folder / f"{name}.parquet").is_file()
        }


def write_marts(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    target: Path,
    run_id: str,
    reuse: Reuse | None = None,
    staged: dict[str, tuple[Path, int]] | None = None,
) -> dict[str, int]:
    """One `<table>.parquet` per table of `<catalog>.marts` into the new folder `target`,
    and a manifest naming the run; returns rows per table. A file `reuse` offers is
    hard-linked instead of written (Parquet files are never changed in place); a file
    written ahead of the publish (`staged`: file and rows, parquet_stage.py) is moved in."""
    target.mkdir(parents=True)
    names = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = ? AND table_schema = 'marts' ORDER BY 1",
            [catalog],
        ).fetchall()
    ]
    rows: dict[str, int] = {}
    # Files already written, and how to take each: hard links to the previous folder's
    # first (that folder must keep its files), then the files staged by this run.
    offers = [(reuse.sources() if reuse else {}, os.link), (staged or {}, shutil.move)]
    for name in names:
        path = target / f"{name}.parquet"
        rows[name] = con.execute(f'SELECT count(*) FROM "{catalog}".marts."{name}"').fetchone()[0]
        if any(_took(files.get(name), rows[name], take, path) for files, take in offers):
            continue
        con.execute(
            f'COPY (SELECT * FROM "{catalog}".marts."{name}") TO \'{path}\' '
            "(FORMAT parquet, COMPRESSION zstd)"
        )
    manifest = {"run_id": run_id, "tables": rows}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _fsync_tree(target)
    return rows


def _took(offer: tuple[Path, int] | None, rows: int, take, path: Path) -> bool:
    """Whether the offered file of `rows` rows was put at `path` with `take`; False when
    there is none, it has other rows, or taking it failed (then it is written again)."""
    if offer is None or offer[1] != rows:
        return False
    try:
        take(offer[0], path)
    except OSError:  # e.g. no hard links on this filesystem
        return False
    return True


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the OS cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new: Path, current: Path, run_id: str, log: Callable[[str], None] = print) -> None:
    """Make `new` the folder at `current`, atomically for readers; the previous folder is
    set aside as `<current>.old-<run_id>` (removed by the next publish)."""
    old = current.with_name(f"{current.name}{OLD_MARKER}{run_id}")
    if not current.exists():
        os.rename(new, current)
    elif _exchange(new, current):
        os.rename(new, old)  # `new` now holds the previous folder
    else:
        # No atomic exchange here (not Linux, or a filesystem without it): for an instant
        # the folder is absent, never mixed.
        log(f"{current}: no atomic folder exchange on this system; replacing by two renames")
        os.rename(current, old)
        os.rename(new, current)
    _fsync_dir(current.parent)
