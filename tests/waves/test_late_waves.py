"""A wave that arrives late or is re-sent (issue 13, point 4): `poet run` recomputes the
changes that involve it, and every other comparison stays exactly as it was."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from waves_helpers import poet, published

from dagster_project.settings import isolated_environment

pytestmark = pytest.mark.slow

SIZE = ["--holders", "600", "--carers", "300", "--orgs", "8", "--no-faults"]
FIGURES = ["n_relevant", "pct_positive", "previous_n_relevant", "previous_pct_positive",
           "change_points", "ci_low", "ci_high", "p_value", "direction"]  # fmt: skip


def _changes(root) -> tuple[pd.DataFrame, pd.DataFrame]:
    national = published(root, "SELECT * FROM marts.trend_changes")
    orgs = published(root, "SELECT * FROM marts.org_trend_changes")
    key = ["survey", "outcome_id", "wave"]
    return (
        national.set_index(key).sort_index(),
        orgs.set_index(["survey", "org_code", "outcome_id", "wave"]).sort_index(),
    )


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    # Same figures: a column may come back as Int64 or int64 depending on whether the
    # whole table (not this slice) holds a NULL.
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, check_dtype=False)


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    """One synth set of 2013-2015 (kept aside) and an installation whose landing folder
    gets them one step at a time."""
    source = tmp_path_factory.mktemp("source")
    root = tmp_path_factory.mktemp("late")
    env = isolated_environment(root)
    poet(env, "synth", "--out", str(source), "--waves", "2013,2014,2015", *SIZE)
    landing = root / "landing"
    landing.mkdir()
    shutil.copy(source / "organisations.csv", landing)
    for wave in ("2014", "2015"):
        shutil.copytree(source / wave, landing / wave)
    for carers in (landing / "2015").glob("*/carers.*"):
        carers.unlink()  # 2015 has holders' returns only
    return source, root, env


def test_late_and_resent_waves(waves):
    source, root, env = waves
    landing = root / "landing"

    # 1. 2014 and 2015 (2015 without carers): one comparison, holders only
    poet(env, "run")
    national, orgs = _changes(root)
    pairs = national.reset_index().groupby(["survey", "wave", "previous_wave"]).size()
    assert pairs.to_dict() == {("holders", 2015, 2014): 15}
    assert (orgs.reset_index()["survey"] == "holders").all()
    first_national, first_orgs = national, orgs

    # 2. 2013 arrives after the later waves: 2014 is now compared with 2013; the
    #    2015-2014 comparison is unchanged
    shutil.copytree(source / "2013", landing / "2013")
    poet(env, "run")
    national, orgs = _changes(root)
    pairs = national.reset_index().groupby(["survey", "wave", "previous_wave"]).size()
    assert pairs.to_dict() == {
        ("carers", 2014, 2013): 8, ("holders", 2014, 2013): 15, ("holders", 2015, 2014): 15,
    }  # fmt: skip
    _same(national.xs(2015, level="wave"), first_national.xs(2015, level="wave"))
    _same(orgs.xs(2015, level="wave"), first_orgs.xs(2015, level="wave"))
    second_national, second_orgs = national, orgs

    # 3. an old wave's return is re-sent (2013, one council's holders, half its rows):
    #    the 2014-2013 holders comparisons that involve it change, nothing else does
    resent = sorted((landing / "2013").glob("*/holders.csv"))[0]
    org_code = resent.parent.name
    lines = resent.read_text(encoding="utf-8").splitlines(keepends=True)
    resent.write_text("".join(lines[: 1 + (len(lines) - 1) // 2]), encoding="utf-8")
    poet(env, "run")
    national, orgs = _changes(root)
    _resent_changes_only_what_involves_it(national, orgs, second_national, second_orgs, org_code)


def _mask(frame: pd.DataFrame, **levels) -> pd.Series:
    """Rows whose index levels equal the given values."""
    keep = pd.Series(True, index=frame.index)
    for level, value in levels.items():
        keep &= frame.index.get_level_values(level) == value
    return keep


def _resent_changes_only_what_involves_it(national, orgs, before_national, before_orgs, org_code):
    involved = _mask(national, survey="holders", wave=2014)
    before = _mask(before_national, survey="holders", wave=2014)
    assert involved.sum() == 15
    assert (
        national.loc[involved, "previous_n_relevant"]
        < before_national.loc[before, "previous_n_relevant"]
    ).all()
    _same(national.loc[~involved], before_national.loc[~before])
    org_involved = _mask(orgs, survey="holders", org_code=org_code, wave=2014)
    org_before = _mask(before_orgs, survey="holders", org_code=org_code, wave=2014)
    assert org_involved.sum() == 15
    assert not orgs.loc[org_involved, FIGURES].equals(before_orgs.loc[org_before, FIGURES])
    _same(orgs.loc[~org_involved], before_orgs.loc[~org_before])
