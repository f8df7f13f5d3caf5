"""Free-text comments that carry themes, some with the personal details staging must redact.

Each non-blank comment carries each theme of its survey independently with the share
THEME_SHARES gives for its question (the 2014 report publishes how many people commented
on each question, which targets.py uses, but its theme figures 12 and 20 are charts
whose values were not transcribed: every share here is a named assumption, chosen to
look like the report's charts: support and choice lead what worked well, process,
funding and timeliness lead what did not). A comment drawn with no theme is a vague
answer ("nothing really"). The words come from fragments per theme and question, joined
and varied (case, apostrophes, a misspelt word, openers), so the coder meets wording it
was not written from. A share of comments (FaultRates.comment_pii) gets one personal
detail appended: a name after a title, an email address, a UK phone number, a UK
postcode or a ten-digit NHS number.

`comment_texts` also returns the themes each comment was written to carry; `ThemeSample`
keeps those of the first consenting commenters of each return and writes them as the
demo's hand-coded sample, `<wave>/theme_codes.csv` (contract README, "Hand-coded
themes"): the codes a careful analyst would give, which the rules will not always match.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from dagster_project.synth.faults import planted_detail

QUESTIONS = {
    "comment_worked_well": "worked_well",
    "comment_not_worked": "not_worked",
    "comment_change": "change",
}
THEME_CODES_FILE = "theme_codes.csv"
SAMPLE_RESPONDENTS_PER_FILE = 6  # consenting commenters per return in the demo sample

# Assumption: share of a question's comments carrying each theme (see the docstring).
THEME_SHARES: dict[str, dict[str, dict[str, float]]] = {
    "holders": {
        "worked_well": {
            "support": 0.30, "choice_control": 0.26, "independence": 0.16,
            "quality_of_life": 0.14, "positive": 0.10, "carer": 0.06, "health": 0.06,
            "home": 0.04, "staff": 0.07, "stress_worry": 0.04, "managing_budget": 0.04,
            "timeliness": 0.02, "advice": 0.03,
        },
        "not_worked": {
            "process": 0.18, "funding_service_level": 0.16, "timeliness": 0.12,
            "staff": 0.10, "communication": 0.10, "set_up": 0.10, "managing_budget": 0.08,
            "advice": 0.08, "review": 0.06, "stress_worry": 0.06, "support": 0.06,
            "choice_control": 0.03,
        },
        "change": {
            "funding_service_level": 0.16, "process": 0.15, "advice": 0.12,
            "communication": 0.10, "timeliness": 0.08, "choice_control": 0.08,
            "set_up": 0.07, "support": 0.08, "staff": 0.06, "review": 0.05,
            "managing_budget": 0.06, "positive": 0.04,
        },
    },
    "carers": {
        "worked_well": {
            "life_for_carer": 0.26, "life_for_person": 0.24, "support": 0.22,
            "choice_control": 0.16, "stress_worry": 0.08, "managing_budget": 0.04,
            "employment_setup": 0.04, "carers_role": 0.05, "advice": 0.03, "timeliness": 0.02,
        },
        "not_worked": {
            "process": 0.16, "service_level": 0.16, "employment_setup": 0.12,
            "carers_role": 0.10, "stress_worry": 0.10, "timeliness": 0.10,
            "managing_budget": 0.09, "advice": 0.08, "support": 0.07,
            "life_for_carer": 0.05, "choice_control": 0.03,
        },
        "change": {
            "service_level": 0.18, "process": 0.14, "advice": 0.12, "employment_setup": 0.09,
            "timeliness": 0.08, "support": 0.10, "choice_control": 0.07,
            "managing_budget": 0.06, "carers_role": 0.06, "life_for_carer": 0.05,
        },
    },
}  # fmt: skip

# What a comment on a theme says, by question: W worked well, N not worked, C change.
_W, _N, _C = "worked_well", "not_worked", "change"
FRAGMENTS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "holders": {
        "support": {
            _W: (
                "my personal assistant helps me every morning",
                "the respite breaks",
                "a good agency that sends the same faces",
                "going to the day centre on tuesdays",
            ),
            _N: (
                "the agency sends someone different every visit",
                "the day service shut down",
                "no one comes at weekends to help me",
            ),
            _C: (
                "more activities in the evenings",
                "a sitting service so I can go out",
                "better equipment for the bathroom",
            ),
        },
        "choice_control": {
            _W: (
                "I decide who comes and when",
                "being in control of my own support",
                "the freedom to choose what suits me",
                "flexibility to change my hours",
            ),
            _N: ("I still have no real choice", "the council decides everything for me"),
            _C: ("let me choose my own provider", "more flexibility in what I can buy"),
        },
        "independence": {
            _W: (
                "I can get out and about again",
                "staying in my own home",
                "I am more independent now",
                "a taxi to get to college",
            ),
            _N: ("stuck indoors most of the week",),
            _C: ("help with transport so I can get out",),
        },
        "quality_of_life": {
            _W: (
                "my life is so much better",
                "I enjoy things again",
                "more confidence and I see my friends",
            ),
            _N: ("I feel lonely most days",),
            _C: ("more chances to see friends",),
        },
        "positive": {
            _W: ("everything", "all good thank you", "very pleased with it all"),
            _C: ("keep it as it is", "no changes, thank you"),
        },
        "carer": {
            _W: ("my wife gets a break", "my daughter can have her own life again"),
            _N: ("my husband is still worn out",),
            _C: ("a proper break for my mum",),
        },
        "health": {
            _W: (
                "my mental health has improved",
                "fewer trips to hospital",
                "physio has helped my back",
            ),
            _N: ("my health has got worse",),
            _C: ("support with my depression",),
        },
        "home": {
            _W: ("help with the cleaning and the garden", "the house is easier to manage"),
            _N: ("my bathroom still isnt adapted",),
            _C: ("help around the house",),
        },
        "staff": {
            _W: ("a very understanding social worker", "the assessor listened to me"),
            _N: (
                "the social worker had no idea about my condition",
                "staff at the council were rude",
            ),
            _C: ("better trained social workers", "staff who listen"),
        },
        "stress_worry": {
            _W: ("peace of mind", "much less stress"),
            _N: ("it worries me sick", "the stress of it all"),
        },
        "managing_budget": {
            _W: ("the prepaid card is easy to use", "the payroll service sorts the money side"),
            _N: ("keeping every receipt", "the yearly audit of my account"),
            _C: ("an easier way to do the accounts", "less checking of every penny"),
        },
        "timeliness": {
            _W: ("it was sorted quickly",),
            _N: (
                "it took months to get started",
                "the waiting, months of it",
                "changes take far too long",
            ),
            _C: ("faster decisions", "less waiting"),
        },
        "advice": {
            _W: ("clear information about what I can spend it on",),
            _N: ("nobody explained the rules", "no information about what is out there"),
            _C: ("clearer guidance on what is allowed", "a leaflet explaining how it works"),
        },
        "process": {
            _N: (
                "far too much paperwork",
                "the forms are a nightmare",
                "the application process is so complicated",
            ),
            _C: ("less paperwork", "a simpler application form", "cut the red tape"),
        },
        "funding_service_level": {
            _N: ("not enough money for my needs", "my hours were cut", "the budget is too small"),
            _C: ("more money", "more hours", "a budget that keeps up with costs"),
        },
        "communication": {
            _N: (
                "I can never get hold of anyone",
                "phone calls never returned",
                "the nhs and the council dont talk to each other",
            ),
            _C: ("someone who answers the phone", "one point of contact"),
        },
        "set_up": {
            _N: (
                "finding a reliable PA is very hard",
                "nobody to employ in my area",
                "my PA left and I cant find another",
            ),
            _C: ("help to recruit staff", "a list of local PAs"),
        },
        "review": {
            _N: ("my review was cancelled twice", "reviews are a worry every year"),
            _C: ("regular reviews", "reviews that dont just cut the budget"),
        },
    },
    "carers": {
        "life_for_carer": {
            _W: ("I get some time for myself", "I can keep working", "a rest for me now and then"),
            _N: ("no time for me at all", "I had to give up my job"),
            _C: ("a break for me once a month",),
        },
        "life_for_person": {
            _W: ("my son is happier", "mum has a better life", "he goes out with friends now"),
            _N: ("dad is bored all day",),
        },
        "support": {
            _W: ("the respite is wonderful", "a PA who knows him well", "the day centre"),
            _N: ("the agency is unreliable", "nothing locally for her"),
            _C: ("more respite", "more activities for him"),
        },
        "choice_control": {
            _W: ("we choose what suits us", "the flexibility"),
            _N: ("no choice of provider",),
            _C: ("more say in how it is spent",),
        },
        "stress_worry": {
            _W: ("much less worry", "peace of mind for the whole family"),
            _N: ("constant stress", "I worry about the future"),
        },
        "managing_budget": {
            _W: ("the money side is easy online",),
            _N: ("the accounts take ages every month", "keeping receipts for everything"),
            _C: ("a simpler way to account for the money",),
        },
        "employment_setup": {
            _W: ("we found good PAs quickly",),
            _N: ("recruiting PAs is so hard", "being an employer is a lot"),
            _C: ("help with employing staff", "support to recruit PAs"),
        },
        "carers_role": {
            _W: ("I am his mum again not just his carer",),
            _N: ("I still organise everything myself", "it is like a second job on top of caring"),
            _C: ("recognise what unpaid carers do",),
        },
        "advice": {
            _W: ("good advice from the carers centre",),
            _N: ("nobody explained what we could use it for",),
            _C: ("clear information at the start",),
        },
        "timeliness": {
            _W: ("it was set up quickly",),
            _N: ("months of waiting",),
            _C: ("quicker decisions",),
        },
        "process": {
            _N: ("too many forms", "the assessment process is exhausting"),
            _C: ("less paperwork", "a simpler process"),
        },
        "service_level": {
            _N: ("not enough hours", "the budget was cut"),
            _C: ("more money", "more hours each week"),
        },
    },
}
VAGUE = ("nothing really", "not sure", "n/a", "no comment", "cant think of anything", "-")
OPENERS = ("", "", "", "Well, ", "Honestly ", "To be honest ", "I think ")
JOINERS = (", and ", ". Also ", " and ", "; ", ", ")
MISSPELLINGS = (("receipt", "reciept"), ("assessment", "assesment"), ("really", "realy"),
                ("information", "infomation"), ("flexibility", "flexability"),
                ("independent", "independant"), ("months", "monthes"))  # fmt: skip


def themes_column(variable: str) -> str:
    """The hidden column (never written to a return) of a comment's intended themes."""
    return f"_themes:{variable}"


