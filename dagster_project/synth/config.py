"""Typed configuration of the generator: sizes, seed, fault rates and the assumptions
it needs where the 2014 report publishes no figure.

Published figures are not repeated here: `targets.py` reads them from the reference
seeds. What is here is either an option of `poet synth` or a documented assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SEED = 20141001  # publication month of the 2014 report
DEFAULT_WAVES = (2014,)


@dataclass(frozen=True)
class FaultRates:
    """How dirty a good return is, and how the bad returns break the file rules."""

    item_blank: float = 0.012  # share of single-answer cells left blank
    multi_select_blank: float = 0.04  # share of respondents skipping a multi-select question
    invalid_cell: float = 0.003  # share of answered cells made invalid (limit is 0.02)
    comment_pii: float = 0.08  # share of non-blank comments carrying a personal detail
    bad_file_rows: int = 40  # consenting rows in each quarantine-worthy file
    bad_file_invalid_share: float = 0.06  # invalid answered cells in the >2% file
    extra_column_share: float = 0.15  # organisations adding a column not in the codebook


@dataclass(frozen=True)
class Assumptions:
    """Shares the report does not publish; chosen to look like the 2014 returns."""

    non_consent_share: float = 0.03  # rows without consent, on top of the consenting rows
    non_consent_blank_share: float = 0.35  # of those, consent left blank (else 2)
    council_share: float = 26 / 46  # councils among organisations (report: 26 and 20)
    carer_council_share: float = 19 / 26  # councils that also sent carer returns
    nhs_size_factor: float = 0.5  # NHS organisations send smaller returns
    org_size_sigma: float = 0.5  # spread of log return size between organisations
    min_rows_per_org: int = 8
    org_effect_sd: float = 0.6  # organisation random effect on the logit of outcomes
    process_loading: float = 1.4  # latent "good process" loading of process items
    views_loading: float = 1.2  # latent loading of views items
    process_on_views: float = 0.5  # views items also follow the process trait
    shrink_bivariate: float = 0.8  # share of a published bivariate log OR used as effect
    # factors that share the latent process trait: much of their bivariate odds ratios
    # comes from their correlation, so a smaller share of it is used as an effect
    shrink_latent_bivariate: float = 0.4
    latent_factors: tuple[str, ...] = (
        "process_made_easy",
        "views_included_needs_assessed",
        "views_included_budget_set",
        "views_included_support_plan",
        "views_included_person_needs",
        "views_included_carer_needs",
    )
    survey_months: tuple[int, int] = (2, 9)  # fieldwork months (inclusive) in a wave
    xlsx_every: int = 6  # one organisation in six exports xlsx
    sav_every: int = 5  # one in five SPSS (the rest CSV)
    bom_every: int = 4  # one CSV in four starts with a byte-order mark
    ticks_blank_every: int = 3  # one organisation in three leaves unticked boxes blank
    shuffle_columns_every: int = 4  # one organisation in four orders its columns its own way
    # Change between waves (docs/synth.md): by default the largest councils change
    # markedly, alternately better and worse, by this much on the logit of every outcome
    # per year (about 15-25 points a year at typical shares).
    org_drift_councils: int = 4
    org_drift_logit: float = 1.2
    # An organisation's positive share of each outcome in a wave is drawn around its true
    # share with the spread of a sample of its size (binomial, on the logit), so its
    # figures vary from wave to wave as a real sample's do; national figures stay exact.
    org_sampling_noise: bool = True


@dataclass(frozen=True)
class SynthConfig:
    holders: int = 2679  # consenting budget holders in used files, per wave
    carers: int = 1328  # consenting carers in used files, per wave
    orgs: int = 46
    waves: tuple[int, ...] = DEFAULT_WAVES
    seed: int = DEFAULT_SEED
    faults: bool = True
    chunk_rows: int = 20_000  # rows generated and written at once
    # outcome_id -> points per year (None: targets.DEFAULT_DRIFT); see docs/synth.md
    drift: tuple[tuple[str, float], ...] | None = None
    # org_code -> logit change per year (None: the largest councils, see Assumptions)
    org_drift: tuple[tuple[str, float], ...] | None = None
    fault_rates: FaultRates = field(default_factory=FaultRates)
    assumptions: Assumptions = field(default_factory=Assumptions)

    def validate(self) -> None:
        if self.holders < 1 or self.carers < 1:
            raise ValueError("--holders and --carers must be at least 1")
        if self.orgs < 2:
            raise ValueError("--orgs must be at least 2 (one council, one NHS organisation)")
        if self.faults and self.orgs < 6:
            raise ValueError(
                "--orgs must be at least 6 with faults on: the quarantine-worthy carer files "
                "need organisations that send no good carer file (or use --no-faults)"
            )
        if not self.waves or any(w < 1900 or w > 2999 for w in self.waves):
            raise ValueError("--waves must be four-digit years, e.g. 2013,2014")
        if len(set(self.waves)) != len(self.waves):
            raise ValueError("--waves lists a year twice")
        from dagster_project.synth.targets import check_drift

        check_drift(self.drift_points())

    def drift_points(self) -> dict[str, float]:
        """outcome_id -> change in points per year (the default assumption if not given)."""
        from dagster_project.synth.targets import DEFAULT_DRIFT

        return dict(DEFAULT_DRIFT) if self.drift is None else dict(self.drift)
