"""What unredacted personal details look like (analysis plan section 3).

The marts gate refuses any text value matching one of these. They are the redaction's
own patterns (dagster_project/redaction.py, the one definition the dbt macro is rendered
from): every fixed-form rule as it is (e-mail, phone, NHS number, NI number, postcode)
and a title followed by a listed first name or surname. Each is a subset of what staging
redacts, so correctly redacted text always passes, and any text column (an
organisation's name included) can be scanned without a bare first name tripping it.
Dates are left to the dbt test on the published comments (assert_no_unredacted_comments,
same rule): a text column such as data_quality_issues.raw_value rightly holds dates.
"""

from __future__ import annotations

from dagster_project.redaction import gate_patterns

CONTACT_DETAIL_PATTERNS: dict[str, str] = gate_patterns()
# The name of the check that scans for them, in gate results and the UI.
CONTACT_DETAILS_CHECK = "poet_no_contact_details"
