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
