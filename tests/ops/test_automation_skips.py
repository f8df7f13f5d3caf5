"""The landing sensor and the nightly schedule start nothing when nothing changed."""

from __future__ import annotations

import dagster as dg

from dagster_project import fingerprint
from dagster_project.landing.sensors import landing_sensor, nightly_full_refresh
from dagster_project.settings_resource import SettingsResource


def _landing(root):
    landing = root / "landing"
    (landing / "2014" / "LA01").mkdir(parents=True)
    (landing / "organisations.csv").write_text("org_code,org_name\nLA01,One\n")
    (landing / "2014" / "LA01" / "holders.csv").write_text("respondent_id,consent\nH1,1\n")
    return landing


def _sense(instance, settings):
    with dg.build_sensor_context(instance=instance, resources={"settings": settings}) as context:
        return landing_sensor(context)


def _schedule(instance, settings):
    with dg.build_schedule_context(instance=instance, resources={"settings": settings}) as context:
        return nightly_full_refresh(context)


def test_sensor_and_schedule_skip_when_the_published_warehouse_is_current(tmp_path):
    landing = _landing(tmp_path)
    settings = SettingsResource(
        landing_dir=str(landing),
        warehouse=str(tmp_path / "warehouse.duckdb"),
        published=str(tmp_path / "poet.duckdb"),
        dagster_home=str(tmp_path / "dagster_home"),
    )
    with dg.instance_for_test() as instance:
        # Never published: both start a run.
        assert isinstance(_sense(instance, settings), dg.RunRequest)
        assert isinstance(_schedule(instance, settings), dg.RunRequest)

        # Published from exactly these inputs: neither does, and both say why in one line.
        published = tmp_path / "poet.duckdb"
        published.write_bytes(b"a published warehouse")
        fingerprint.write_record(
            published,
            "run-abc",
            "2026-11-30T08:00:00+00:00",
            fingerprint.take(settings.to_settings()),
        )
        for result in (
            _sense(instance, settings),
            _schedule(instance, settings),
        ):
            assert isinstance(result, dg.SkipReason)
            assert result.skip_message == (
                "nothing changed since run run-abc at 2026-11-30T08:00:00+00:00: "
                "the published warehouse is current"
            )

        # One return changes: the sensor starts a run again, tagged with its configuration.
        (landing / "2014" / "LA01" / "holders.csv").write_text("respondent_id,consent\nH2,1\n")
        request = _sense(instance, settings)
        assert isinstance(request, dg.RunRequest)
        assert request.tags["poet/landing_dir"] == str(landing)
        assert request.tags["poet/published"] == str(published)
