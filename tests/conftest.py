"""Set-up shared by every stage's tests.

- The dbt manifest is prepared once, in the main pytest process, before any worker
  starts: pytest-xdist workers would otherwise race to parse the project into the same
  target folder.
- `make test` runs the suite on two workers (`pytest -n 2 --dist loadgroup`). Each test
  is put in a group, and a group runs on one worker: a module's tests share their
  module-scoped fixtures (often a real refresh), and a folder whose conftest.py holds a
  session-scoped fixture (one refresh shared by its modules) is one group.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        from dagster_project.transform.project import prepare_manifest

        prepare_manifest()


@cache
def _shares_a_session_fixture(folder: Path) -> bool:
    conftest = folder / "conftest.py"
    return conftest.exists() and 'scope="session"' in conftest.read_text(encoding="utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = Path(str(item.path))
        group = module.parent if _shares_a_session_fixture(module.parent) else module
        item.add_marker(pytest.mark.xdist_group(str(group.relative_to(Path(__file__).parent))))
