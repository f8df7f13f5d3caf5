"""Loaded by `poet run` in tests/hostile/test_refresh_hostile.py (PYTHONPATH=this folder).

It gives the gates one more contact-detail pattern, `planted`, that the staging redaction
(dbt) does not know: a detail the redaction misses by design, so the test does not
depend on which real forms the redaction happens to miss today. Nothing else changes.
"""

import importlib.abc
import importlib.util
import sys

PLANTED_PATTERN = r"ZEBRA-[0-9]{4}-KILO"
_PATCHED = {"dagster_project.quality.contact_details", "dagster_project.quality.runner"}


def _patch(module) -> None:
    if module.__name__.endswith("contact_details"):
        module.CONTACT_DETAIL_PATTERNS["planted"] = PLANTED_PATTERN
        return
    load = module.Suite.load.__func__

    def load_with_planted(cls, path):
        suite = load(cls, path)
        patterns = suite.poet.get("contact_detail_patterns")
        if patterns is not None:
            patterns["planted"] = PLANTED_PATTERN
        return suite

    module.Suite.load = classmethod(load_with_planted)


class _AfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in _PATCHED:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _patch(module)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AfterImport())
