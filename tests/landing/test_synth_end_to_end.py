"""Landing a `poet synth` folder agrees, file by file, with what the generator intended."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from dagster_project.landing.land import land_folder
from dagster_project.settings import REPO_ROOT

# The generator's intended reason -> the start of the reason landing gives.
REASON_PREFIX = {
    "unreadable": "file cannot be read: ",
    "missing_required_column": "missing required column",
    "repeated_respondent_id": "respondent_id repeated: ",
    "too_many_invalid_cells": "",  # checked below: "<x>% of answer cells invalid (limit 2%)"
    "unknown_organisation": "unknown organisation ",
}


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "landing"
    command = [sys.executable, "-m", "dagster_project.cli", "synth", "--out", str(folder)]
    command += ["--holders", "300", "--carers", "150", "--orgs", "12"]
    subprocess.run(command, check=True, cwd=REPO_ROOT, capture_output=True)
    return folder


def test_every_file_lands_as_the_generator_intended(synth_folder):
    manifest = json.loads((synth_folder / "synth_manifest.json").read_text())
    with duckdb.connect() as con:
        report = land_folder(con, synth_folder)
        registry = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT source_path, status, reason, rows, rows_used, rows_without_consent, invalid_cells "
                "FROM raw.file_registry"
            ).fetchall()
        }
        used_consenting = dict(
            con.execute(
                "SELECT wave || '/' || survey, sum(rows_used) FROM raw.file_registry "
                "WHERE status = 'used' GROUP BY ALL"
            ).fetchall()
        )
    assert report.ignored == ["synth_manifest.json"]
    assert set(registry) == {f["path"] for f in manifest["files"]}
    for expected in manifest["files"]:
        status, reason, rows, rows_used, without, invalid = registry[expected["path"]]
        assert status == expected["intended_status"], (expected["path"], reason)
        if status == "used":
            assert (rows, rows_used, without, invalid) == (
                expected["rows"],
                expected["consenting_rows"],
                expected["rows"] - expected["consenting_rows"],
                expected["invalid_cells"],
            ), expected["path"]
        else:
            assert rows_used == 0
            assert reason.startswith(REASON_PREFIX[expected["intended_reason"]]), reason
            if expected["intended_reason"] == "too_many_invalid_cells":
                share = 100 * expected["invalid_cells"] / expected["answered_cells"]
                assert reason == f"{share:.1f}% of answer cells invalid (limit 2%)"
    assert used_consenting == manifest["used_consenting"]