def _fragments(survey: str, question: str) -> list[tuple[str, ...]]:
    """The fragments of each theme (in THEME_SHARES order) for a question; a theme without
    words for this question borrows those of another."""
    out = []
    for theme in THEME_SHARES[survey][question]:
        by_question = FRAGMENTS[survey][theme]
        out.append(by_question.get(question) or next(iter(by_question.values())))
    return out


def _styled(text: str, style: list[float]) -> str:
    """Vary the surface: opener, capital or all lower case, apostrophes, a misspelling."""
    text = OPENERS[int(style[0] * len(OPENERS))] + text
    text = text.lower() if style[1] < 0.25 else text[0].upper() + text[1:]
    if style[2] < 0.12:
        for right, wrong in MISSPELLINGS:
            if right in text:
                text = text.replace(right, wrong, 1)
                break
    if style[3] < 0.5:
        text += "."
    elif style[3] < 0.6:
        text += "!!"
    return text


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
    variable: str,
    answered: np.ndarray,
    pii_share: float,
    rng: np.random.Generator,
    survey: str = "holders",
) -> tuple[np.ndarray, np.ndarray]:
    """Object arrays of comments and of the themes each carries (`;`-separated, "" for a
    vague comment): None where not answered."""
    question = QUESTIONS[variable]
    shares = THEME_SHARES[survey][question]
    themes = list(shares)
    fragments = _fragments(survey, question)
    texts = np.full(len(answered), None, dtype=object)
    carried = np.full(len(answered), None, dtype=object)
    rows = np.flatnonzero(answered)
    draws = rng.random((len(rows), len(themes))) < np.array([shares[t] for t in themes])
    # Which themes a comment carries, as one integer per row (bit t = theme t); the
    # fragment of theme t is picked by bits 3t.. of one random integer per row.
    masks = draws.astype(np.int64) @ (1 << np.arange(len(themes), dtype=np.int64))
    picks = rng.integers(0, 1 << 62, size=len(rows), dtype=np.int64)
    joins = rng.integers(0, len(JOINERS), size=len(rows))
    styles = rng.random((len(rows), 4))
    with_pii = rng.random(len(rows)) < pii_share
    chosen_of: dict[int, tuple[tuple[int, ...], str]] = {}
    # Plain Python lists: indexing numpy arrays element by element is far slower.
    for row, mask, pick, join, style, pii in zip(
        rows.tolist(), masks.tolist(), picks.tolist(), joins.tolist(), styles.tolist(),
        with_pii.tolist(), strict=True,
    ):  # fmt: skip
        if mask not in chosen_of:
            chosen = tuple(t for t in range(len(themes)) if mask >> t & 1)
            chosen_of[mask] = (chosen, ";".join(themes[t] for t in chosen))
        chosen, carried[row] = chosen_of[mask]
        if chosen:
            text = JOINERS[join].join(
                fragments[t][(pick >> (3 * t)) % len(fragments[t])] for t in chosen
            )
            text = _styled(text, style)
        else:
            text = VAGUE[pick % len(VAGUE)]
        texts[row] = f"{text} {personal_detail(rng)}" if pii else text
    return texts, carried


