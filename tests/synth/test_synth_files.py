"""The written files: layout, file rules, faults, associations, determinism, options."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from synth_returns import answered_cells, file_problem, invalid_mask, read_return, used_rows

from dagster_project.cli import main as poet_main
from dagster_project.codebook import load_codebook
from dagster_project.synth.config import SynthConfig
from dagster_project.synth.generate import MANIFEST_NAME, generate

SMALL = dict(holders=300, carers=150, orgs=12)


def _landing_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.glob("*/*/*") if p.is_file())


def _digests(landing: Path) -> dict[str, str]:
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def test_layout_and_manifest_cover_every_file(default_landing, manifest):
    orgs = pd.read_csv(default_landing / "organisations.csv", dtype=str)
    assert list(orgs.columns) == ["org_code", "org_name", "org_type", "region"]
    assert set(orgs["org_type"]) == {"council", "nhs"}
    assert (orgs["org_type"] == "council").sum() == 26 and (orgs["org_type"] == "nhs").sum() == 20
    written = {str(p.relative_to(default_landing)) for p in _landing_files(default_landing)}
    assert written == {f["path"] for f in manifest["files"]}
    for path in written:
        wave, org, name = path.split("/")
        assert wave == "2014" and name.split(".")[0] in ("holders", "carers")
        assert name.split(".")[1] in ("csv", "xlsx", "sav")


def test_each_file_breaks_exactly_the_rule_it_is_meant_to(default_landing, manifest):
    known = set(pd.read_csv(default_landing / "organisations.csv", dtype=str)["org_code"])
    reasons = []
    for f in manifest["files"]:
        problem = file_problem(default_landing / f["path"], known)
        assert problem == f["intended_reason"], f["path"]
        assert (f["intended_status"] == "used") == (problem is None)
        reasons.append(problem)
    assert {r for r in reasons if r} == {
        "unreadable",
        "missing_required_column",
        "repeated_respondent_id",
        "too_many_invalid_cells",
        "unknown_organisation",
    }
    # bad files sit in slots without a good file
    used_slots = {
        (f["wave"], f["org_code"], f["survey"])
        for f in manifest["files"]
        if f["intended_status"] == "used"
    }
    for f in manifest["files"]:
        if f["intended_status"] == "quarantined":
            assert (f["wave"], f["org_code"], f["survey"]) not in used_slots


def test_good_files_have_every_variable_and_only_the_injected_invalid_cells(
    default_landing, manifest
):
    total_invalid = 0
    for f in manifest["files"]:
        if f["intended_status"] != "used":
            continue
        codebook = load_codebook(f["survey"])
        frame = read_return(default_landing / f["path"])
        assert set(codebook.names) <= set(frame.columns), f["path"]
        assert len(frame) == f["rows"]
        assert (frame["consent"] == "1").sum() == f["consenting_rows"]
        invalid = int(invalid_mask(frame, codebook).to_numpy().sum())
        assert invalid == f["invalid_cells"], f["path"]
        assert answered_cells(frame, codebook) == f["answered_cells"], f["path"]
        assert invalid <= 0.01 * f["answered_cells"], f["path"]
        total_invalid += invalid
    assert total_invalid > 0


def test_realistic_answers_and_faults(default_landing, manifest, holders):
    used = [f for f in manifest["files"] if f["intended_status"] == "used"]
    frames = [read_return(default_landing / f["path"]) for f in used]
    consent = pd.concat([fr["consent"] for fr in frames])
    assert (consent == "2").sum() > 0 and (consent == "").sum() > 0
    assert (holders["duration"] == "9").sum() > 0
    assert (holders["out_paid_work"] == "8").sum() > 0.5 * len(holders)
    plan = holders[[c for c in holders.columns if c.startswith("plan_help_")]]
    skipped = (plan == "").all(axis=1).mean()
    assert 0.02 < skipped < 0.08
    dates = holders["survey_date"][holders["survey_date"] != ""]
    assert dates.str.match(r"^2014-\d{2}-\d{2}$").all()
    formats = [f["file_format"] for f in used]
    assert formats.count("csv") > len(formats) / 2
    assert formats.count("xlsx") > 0 and formats.count("sav") > 0
    boms = [
        (default_landing / f["path"]).read_bytes()[:3] == b"\xef\xbb\xbf"
        for f in used
        if f["file_format"] == "csv"
    ]
    assert any(boms) and not all(boms)


PII = {
    "name": r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.? [A-Z][a-z]+",
    "email": r"[\w.+-]+@[\w-]+\.[\w.]+",
    "phone": r"(?:\+44 ?7\d{3}|\b0\d{2,4}) ?\d{3} ?\d{3,4}\b",
    "postcode": r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b",
    "nhs_number": r"\b\d{10}\b",
}


def test_comments_carry_every_kind_of_personal_detail(holders, carers):
    texts = pd.concat(
        [
            frame[c]
            for frame in (holders, carers)
            for c in ("comment_worked_well", "comment_not_worked", "comment_change")
        ]
    )
    texts = texts[texts != ""]
    for kind, pattern in PII.items():
        hits = texts.str.contains(pattern, regex=True).sum()
        assert hits >= 3, kind
    assert texts.str.contains("|".join(PII.values()), regex=True).mean() < 0.2


def _odds_ratio(x: pd.Series, y: pd.Series) -> float:
    keep = x.notna() & y.notna()
    x, y = x[keep], y[keep]
    a = ((x == 1) & (y == 1)).sum() + 0.5
    b = ((x == 1) & (y == 0)).sum() + 0.5
    c = ((x == 0) & (y == 1)).sum() + 0.5
    d = ((x == 0) & (y == 0)).sum() + 0.5
    return float(a * d / (b * c))


def _positive(frame: pd.DataFrame, variable: str) -> pd.Series:
    codes = pd.to_numeric(frame[variable].replace("", np.nan))
    return (codes <= 2).astype(float).where(codes.between(1, 5))


def _process_made_easy(frame: pd.DataFrame) -> pd.Series:
    items = frame[[c for c in frame.columns if c.startswith("process_")]]
    codes = items.replace("", np.nan).apply(pd.to_numeric).where(lambda v: (v >= 1) & (v <= 5))
    mean = codes.mean(axis=1)
    return (mean < 2.5).astype(float).where(codes.notna().sum(axis=1) >= 3)


def test_report_associations_keep_their_direction(holders, carers):
    easy = _process_made_easy(holders)
    views = pd.to_numeric(holders["views_budget"].replace("", np.nan))
    views_fully = (views == 1).astype(float).where(views.isin([1, 2, 3]))
    pa = (holders["spend_personal_assistant"] == "1").astype(float)
    for outcome in ("out_quality_of_life", "out_independence", "out_dignity", "out_safe"):
        positive = _positive(holders, outcome)
        assert _odds_ratio(easy, positive) > 1.5, outcome
        assert _odds_ratio(views_fully, positive) > 1.2, outcome
        assert _odds_ratio(pa, positive) > 1.3, outcome
    carer_views = pd.to_numeric(carers["views_person_needs"].replace("", np.nan))
    carer_fully = (carer_views == 1).astype(float).where(carer_views.isin([1, 2, 3, 4]))
    assert _odds_ratio(carer_fully, _positive(carers, "cout_continue_caring")) > 2.0
    # the process items hang together (report: mean inter-item r 0.60)
    items = holders[[c for c in holders.columns if c.startswith("process_")]]
    codes = items.replace("", np.nan).apply(pd.to_numeric).where(lambda v: (v >= 1) & (v <= 5))
    corr = codes.corr().to_numpy()
    assert 0.4 < corr[np.triu_indices_from(corr, 1)].mean() < 0.8


def test_organisations_differ_on_independence(holders):
    positive = _positive(holders, "out_independence")
    by_org = positive.groupby(holders["org_code"]).agg(["mean", "count"])
    big = by_org[by_org["count"] >= 40]["mean"]
    assert big.max() - big.min() > 0.15


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(first, SynthConfig(**SMALL))
    generate(second, SynthConfig(**SMALL))
    generate(other, SynthConfig(**SMALL, seed=7))
    a, b, c = _digests(first), _digests(second), _digests(other)
    assert {Path(p).suffix for p in a} >= {".csv", ".xlsx", ".sav", ".json"}
    assert a == b
    common = a.keys() & c.keys()  # the seed also picks who sends carer returns
    assert len(common) > 0.5 * len(a)
    assert sum(a[p] != c[p] for p in common) >= len(common) - 1  # organisations.csv may match


def test_chunking_keeps_totals_exact(tmp_path):
    manifest = generate(tmp_path, SynthConfig(**SMALL, chunk_rows=17, faults=False))
    assert manifest["used_consenting"] == {"2014/holders": 300, "2014/carers": 150}


def test_no_faults_gives_clean_files(tmp_path):
    manifest = generate(tmp_path, SynthConfig(**SMALL, faults=False))
    assert all(f["intended_status"] == "used" for f in manifest["files"])
    known = set(pd.read_csv(tmp_path / "organisations.csv", dtype=str)["org_code"])
    for f in manifest["files"]:
        path = tmp_path / f["path"]
        assert file_problem(path, known) is None
        frame = read_return(path)
        assert not invalid_mask(frame, load_codebook(f["survey"])).to_numpy().any()
        comments = pd.concat([frame[c] for c in frame.columns if c.startswith("comment_")])
        assert not comments.str.contains(PII["email"] + "|" + PII["nhs_number"]).any()


def test_cli_waves_and_errors(tmp_path, capsys):
    out = tmp_path / "landing"
    status = poet_main(
        [
            "synth",
            "--out",
            str(out),
            "--holders",
            "120",
            "--carers",
            "60",
            "--orgs",
            "8",
            "--waves",
            "2013,2014",
            "--seed",
            "3",
        ]
    )
    assert status == 0
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["used_consenting"] == {
        "2013/holders": 120,
        "2013/carers": 60,
        "2014/holders": 120,
        "2014/carers": 60,
    }
    assert {p.name for p in out.iterdir()} >= {"2013", "2014", "organisations.csv"}
    assert poet_main(["synth", "--out", str(out), "--orgs", "3"]) == 2
    assert "--orgs" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        poet_main(["synth", "--out", str(out), "--waves", "twenty"])


def test_invalid_codes_follow_the_codebook(tmp_path):
    """A file's invalid cells are exactly the non-codebook values: spot-check one variable."""
    generate(tmp_path, SynthConfig(**SMALL))
    frame = read_return(next(tmp_path.glob("2014/LA*/holders.csv")))
    codes = set(load_codebook("holders")["general_health"].codes)
    values = set(pd.to_numeric(frame["general_health"].replace("", np.nan)).dropna())
    assert values - codes <= {0, 6, 7, 10, 11, 77, 98}
    assert re.fullmatch(r"LA\d\d-H14-\d{6}", frame["respondent_id"].iloc[0])


