"""Start the full refresh when the landing folder's content changes, and every night."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from dagster_project import fingerprint
from dagster_project.jobs import FULL_REFRESH_JOB
from dagster_project.landing.layout import LandingFolderError, scan, sha256_of
from dagster_project.landing.theme_codes import find_samples
from dagster_project.settings_resource import SettingsResource

SENSOR_INTERVAL_SECONDS = 60
NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Europe/London"

# (absolute path, size, mtime_ns) -> sha256: the sensor process re-hashes only files
# whose size or modification time changed since it last looked.
_hash_cache: dict[tuple[str, int, int], str] = {}


def _cached_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _hash_cache:
        _hash_cache[key] = sha256_of(path)
    return _hash_cache[key]


def folder_digest(landing_dir: Path) -> str:
    """Digest of the sorted (path, sha256) list of the files landing reads."""
    folder = scan(landing_dir)
    paths = [item.path for item in folder.returns]
    if folder.organisations is not None:
        paths.append(folder.organisations)
    paths += [sample.path for sample in find_samples(folder.root)]  # hand-coded themes
    listing = sorted((p.relative_to(folder.root).as_posix(), _cached_sha256(p)) for p in paths)
    return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


@dg.sensor(
    name="landing_sensor",
    job_name=FULL_REFRESH_JOB,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    description="Runs the full refresh when files appear or change in POET_LANDING_DIR.",
)
def landing_sensor(context: dg.SensorEvaluationContext, settings: SettingsResource):
    landing_dir = Path(settings.landing_dir)
    try:
        digest = folder_digest(landing_dir)
    except (LandingFolderError, OSError) as exc:
        return dg.SkipReason(str(exc))
    reason = _current_reason(settings)
    if reason is not None:
        return dg.SkipReason(reason)
    if digest == context.cursor:
        return dg.SkipReason("landing folder unchanged")
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest, tags=run_tags(settings, "landing_sensor"))


def run_tags(settings: SettingsResource, command: str) -> dict[str, str]:
    """The run's configuration as tags, shown on the run's page in the UI."""
    return {
        "poet/command": command,
        "poet/landing_dir": settings.landing_dir,
        "poet/warehouse": settings.warehouse,
        "poet/published": settings.published,
    }


def _current_reason(settings: SettingsResource) -> str | None:
    """Why no refresh is needed (one line), or None when something changed."""
    try:
        current = fingerprint.is_current(settings.to_settings())
    except (LandingFolderError, OSError):
        return None
    if current is None:
        return None
    return (
        f"nothing changed since run {current.run_id} at {current.published_at}: "
        "the published warehouse is current"
    )


@dg.schedule(
    name="nightly_full_refresh",
    job_name=FULL_REFRESH_JOB,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    description="Full refresh every night, whatever the sensor saw, unless nothing changed "
    "since the last publish.",
)
def nightly_full_refresh(context: dg.ScheduleEvaluationContext, settings: SettingsResource):
    reason = _current_reason(settings)
    if reason is not None:
        return dg.SkipReason(reason)
    return dg.RunRequest(tags=run_tags(settings, "nightly_full_refresh"))
