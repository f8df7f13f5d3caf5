"""Free-text comments, some carrying the personal details that staging must redact.

The phrases are short and plain, like the answers in the 2014 returns; a share of
comments (FaultRates.comment_pii) gets one personal detail appended: a name after a
title, an email address, a UK phone number, a UK postcode or a ten-digit NHS number.
"""

from __future__ import annotations

import numpy as np

from dagster_project.synth.faults import planted_detail

PHRASES = {
    "comment_worked_well": (
        "Being able to choose my own personal assistants.",
        "I can decide when my support comes, which makes a big difference.",
        "More control over my life and my money.",
        "My support worker understands what I need.",
        "Going out to the day centre and meeting friends.",
        "The direct payment lets me pay for things that really help.",
        "Having the same carers every week.",
        "I feel more independent than before.",
        "The support planning meeting was really helpful.",
        "Getting help with the garden and shopping so I can stay at home.",
    ),
    "comment_not_worked": (
        "The paperwork for the direct payment is too much.",
        "It took months to get the budget agreed.",
        "Nobody explained what the money could be spent on.",
        "Finding reliable personal assistants is hard.",
        "The budget was cut at the last review without warning.",
        "Too many different people to speak to at the council.",
        "Changing my support takes far too long.",
        "I worry about getting the accounts wrong.",
    ),
    "comment_change": (
        "Simpler forms and less checking of receipts.",
        "One named person to contact when things go wrong.",
        "Quicker decisions when my needs change.",
        "More information about what is available locally.",
        "Let me carry unspent money over to the next month.",
        "Regular reviews that actually listen to us.",
        "More help to find and employ personal assistants.",
    ),
}
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
SURNAMES = ("Smith", "Jones", "Patel", "Williams", "Brown", "Taylor", "Khan", "Evans", "Walker")
FIRST_NAMES = ("jane", "john", "amir", "sarah", "peter", "linda", "tom", "grace")
DOMAINS = ("example.com", "example.org", "mail.example.co.uk")
PHONES = ("07700 900123", "0161 496 0000", "+44 7700 900456", "020 7946 0321", "01632 960001")
POSTCODES = ("M1 1AE", "SW1A 1AA", "LS6 2QT", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB")


def _nhs_number(rng: np.random.Generator) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, size=10))


def personal_detail(rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 10))
    if kind >= 5:  # every other written form the redaction must catch (faults.py)
        return planted_detail(rng)
    if kind == 0:
        title = TITLES[int(rng.integers(len(TITLES)))]
        return f"{title} {SURNAMES[int(rng.integers(len(SURNAMES)))]} has been very helpful."
    if kind == 1:
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        domain = DOMAINS[int(rng.integers(len(DOMAINS)))]
        return f"Please email me at {first}.{int(rng.integers(10, 99))}@{domain}"
    if kind == 2:
        return f"You can ring me on {PHONES[int(rng.integers(len(PHONES)))]}."
    if kind == 3:
        return f"I live at {POSTCODES[int(rng.integers(len(POSTCODES)))]} if you want to visit."
    return f"My NHS number is {_nhs_number(rng)}."


def comment_texts(
    variable: str, answered: np.ndarray, pii_share: float, rng: np.random.Generator
) -> np.ndarray:
    """Object array of comments: None where not answered."""
    phrases = PHRASES[variable]
    texts = np.full(len(answered), None, dtype=object)
    rows = np.flatnonzero(answered)
    picks = rng.integers(0, len(phrases), size=len(rows))
    with_pii = rng.random(len(rows)) < pii_share
    for row, pick, pii in zip(rows, picks, with_pii, strict=True):
        text = phrases[pick]
        texts[row] = f"{text} {personal_detail(rng)}" if pii else text
    return texts