class ThemeSample:
    """The demo's hand-coded sample of one wave: the intended themes of the comments of
    the first consenting commenters of each return."""

    def __init__(self, per_file: int = SAMPLE_RESPONDENTS_PER_FILE):
        self.per_file = per_file
        self.rows: list[tuple[str, str, str, str, str]] = []
        self._taken: dict[tuple[str, str], int] = {}

    def add(self, survey: str, org_code: str, rows: dict[str, np.ndarray]) -> None:
        key = (survey, org_code)
        taken = self._taken.get(key, 0)
        consent = rows["consent"]
        for i in range(len(consent)):
            if taken >= self.per_file:
                break
            if consent[i] != 1:
                continue
            coded = [
                (question, rows[themes_column(variable)][i])
                for variable, question in QUESTIONS.items()
                if themes_column(variable) in rows and rows[themes_column(variable)][i] is not None
            ]
            if not coded:
                continue
            taken += 1
            respondent = str(rows["respondent_id"][i])
            for question, themes in coded:
                for theme in themes.split(";") if themes else [""]:
                    self.rows.append((survey, org_code, respondent, question, theme))
        self._taken[key] = taken

    def write(self, out: Path, wave: int) -> str | None:
        """Write `<wave>/theme_codes.csv`; return its relative path (None when empty)."""
        if not self.rows:
            return None
        relative = f"{wave}/{THEME_CODES_FILE}"
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["survey", "org_code", "respondent_id", "question", "theme_id"])
            writer.writerows(self.rows)
        return relative
