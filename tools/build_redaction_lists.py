"""Rebuild the redaction word lists (dbt_project/seeds/reference/redaction_*.csv).

Run by a developer, never at run time: the CSV files it writes ship with the project.
It needs two PyPI packages that are NOT project dependencies, installed in a scratch
place (for example `pip install --target /tmp/wl names==0.3.0 wordfreq==3.1.1 msgpack`
and `PYTHONPATH=/tmp/wl python tools/build_redaction_lists.py`):

- `names` 0.3.0 (MIT) ships the US Census Bureau's 1990 name frequency files
  (public domain): the common first names and surnames are taken from there;
- `wordfreq` 3.1.1 ships English word frequencies (data CC BY-SA 4.0): the most
  frequent English words are the "ordinary words" that a title or a name trigger may
  be followed by without being a name.

UK names that the 1990 US census under-represents (South Asian, Polish, Irish, Welsh,
Scottish, and names more usual in the UK) are added from the lists below, written for
this project. See docs/redaction.md for how the lists are used.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "reference"
TOP_FIRST_NAMES = {"male": 700, "female": 900}
TOP_SURNAMES = 1500
TOP_WORDS = 2600

UK_FIRST_NAMES = """
Mohammed Muhammad Mohammad Ahmed Ahmad Ali Amir Imran Asif Tariq Bilal Hamza Yusuf Omar
Ibrahim Hassan Hussain Zain Zaid Ayesha Aisha Fatima Fatma Zainab Maryam Amina Nadia Priya
Anjali Sunita Rajesh Sanjay Vijay Ravi Deepak Harjit Gurpreet Jaspreet Manpreet Sukhvinder
Parminder Kuldip Shabana Nasreen Rukhsana Parveen Shazia Samina Bushra Farah Yasmin Nazia
Saima Sadia Naveed Shahid Khalid Rashid Arif Sajid Waqar Adeel Faisal Usman Kamran Javed
Zofia Agnieszka Katarzyna Magdalena Piotr Krzysztof Tomasz Pawel Andrzej Wojciech Marta
Siobhan Niamh Aoife Ciara Roisin Sinead Declan Ciaran Padraig Eoin Oisin Seamus Aidan
Rhys Dafydd Gareth Huw Bethan Cerys Sian Rhiannon Gethin Iwan Ffion Carys Owain Emyr
Eilidh Morag Mhairi Hamish Angus Fraser Callum Ewan Alistair Lachlan Kirsty Iain Euan
Gemma Kerry Leanne Stacey Kayleigh Chantelle Chloe Ellie Freya Isla Poppy Imogen Harriet
Phoebe Lottie Evie Millie Alfie Archie Oliver Harry Charlie Freddie Theo Rory Finley
Reuben Toby Jamie Darren Wayne Gary Craig Stuart Graham Nigel Trevor Clive Derek Malcolm
Neville Rodney Colin Keith Geoffrey Alan Brian Barry Ian Kev Dave Steve Jo Bev Mags Pam
Val Viv Jan Lyn Lynne Maureen Doreen Brenda Sheila Pauline Elaine Glenys Gwen Hilda Edna
Ethel Mabel Winifred Gladys Agnes Nora Bernadette Marjorie Margaret Moira Fiona Hayley
Lindsey Lorraine Tracey Joanne Nicola Zoe Abdul Babajide Chidi Chioma Ngozi Oluwaseun
Tunde Kwame Kofi Ama Abena Themba Precious Blessing Deborah Esther Femi Segun Yetunde
""".split()

UK_SURNAMES = """
Patel Khan Begum Ahmed Hussain Ali Shah Singh Kaur Akhtar Bibi Iqbal Mahmood Rahman Islam
Chowdhury Uddin Miah Sharma Gupta Kumar Mistry Joshi Parmar Chauhan Nowak Kowalski
O'Brien O'Neill O'Connor O'Sullivan McDonald MacDonald McLeod Campbell Stewart Robertson
Thomson Davies Evans Jones Williams Hughes Roberts Lewis Morgan Griffiths Owen Rees Jenkins
Pritchard Llewellyn Vaughan Powell Price Lloyd Edwards Thomas Morris Phillips Watkins
""".split()

# Ordinary words a name list must not swallow alone: a capitalised one is a name only
# after a title or a trigger, or with a surname after it (plan section 3: "Will", "May").
AMBIGUOUS_FIRST_NAMES = """
Will May Hope Grace Joy Faith Mark Bill Pat Sue Frank Guy Rich Dawn Summer April June
Holly Ivy Jack Rose Ruby Amber Carol Art Sandy Penny Miles Lily Iris Heather Daisy Crystal
Earl Rob Bob Don Ray Dean Gene Jean Sky Autumn Chance Patience Prudence Charity Honor
Constance Destiny Harmony Melody Star River Brook Cliff Dale Glen Heath Wood Forest Reed
Rusty Ginger Candy Chip Buck Bud Duke King Prince Major Norman Christian Hunter Sally
Pearl Hazel Olive Violet Ebony Jade Angel Baby Bobby Happy Lucky Sunny Misty Grant Mike
Nick Drew Warren Lance Rod Willow Eve Noel Winter Lee Kit Sterling Royal Marshall Page
Mason Carter Shannon Jordan Florence Paris Victoria Chelsea Kay Bee Val Jan Viv Ken Sonny
Kitty Minnie Dot Trinity Genesis Bishop Colt Frankie Precious Blessing Deborah Esther
Sue Lou Gay Pam Jean Dee Clay Dusty Stormy Bliss Hero Junior Ace Beau Lane Ward Wade
Son August Jesus Brain Van Israel Chase Buddy Rocky Kenya Geneva Cleveland Dallas Carolina
Virginia Georgia Mercedes Francisco Diego Orlando Roman Al Max Kent Cole Austin Robin Jay
Chuck Sherry Brandy Tiffany Opal Goldie Jewel Mercy Ivory Homer Virgil Chester Lincoln
""".split()

# Words of care and health that follow "Dr", "Miss" or "called" in ordinary sentences.
CARE_WORDS = """
appointment appointments appt appts surgery surgeries visit visits letter letters note notes
referral referrals report reports practice receptionist receptionists said says told tells
prescribed prescribes prescription prescriptions advised advises agreed referred gave sent
wrote rang called came visited saw sees listened explained signed signs nurse nurses
consultant consultants hospital clinic clinics centre services service support team teams
council worker workers review reviews assessment assessments plan plans budget payments
payment direct carers carer agency agencies office offices meeting meetings home homes
who which whose whom what when where why how that this these those there here then than
and but or nor so yet for with from into onto upon about after before during without
within the an my our your his her their its me us them him it you we they she he
""".split()


def _census(path: Path, top: int) -> list[str]:
    lines = path.read_text().splitlines()[:top]
    return [line.split()[0].capitalize() for line in lines if line.strip()]


def _title(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def build() -> None:
    import names  # noqa: PLC0415 - developer-only dependency
    import wordfreq  # noqa: PLC0415 - developer-only dependency

    census = Path(names.__file__).parent
    first: dict[str, str] = {}
    for sex, top in TOP_FIRST_NAMES.items():
        for name in _census(census / f"dist.{sex}.first", top):
            first.setdefault(name, "us_census_1990")
    for name in UK_FIRST_NAMES:
        first.setdefault(name, "uk_addition")
    for name in AMBIGUOUS_FIRST_NAMES:
        first.setdefault(name, "uk_addition")
    surnames: dict[str, str] = {}
    for name in _census(census / "dist.all.last", TOP_SURNAMES):
        surnames.setdefault(name, "us_census_1990")
    for name in UK_SURNAMES:
        surnames.setdefault(_title(name.lower()) if "'" not in name else name, "uk_addition")
    ambiguous = {n.lower() for n in AMBIGUOUS_FIRST_NAMES}
    unambiguous_names = {n.lower() for n in first if n.lower() not in ambiguous}
    surname_words = {s.lower() for s in surnames}
    words: dict[str, str] = {}
    for word in wordfreq.top_n_list("en", TOP_WORDS * 2, wordlist="small"):
        if len(words) >= TOP_WORDS:
            break
        if re.fullmatch(r"[a-z]{2,}", word) and word not in unambiguous_names | surname_words:
            words.setdefault(word, "wordfreq_3.1.1")
    for word in CARE_WORDS:
        if word not in unambiguous_names | surname_words:
            words.setdefault(word, "care_vocabulary")
    _write(
        "redaction_first_names.csv",
        ("name", "also_a_word", "source"),
        sorted((n, str(n.lower() in ambiguous).lower(), s) for n, s in first.items()),
    )
    _write("redaction_surnames.csv", ("name", "source"), sorted(surnames.items()))
    _write("redaction_common_words.csv", ("word", "source"), sorted(words.items()))


def _write(name: str, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with (SEEDS / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    build()
