"""What a refresh reads, in one digest: "nothing changed" means this digest did not change.

A refresh's result depends on the landing folder's files (the returns and
`organisations.csv`, as landing reads them), the project's code and reference data
(`dagster_project/`, the dbt project's models, macros, seeds and tests, the expectation
suites), the versions of the libraries that compute it and the settings. The digest of
all of them is taken when a refresh starts and recorded beside the published warehouse
when it has been published; `poet run` and the landing sensor compare the current
digest with that record and start nothing when they are equal.

Hashing is cheap after the first time: a file's sha256 is cached by (path, size,
mtime_ns) in `<warehouse>.hashes.json`. Pure Python: `poet run` decides before it
imports Dagster.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from dagster_project.landing.layout import LandingFolderError, scan, sha256_of
from dagster_project.settings import (
    DBT_PROJECT_DIR,
    EXPECTATIONS_DIR,
    REPO_ROOT,
    Settings,
)

RECORD_SUFFIX = ".fingerprint.json"
HASH_CACHE_SUFFIX = ".hashes.json"

# What of the repository a refresh's result depends on (target/ and logs/ are dbt's output).
CODE_PATHS = (
    REPO_ROOT / "dagster_project",
    DBT_PROJECT_DIR / "dbt_project.yml",
    DBT_PROJECT_DIR / "profiles.yml",
    DBT_PROJECT_DIR / "packages.yml",
    DBT_PROJECT_DIR / "models",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "seeds",
    DBT_PROJECT_DIR / "tests",
    EXPECTATIONS_DIR,
)
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Libraries whose upgrade can change a published figure or gate.
LIBRARIES = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "great-expectations",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pyreadstat",
    "openpyxl",
    "python-calamine",
)


class HashCache:
    """sha256 of files, re-computed only when a file's size or mtime changed."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, list] = {}
        self.used: dict[str, list] = {}
        if path is not None:
            try:
                self.entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = {}

    def sha256(self, file: Path) -> str:
        stat = file.stat()
        key = str(file)
        cached = self.entries.get(key)
        if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
            digest = cached[2]
        else:
            digest = sha256_of(file)
        self.used[key] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def save(self, keep_unseen: bool = False) -> None:
        """Keep the entries of the files seen this time (written atomically); with
        `keep_unseen`, those of the other files too (a reader of some of the files, such
        as build_state.code_inputs, must not drop the landing folder's entries)."""
        kept = {**self.entries, **self.used} if keep_unseen else self.used
        if self.path is None or kept == self.entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(kept), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache: a failed write only costs time next time


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        found.extend(
            Path(dirpath) / name
            for name in sorted(filenames)
            if not name.endswith(_SKIPPED_SUFFIXES)
        )
    return found


def _digest(items: object) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()


def landing_digest(landing_dir: Path, cache: HashCache) -> str:
    """The files landing reads (returns and organisations.csv), by relative path and content."""
    folder = scan(landing_dir)
    paths = [item.path for item in folder.returns]
    if folder.organisations is not None:
        paths.append(folder.organisations)
    return _digest(sorted((p.relative_to(folder.root).as_posix(), cache.sha256(p)) for p in paths))


def code_digest(
    cache: HashCache, paths: tuple[Path, ...] = CODE_PATHS, root: Path = REPO_ROOT
) -> str:
    """The project's code and reference data, by path relative to `root` and content."""
    listing = [
        (os.path.relpath(file, root), cache.sha256(file))
        for path in paths
        for file in _files_under(path)
    ]
    return _digest(listing)


def libraries_digest() -> str:
    """The versions of LIBRARIES and Python. Read again only when a folder of sys.path
    changed: installing, upgrading or removing a distribution adds or removes its
    `*.dist-info` folder there (a run's steps ask about 50 times, 10 ms each)."""
    return _libraries_digest(_path_folders_state())


def _path_folders_state() -> tuple[tuple[str, int], ...]:
    state = []
    for folder in sys.path:
        try:
            state.append((folder, os.stat(folder or ".").st_mtime_ns))
        except OSError:
            state.append((folder, -1))
    return tuple(state)


@lru_cache(maxsize=4)
def _libraries_digest(path_folders_state: tuple[tuple[str, int], ...]) -> str:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = sys.version.split()[0]
    return _digest(versions)


def settings_digest(settings: Settings) -> str:
    return _digest({key: str(value) for key, value in asdict(settings).items()})


@dataclass(frozen=True)
class Fingerprint:
    landing: str
    code: str
    libraries: str
    settings: str

    @property
    def digest(self) -> str:
        return _digest(asdict(self))

    def differences(self, other: Fingerprint) -> list[str]:
        """The parts that differ, in words."""
        names = {
            "landing": "the landing folder's files",
            "code": "the project's code or reference data",
            "libraries": "library versions",
            "settings": "the settings",
        }
        return [names[k] for k, v in asdict(self).items() if asdict(other)[k] != v]


def hash_cache_path(settings: Settings) -> Path:
    return settings.warehouse.with_name(settings.warehouse.name + HASH_CACHE_SUFFIX)


def take(settings: Settings) -> Fingerprint:
    """The fingerprint of everything a refresh with these settings reads, now.

    Raises LandingFolderError when the landing folder cannot be read.
    """
    cache = HashCache(hash_cache_path(settings))
    fingerprint = Fingerprint(
        landing=landing_digest(settings.landing_dir, cache),
        code=code_digest(cache),
        libraries=libraries_digest(),
        settings=settings_digest(settings),
    )
    cache.save()
    return fingerprint


# --- the record beside the published warehouse -------------------------------------------


@dataclass(frozen=True)
class PublishRecord:
    """Which run published the analysts' file, when, from which inputs."""

    run_id: str
    published_at: str  # ISO 8601, UTC
    fingerprint: Fingerprint
    # The published file's identity when the record was written: a record that does not
    # describe the file now in place (a publish whose record was never written) is ignored.
    file_size: int
    file_mtime_ns: int
    file_inode: int


def record_path(published: Path) -> Path:
    return published.with_name(published.name + RECORD_SUFFIX)


def write_record(published: Path, run_id: str, published_at: str, fingerprint: Fingerprint) -> Path:
    """Write the record after the publish, atomically (tmp file, fsync, rename)."""
    stat = published.stat()
    record = PublishRecord(
        run_id=run_id,
        published_at=published_at,
        fingerprint=fingerprint,
        file_size=stat.st_size,
        file_mtime_ns=stat.st_mtime_ns,
        file_inode=stat.st_ino,
    )
    path = record_path(published)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(asdict(record), handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def read_record(published: Path) -> PublishRecord | None:
    """The record of the file now published, or None (no file, no record, or not its record)."""
    try:
        raw = json.loads(record_path(published).read_text(encoding="utf-8"))
        record = PublishRecord(**{**raw, "fingerprint": Fingerprint(**raw["fingerprint"])})
        stat = published.stat()
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != (
        record.file_size,
        record.file_mtime_ns,
        record.file_inode,
    ):
        return None
    return record


def current_record(settings: Settings) -> tuple[Fingerprint, PublishRecord | None]:
    """This moment's fingerprint and the record of the published file, if any."""
    return take(settings), read_record(settings.published)


def is_current(settings: Settings) -> PublishRecord | None:
    """The publish record when nothing changed since it, else None."""
    try:
        fingerprint, record = current_record(settings)
    except (LandingFolderError, OSError):
        return None
    if record is not None and record.fingerprint == fingerprint:
        return record
    return None
