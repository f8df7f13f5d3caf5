"""dbt's partial-parse state, valid for every warehouse of the project (DECISIONS R31).

dbt re-uses target/partial_parse.msgpack only when the profile's hash is unchanged, and
that hash covers every connection value: the warehouse path and DuckDB's options (its
memory limit and spill folder, which name the warehouse too; `config_options` in
profiles.yml, `settings` before). So each new warehouse, a
first refresh, each benchmark and each test of a refresh, paid a full parse of the
project: about 9 CPU seconds against 1 for a partial one (docs/refresh-passes.md).

What a parse produces depends on the profile through the jinja context and through the
database name every node carries. dbt-duckdb names the database after the warehouse
file's stem, and that name stays in the hash. This project's SQL reads no other
connection value (`target.schema` only; tests/transform/test_parse_state.py checks it).
So the hash here leaves the path and the options out, and a new warehouse's target
folder starts from the state of the project's own parse (`dbt_project/target`, made by
`prepare_manifest`): dbt then parses only the files that changed since, as it does
between two runs of one warehouse. A warehouse with another file name, another schema or
other extensions still gets a full parse.

Run as a module, it is `dbt` with that hash: `python -m dagster_project.transform.parse_state
parse ...` (transform/project.py makes the project's manifest with it).
"""

from __future__ import annotations

import os
import pprint
import shutil
import sys
from pathlib import Path

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# Connection values that name one warehouse and do not change what a parse produces.
WAREHOUSE_ONLY_KEYS = frozenset({"path", "config_options", "settings"})
_PLACEHOLDER = "<one per warehouse>"


def profile_hash_values(connection_info: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The connection values dbt's profile hash is made of here, sorted as dbt sorts them."""
    return sorted(
        (key, _PLACEHOLDER if key in WAREHOUSE_ONLY_KEYS else value)
        for key, value in connection_info
    )


def install() -> None:
    """Make dbt's state check hash the profile without the warehouse-only values (once)."""
    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    original = ManifestLoader.build_manifest_state_check
    if getattr(original, "poet_warehouse_free", False):
        return

    def build_manifest_state_check(self):  # noqa: ANN001, ANN202 (dbt's signature)
        state = original(self)
        values = profile_hash_values(list(self.root_project.credentials.connection_info()))
        state.profile_hash = FileHash.from_contents(pprint.pformat(values))
        return state

    build_manifest_state_check.poet_warehouse_free = True  # type: ignore[attr-defined]
    ManifestLoader.build_manifest_state_check = build_manifest_state_check


def seed(target_path: Path, project_target: Path) -> bool:
    """Give a new target folder the project's partial-parse state; True if copied.

    dbt checks the copy as its own (files, profile, vars) and parses in full whatever it
    cannot trust, so a stale or foreign seed costs a full parse, never a wrong manifest.
    """
    source = project_target / PARTIAL_PARSE_FILE
    destination = target_path / PARTIAL_PARSE_FILE
    if destination.exists() or not source.exists():
        return False
    target_path.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f"{PARTIAL_PARSE_FILE}.{os.getpid()}.part")
    shutil.copyfile(source, partial)
    os.replace(partial, destination)  # a concurrent reader sees the whole file or none
    return True


def main(argv: list[str]) -> int:
    install()
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(argv)
    if result.exception is not None:
        print(f"dbt failed: {result.exception}", file=sys.stderr)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
