"""What unredacted contact details look like (analysis plan section 3).

The marts gate refuses any text value matching one of these. They are deliberately a
little broader than the redaction (a gate should err towards stopping a publish), but
case-sensitive where the real thing is: UK postcodes and names after a title are
written in capitals, and a lower-case match would mostly be ordinary words.
"""

from __future__ import annotations

CONTACT_DETAIL_PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    # +44 or a leading 0, then 9-10 more digits with optional spaces, hyphens, brackets.
    "uk_phone": r"(?:\+44\s?\(?0?\)?\s?|\(?\b0)\d{2,5}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b",
    "uk_postcode": r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2}\b",
    # NHS numbers: ten digits, often written 3-3-4.
    "nhs_number": r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b",
    "title_and_name": r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+",
}
