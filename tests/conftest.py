"""Set-up shared by every stage's tests.

The dbt manifest is prepared once, in the main pytest process, before any worker starts:
`make test` runs the suite on two pytest-xdist workers (`-n 2 --dist loadfile`: a
module's tests stay on one worker, so a module-scoped refresh runs once), and the
workers would otherwise race to parse the project into the same target folder.
(`--dist loadgroup` would keep a folder's modules together too, but it does not group
under pytest 9: the group is never added to the test ids.)
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        from dagster_project.transform.project import prepare_manifest

        prepare_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules marked slow (the refresh stories) first, each module's tests in their order.

    `make test` runs `--dist loadfile --no-loadscope-reorder`: the workers take modules
    in collection order (pytest-xdist's default order is most tests first, which put the
    refresh stories, few tests each, last), so the long stories start at once and the
    many quick modules fill in beside them instead of a story running alone at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
