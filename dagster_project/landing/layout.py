"""What is in a landing folder: the organisations list, the returns and everything else.

Layout (docs/contract/README.md): `organisations.csv` at the top and returns at
`<wave>/<org_code>/<survey>.<ext>`. Anything else (the generator's manifest, notes,
spreadsheets' lock files) is listed as ignored so a person can see it was not landed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.bounds import WAVE_RANGE
from dagster_project.settings import SURVEYS

ORGANISATIONS_FILE = "organisations.csv"
# A hand-coded theme sample, `<wave>/theme_codes.csv`: landed by theme_codes.py, not a return.
THEME_CODES_FILE = "theme_codes.csv"
FILE_FORMATS = ("csv", "xlsx", "sav")
_WAVE = re.compile(r"[0-9]{4}")
_HASH_CHUNK_BYTES = 1 << 20
OUTSIDE_LAYOUT = "not organisations.csv nor <wave>/<org_code>/<survey>.<csv|xlsx|sav>"
SYMLINK = "a symbolic link (not followed: the landing folder is a boundary)"
NOT_A_FILE = "not a regular file"


class LandingFolderError(RuntimeError):
    """The landing folder itself cannot be used (missing, not a folder, unreadable)."""


@dataclass(frozen=True)
class Slot:
    wave: int
    org_code: str
    survey: str

    def __str__(self) -> str:
        return f"{self.wave}/{self.org_code}/{self.survey}"


@dataclass(frozen=True)
class ReturnFile:
    path: Path  # absolute
    relative_path: str  # POSIX, relative to the landing folder: what the registry records
    slot: Slot
    file_format: str


@dataclass(frozen=True)
class LandingFolder:
    root: Path
    organisations: Path | None
    returns: tuple[ReturnFile, ...]
    ignored: tuple[str, ...]  # relative paths
    # Why each ignored entry was not landed (path -> reason); entries not listed are
    # outside the layout.
    ignored_reasons: dict[str, str] = field(default_factory=dict)

    def why_ignored(self, relative: str) -> str:
        return self.ignored_reasons.get(relative, OUTSIDE_LAYOUT)

    def by_slot(self) -> dict[Slot, list[ReturnFile]]:
        slots: dict[Slot, list[ReturnFile]] = defaultdict(list)
        for item in self.returns:
            slots[item.slot].append(item)
        return dict(slots)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_return(relative: str) -> tuple[Slot, str] | str:
    """The slot and format of a return, or why the path is not one."""
    parts = relative.split("/")
    if len(parts) != 3 or not _WAVE.fullmatch(parts[0]) or not parts[1].strip():
        return OUTSIDE_LAYOUT
    stem, dot, ext = parts[2].rpartition(".")
    # Survey and extension are matched case-insensitively: Windows exports `Holders.CSV`.
    if not dot or stem.lower() not in SURVEYS or ext.lower() not in FILE_FORMATS:
        return OUTSIDE_LAYOUT
    wave = int(parts[0])
    low, high = WAVE_RANGE
    if not low <= wave <= high:
        # The staging gate bounds `wave` likewise: one misnamed folder must not block everyone.
        return (
            f"wave folder {parts[0]} is outside {low}-{high} (rename the folder to the survey year)"
        )
    return Slot(wave, parts[1], stem.lower()), ext.lower()


def is_theme_sample(relative: str) -> bool:
    wave, _, name = relative.partition("/")
    return name == THEME_CODES_FILE and _WAVE.fullmatch(wave) is not None


def check_folder(root: Path) -> None:
    """Raise LandingFolderError with one line a person can act on."""
    if not root.exists():
        raise LandingFolderError(
            f"landing folder {root} does not exist (set POET_LANDING_DIR or run 'poet synth')"
        )
    if not root.is_dir():
        raise LandingFolderError(f"landing folder {root} is not a folder")
    try:
        with os.scandir(root) as entries:
            next(entries, None)
    except OSError as exc:
        raise LandingFolderError(
            f"landing folder {root} cannot be read: {exc.strerror or exc}"
        ) from exc


def scan(root: Path) -> LandingFolder:
    """Every file under the landing folder, sorted, split into organisations, returns and ignored."""
    root = root.resolve()
    check_folder(root)
    organisations: Path | None = None
    returns: list[ReturnFile] = []
    reasons: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        # A symbolic link to a folder is listed, never entered (os.walk would skip it silently).
        for name in [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            dirnames.remove(name)
            filenames.append(name)
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            relative = path.relative_to(root).as_posix()
            problem = _not_a_plain_file(path)
            if problem:
                reasons[relative] = problem
                continue
            if relative == ORGANISATIONS_FILE:
                organisations = path
                continue
            if is_theme_sample(relative):
                continue
            parsed = _parse_return(relative)
            if isinstance(parsed, str):
                reasons[relative] = parsed
            else:
                slot, file_format = parsed
                returns.append(ReturnFile(path, relative, slot, file_format))
    ignored = tuple(sorted(reasons))
    explained = {path: why for path, why in reasons.items() if why != OUTSIDE_LAYOUT}
    return LandingFolder(root, organisations, tuple(returns), ignored, explained)


def _not_a_plain_file(path: Path) -> str | None:
    """Why an entry is not read: a symbolic link (file or folder) or a device, pipe or socket."""
    if path.is_symlink():
        return SYMLINK
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot be examined: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else NOT_A_FILE
