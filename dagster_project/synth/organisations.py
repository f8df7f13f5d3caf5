"""The submitting organisations: names, export habits, sizes and how good they are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dagster_project.synth.config import SynthConfig
from dagster_project.synth.quota import largest_remainder

PLACES = (
    "Ashdown",
    "Brackenfield",
    "Calderbrook",
    "Dunmere",
    "Eastwold",
    "Fernleigh",
    "Glenmoor",
    "Harrowdale",
    "Ivybridge Vale",
    "Kingsholt",
    "Larkmead",
    "Marshbury",
    "Northcombe",
    "Oakhurst",
    "Pennington",
    "Queensford",
    "Ravensworth",
    "Saltmarsh",
    "Thornbury Downs",
    "Upperton",
    "Westerleigh",
    "Yarrowby",
    "Ambleforth",
    "Birchley",
    "Coldharbour",
    "Deepdale",
    "Elmstead",
    "Foxwood",
    "Greyfriars",
    "Hollowmere",
)
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
UNKNOWN_ORG = "ZZ99"  # not in organisations.csv: its return must be quarantined


@dataclass(frozen=True)
class Organisation:
    index: int
    code: str
    name: str
    org_type: str  # council | nhs
    region: str
    file_format: str  # csv | xlsx | sav
    bom: bool  # CSV starts with a byte-order mark
    ticks_blank: bool  # unticked boxes exported blank rather than 0
    shuffled_columns: bool
    extra_column: bool  # adds a column that is not in the codebook
    effect: float  # random effect on the logit of every positive outcome
    size: float  # relative size of its returns
    sends_carers: bool


def _place(i: int) -> str:
    place = PLACES[i % len(PLACES)]
    return place if i < len(PLACES) else f"{place} {i // len(PLACES) + 1}"


def build_organisations(config: SynthConfig) -> list[Organisation]:
    a = config.assumptions
    rng = np.random.default_rng([config.seed, 0])
    councils = max(1, min(config.orgs - 1, round(config.orgs * a.council_share)))
    without_carers = councils - round(councils * a.carer_council_share)
    if config.faults:
        # four quarantine-worthy carer files need slots with no good carer file
        without_carers = max(without_carers, 4)
    without_carers = min(without_carers, config.orgs - 1)
    # councils first, then NHS organisations, give up carer returns
    no_carer_councils = set(rng.permutation(councils)[: min(without_carers, councils)].tolist())
    no_carer_nhs = set(range(max(0, without_carers - councils)))
    effects = rng.normal(0.0, a.org_effect_sd, size=config.orgs)
    sizes = np.exp(rng.normal(0.0, a.org_size_sigma, size=config.orgs))
    orgs = []
    for i in range(config.orgs):
        is_council = i < councils
        k = i if is_council else i - councils
        fmt = "csv"
        if i % a.xlsx_every == 2:
            fmt = "xlsx"
        elif i % a.sav_every == 4:
            fmt = "sav"
        orgs.append(
            Organisation(
                index=i,
                code=f"LA{k + 1:02d}" if is_council else f"NHS{k + 1:02d}",
                name=f"{_place(k)} Council" if is_council else f"NHS {_place(k + 7)} CCG",
                org_type="council" if is_council else "nhs",
                region=REGIONS[(k * 4 + (0 if is_council else 2)) % len(REGIONS)],
                file_format=fmt,
                bom=fmt == "csv" and i % a.bom_every == 1,
                ticks_blank=i % a.ticks_blank_every == 1,
                shuffled_columns=i % a.shuffle_columns_every == 3,
                extra_column=bool(rng.random() < config.fault_rates.extra_column_share)
                and config.faults,
                effect=float(effects[i]),
                size=float(sizes[i]) * (1.0 if is_council else a.nhs_size_factor),
                sends_carers=(k not in no_carer_councils) if is_council else k not in no_carer_nhs,
            )
        )
    return orgs


def allocate_respondents(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` respondents over organisations in proportion to weights, giving
    each at least `minimum` (or an equal share when there are too few)."""
    n = len(weights)
    floor = min(minimum, total // n)
    rest = largest_remainder(np.asarray(weights, dtype=np.float64), total - floor * n)
    return [int(floor + r) for r in rest]
