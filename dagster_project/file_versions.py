"""What identifies a file version's rows in a table (docs/landing.md, DECISIONS R17-R18).

A version is a slot (wave, organisation, survey) and a sha256. A table holding the rows
of file versions names its version in some of the columns below; the incremental dbt
models, the gates (quality/gated_versions.py), the theme coding (themes/marts.py) and
the publish (publish/publisher.py) all recognise such a table, and match its versions,
with these two functions.
"""

from __future__ import annotations

from collections.abc import Iterable

# The columns that tell versions apart, where a table has them: `survey` when the table
# holds both surveys, `source_path` in staging, `org_type` in the responses marts (a
# version whose organisation changed type is another set of rows).
VERSION_COLUMNS = ("wave", "survey", "org_code", "source_path", "source_sha256", "org_type")
REQUIRED_COLUMNS = ("wave", "org_code", "source_sha256")


def version_keys(columns: Iterable[str]) -> tuple[str, ...] | None:
    """The table's version columns, or None when it is not a table of file versions."""
    present = set(columns)
    if not all(c in present for c in REQUIRED_COLUMNS):
        return None
    return tuple(c for c in VERSION_COLUMNS if c in present)


def same_version(keys: Iterable[str], a: str, b: str) -> str:
    """A SQL condition: the rows aliased `a` and `b` belong to the same version."""
    return " AND ".join(f'{a}."{k}" IS NOT DISTINCT FROM {b}."{k}"' for k in keys)