def test_rerun_replaces_earlier_output_and_refuses_foreign_folders(tmp_path):
    generate(tmp_path / "a", SynthConfig(**SMALL))
    generate(tmp_path / "a", SynthConfig(**SMALL, seed=11))
    manifest = json.loads((tmp_path / "a" / MANIFEST_NAME).read_text())
    written = {str(p.relative_to(tmp_path / "a")) for p in _landing_files(tmp_path / "a")}
    assert written == {f["path"] for f in manifest["files"]}
    foreign = tmp_path / "b"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate(foreign, SynthConfig(**SMALL))


def test_2014_wave_is_the_same_bytes_whatever_other_waves_are_generated(tmp_path):
    """Waves are generated independently (seeded per wave) and 2014 is the anchor of the
    drift: adding 2013 and 2015 leaves every 2014 file as in a 2014-only set."""
    alone, three = tmp_path / "alone", tmp_path / "three"
    generate(alone, SynthConfig(**SMALL))
    generate(three, SynthConfig(**SMALL, waves=(2013, 2014, 2015)))
    a = {p: d for p, d in _digests(alone).items() if p.startswith("2014/")}
    b = {p: d for p, d in _digests(three).items() if p.startswith("2014/")}
    assert a and a == b


def test_drift_moves_national_shares_by_the_planted_points(tmp_path):
    drift = (("independence", 10.0), ("carer_stress", -9.0))
    manifest = generate(tmp_path, SynthConfig(**SMALL, waves=(2013, 2014), drift=drift))
    planted = manifest["planted"]
    change = (
        planted["2014/holders"]["national"]["independence"]
        - planted["2013/holders"]["national"]["independence"]
    )
    assert change == pytest.approx(10.0)
    assert (
        planted["2014/holders"]["national"]["dignity"]
        == planted["2013/holders"]["national"]["dignity"]
    )
    holders = used_rows(tmp_path, "holders")
    holders["wave"] = holders["respondent_id"].str.slice(-9, -7).astype(int) + 2000
    share = _positive(holders, "out_independence").groupby(holders["wave"]).mean() * 100
    assert share[2014] - share[2013] == pytest.approx(10.0, abs=2.0)
    with pytest.raises(ValueError, match="unknown outcome"):
        SynthConfig(drift=(("happiness", 3.0),)).validate()


def test_cli_drift_options(tmp_path, capsys):
    out = tmp_path / "landing"
    args = [
        "synth",
        "--out",
        str(out),
        "--holders",
        "120",
        "--carers",
        "60",
        "--orgs",
        "8",
        "--waves",
        "2013,2014",
        "--drift",
        "none",
        "--org-drift",
        "LA01=1.5",
    ]
    assert poet_main(args) == 0
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["drift_points_per_year"] == {}
    assert manifest["org_drift_logit_per_year"] == {"LA01": 1.5}
    national = manifest["planted"]
    assert national["2013/holders"]["national"] == national["2014/holders"]["national"]
    assert poet_main([*args[:-1], "XX01=1"]) == 2
    assert "unknown organisations" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        poet_main(["synth", "--out", str(out), "--drift", "independence"])
