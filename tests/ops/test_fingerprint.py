"""The inputs' fingerprint: content, not timestamps; the record describes the file in place."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from dagster_project import fingerprint
from dagster_project.settings import Settings
from dagster_project.settings_resource import SettingsResource


def _settings(root: Path) -> Settings:
    landing = root / "landing"
    (landing / "2014" / "LA01").mkdir(parents=True)
    (landing / "organisations.csv").write_text("org_code,org_name\nLA01,One\n")
    (landing / "2014" / "LA01" / "holders.csv").write_text("respondent_id,consent\nH1,1\n")
    return Settings(
        landing_dir=landing,
        warehouse=root / "warehouse.duckdb",
        published=root / "poet.duckdb",
        dagster_home=root / "dagster_home",
    )


def test_same_content_same_fingerprint_even_when_touched(tmp_path):
    settings = _settings(tmp_path)
    first = fingerprint.take(settings)
    holders = settings.landing_dir / "2014" / "LA01" / "holders.csv"
    os.utime(holders, ns=(1, 1))
    (settings.landing_dir / "notes.txt").write_text("ignored by landing")
    assert fingerprint.take(settings) == first


def test_changed_return_or_organisations_changes_the_landing_part_only(tmp_path):
    settings = _settings(tmp_path)
    first = fingerprint.take(settings)
    (settings.landing_dir / "2014" / "LA01" / "holders.csv").write_text(
        "respondent_id,consent\nH2,1\n"
    )
    second = fingerprint.take(settings)
    assert second.differences(first) == ["the landing folder's files"]
    (settings.landing_dir / "organisations.csv").write_text("org_code,org_name\nLA01,Renamed\n")
    assert fingerprint.take(settings).landing != second.landing


def test_settings_and_code_are_part_of_it(tmp_path):
    settings = _settings(tmp_path)
    first = fingerprint.take(settings)
    moved = Settings(
        landing_dir=settings.landing_dir,
        warehouse=settings.warehouse,
        published=tmp_path / "elsewhere.duckdb",
        dagster_home=settings.dagster_home,
    )
    assert fingerprint.take(moved).differences(first) == ["the settings"]
    code = tmp_path / "code"
    code.mkdir()
    (code / "model.sql").write_text("select 1")
    cache = fingerprint.HashCache(None)
    before = fingerprint.code_digest(cache, (code,))
    (code / "model.sql").write_text("select 2")
    assert fingerprint.code_digest(cache, (code,)) != before


def test_the_run_records_the_settings_poet_run_compares_with(tmp_path):
    # The run takes its fingerprint from the settings resource, `poet run` from the
    # environment: every setting must survive the trip, or "nothing changed" never holds.
    settings = dataclasses.replace(
        _settings(tmp_path),
        postgres_url="postgresql://poet@localhost/poet",
        duckdb_memory_limit="2GB",
        duckdb_temp_dir=str(tmp_path / "spill"),
    )
    assert SettingsResource.from_settings(settings).to_settings() == settings


def test_hash_cache_is_used_for_unchanged_files(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    fingerprint.take(settings)
    hashed = []
    real = fingerprint.sha256_of
    monkeypatch.setattr(fingerprint, "sha256_of", lambda p: hashed.append(p) or real(p))
    fingerprint.take(settings)
    assert hashed == []  # every file's (size, mtime) matched the cache
    (settings.landing_dir / "2014" / "LA01" / "holders.csv").write_text(
        "respondent_id,consent\nH3,1\n"
    )
    fingerprint.take(settings)
    assert [p.name for p in hashed] == ["holders.csv"]


def test_record_is_read_only_for_the_file_it_describes(tmp_path):
    settings = _settings(tmp_path)
    inputs = fingerprint.take(settings)
    assert fingerprint.read_record(settings.published) is None
    settings.published.write_bytes(b"published v1")
    fingerprint.write_record(settings.published, "run-1", "2026-01-01T00:00:00+00:00", inputs)
    record = fingerprint.read_record(settings.published)
    assert record.run_id == "run-1" and record.fingerprint == inputs
    assert fingerprint.is_current(settings).run_id == "run-1"

    # A later publish whose record was never written (killed between rename and record).
    replacement = tmp_path / "new.duckdb"
    replacement.write_bytes(b"published v2, another file")
    os.replace(replacement, settings.published)
    assert fingerprint.read_record(settings.published) is None
    assert fingerprint.is_current(settings) is None


def test_the_code_digest_of_a_step_keeps_the_returns_hashes(tmp_path, monkeypatch):
    # The run's fingerprint records the returns' hashes; a step's digest of the code
    # (build_state.code_inputs) must keep them, or every run hashes every return again.
    from dagster_project.transform import build_state

    settings = _settings(tmp_path)
    fingerprint.take(settings)
    holders = str(settings.landing_dir / "2014" / "LA01" / "holders.csv")
    record = fingerprint.hash_cache_path(settings)
    assert holders in fingerprint.HashCache(record).entries
    code = tmp_path / "code"
    code.mkdir()
    (code / "model.sql").write_text("select 1")
    build_state.code_inputs(settings.warehouse, (code,), tmp_path)
    entries = fingerprint.HashCache(record).entries
    assert holders in entries and str(code / "model.sql") in entries
    hashed = []
    monkeypatch.setattr(fingerprint, "sha256_of", lambda path: hashed.append(path) or "x")
    fingerprint.take(settings)
    assert not [p for p in hashed if "landing" in str(p)]


def test_library_versions_are_read_again_when_a_path_folder_changes(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr("sys.path", [str(site)])
    versions = {"version": "1.0"}
    monkeypatch.setattr(fingerprint.metadata, "version", lambda name: versions["version"])
    before = fingerprint.libraries_digest()
    versions["version"] = "2.0"  # not seen: nothing was installed in a sys.path folder
    assert fingerprint.libraries_digest() == before
    (site / "pandas-2.0.dist-info").mkdir()  # an upgrade adds its dist-info folder
    os.utime(site, ns=(1, 1))  # a coarse clock must not hide the change
    assert fingerprint.libraries_digest() != before
