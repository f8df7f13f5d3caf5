"""The gates on the organisation list never notice first (docs/quality.md, "Gate bounds and
landing rules"): a list with every problem landing knows (a code repeated with different
details, an org_type outside council/nhs, blank codes, names holding contact details,
blank lines, stray whitespace) lands, dbt builds and tests stg_organisations and
stg_holders (unique, accepted_values, relationships) and marts.organisations, and the real
gates pass. Without the landing rules each of them fails here."""

from __future__ import annotations

import re

import duckdb
import pytest
from dbt_subprocess import run_dbt
from landing_builders import holders_rows, write_csv

from dagster_project.landing.land import land_folder
from dagster_project.quality.gated_tables import gated_table
from dagster_project.quality.runner import Suite, run_suite

pytestmark = pytest.mark.slow

FIRST_LIST = (
    "org_code,org_name,org_type,region\n"
    "LA01,Northtown Council,council,North\n"
    "LA02,Southby Council,council,South\n"
    "LA03,Westby Council,council,West\n"
)
HOSTILE_LIST = (
    "org_code , Org_Name,ORG_TYPE,region\r\n"
    " LA01 ,Northtown Council, Council ,North\n"  # stray whitespace and case: listed
    "\n"
    "LA02,Southby Council,council,South\r\n"
    "LA02,Southby Council,nhs,South\n"  # repeated with a different org_type: both left out
    "LA03,Westby Council,unitary,West\n"  # not council or nhs: left out
    ",Nameless,council,North\n"  # no code: left out
    "LA04,Dr Smith Surgery,nhs,LS1 4AP\n"  # contact details: listed without them
    "LA04,Dr Smith Surgery,NHS,LS1 4AP\n"  # the same again: a repeat
    ",,,\n"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("organisation_gates")
    landing = root / "landing"
    landing.mkdir()
    (landing / "organisations.csv").write_text(FIRST_LIST)
    for org in ("LA01", "LA02", "LA03"):
        write_csv(landing / f"2014/{org}/holders.csv", holders_rows(20))
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    land_folder(con, landing)
    # LA03's return leaves the folder (it stays used), then the list changes.
    (landing / "2014/LA03/holders.csv").unlink()
    (landing / "organisations.csv").write_bytes(HOSTILE_LIST.encode())
    write_csv(landing / "2014/LA04/holders.csv", holders_rows(20))
    report = land_folder(con, landing)
    con.close()
    dbt = run_dbt(
        warehouse, root, "build", "--select", "stg_organisations", "stg_holders", "organisations",
        "--indirect-selection", "cautious",
    )  # fmt: skip
    con = duckdb.connect(str(warehouse), read_only=True)
    gates = {
        name: run_suite(con, Suite.load(gated_table(name).suite_path))
        for name in ("staging.stg_holders", "marts.organisations")
    }
    registry = dict(
        con.execute(
            "SELECT source_path, coalesce(reason, status) FROM raw.file_registry"
        ).fetchall()
    )
    published = con.execute(
        "SELECT line, org_code, org_name, org_type, region, status FROM marts.organisations "
        "ORDER BY line"
    ).fetchall()
    staged = con.execute(
        "SELECT org_code, count(*) FROM staging.stg_holders GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    con.close()
    yield report, dbt, gates, registry, published, staged


def test_dbt_tests_of_the_list_pass(built):
    _report, dbt, _gates, _registry, _published, _staged = built
    # unique and not_null org_code, accepted_values org_type, relationships from stg_holders
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    for test in (
        "unique_stg_organisations_org_code",
        "not_null_stg_organisations_org_code",
        "accepted_values_stg_organisations_org_type",
        "relationships_stg_holders_org_code",
    ):
        assert re.search(rf"PASS {test}", dbt.stdout), f"{test} did not run and pass"


def test_gates_pass(built):
    _report, _dbt, gates, _registry, _published, _staged = built
    for result in gates.values():
        assert result.success, result.summary()


def test_what_landing_decided_is_published(built):
    _report, _dbt, _gates, registry, published, staged = built
    assert published == [
        (2, "LA01", "Northtown Council", "council", "North", "listed"),
        (4, "LA02", "Southby Council", "council", "South", "left_out"),
        (5, "LA02", "Southby Council", "nhs", "South", "left_out"),
        (6, "LA03", "Westby Council", "unitary", "West", "left_out"),
        (7, None, "Nameless", "council", "North", "left_out"),
        (8, "LA04", None, "nhs", None, "listed"),
        (9, "LA04", None, "nhs", None, "repeat"),
    ]
    assert registry["2014/LA02/holders.csv"].startswith(
        "organisation LA02 left out of organisations.csv (line 4: org_code 'LA02' is on lines 4 and 5"
    )
    # Not in the folder any more, but its organisation left the list: not used.
    assert registry["2014/LA03/holders.csv"].startswith(
        "organisation LA03 left out of organisations.csv (line 6: org_type 'unitary'"
    )
    assert staged == [("LA01", 20), ("LA04", 20)]
