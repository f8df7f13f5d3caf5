"""`poet synth`: options and entry point (called by dagster_project/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dagster_project.synth.config import DEFAULT_SEED, DEFAULT_WAVES, SynthConfig


def _waves(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"--waves takes comma-separated years, e.g. 2013,2014 (got {text!r})"
        ) from exc


def _pairs(option: str, example: str):
    """Parser of `key=number,...` (or `none`) into a tuple of (key, number) pairs."""

    def parse(text: str) -> tuple[tuple[str, float], ...]:
        if text.strip().lower() == "none":
            return ()
        pairs = []
        for part in (p.strip() for p in text.split(",") if p.strip()):
            key, sep, value = part.partition("=")
            try:
                pairs.append((key.strip(), float(value)))
            except ValueError:
                sep = ""
            if not sep or not key.strip():
                raise argparse.ArgumentTypeError(
                    f"{option} takes key=number pairs separated by commas, e.g. {example}, "
                    f"or 'none' (got {part!r})"
                )
        return tuple(pairs)

    return parse


def add_synth_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = SynthConfig()
    parser.add_argument(
        "--out", type=Path, required=True, help="landing folder to write (created if missing)"
    )
    parser.add_argument(
        "--holders",
        type=int,
        default=defaults.holders,
        help="consenting budget holders in used files, per wave "
        f"(default {defaults.holders}, as in 2014)",
    )
    parser.add_argument(
        "--carers",
        type=int,
        default=defaults.carers,
        help=f"consenting carers in used files, per wave (default {defaults.carers})",
    )
    parser.add_argument(
        "--orgs",
        type=int,
        default=defaults.orgs,
        help=f"organisations, councils and NHS (default {defaults.orgs})",
    )
    parser.add_argument(
        "--waves",
        type=_waves,
        default=DEFAULT_WAVES,
        help="comma-separated survey years (default 2014)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed; the same seed gives the same bytes (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--drift",
        type=_pairs("--drift", "independence=10,carer_stress=-9"),
        default=None,
        help="change of outcomes between waves, in points of the positive "
        "share per year from 2014 (outcome_id=points,...; 'none' for flat "
        "waves; default: the assumptions of docs/synth.md)",
    )
    parser.add_argument(
        "--org-drift",
        dest="org_drift",
        type=_pairs("--org-drift", "LA03=1.2,LA07=-1.2"),
        default=None,
        help="organisations that change between waves, logit change of "
        "every outcome per year (org_code=logit,...; 'none'; default: the "
        "four largest councils, alternately +1.2 and -1.2)",
    )
    parser.add_argument(
        "--no-faults",
        dest="faults",
        action="store_false",
        help="clean returns: no invalid cells, blanks, personal details in "
        "comments or quarantine-worthy files",
    )


def run_synth(args: argparse.Namespace) -> int:
    from dagster_project.synth.generate import generate

    config = SynthConfig(
        holders=args.holders,
        carers=args.carers,
        orgs=args.orgs,
        waves=tuple(args.waves),
        seed=args.seed,
        faults=args.faults,
        drift=args.drift,
        org_drift=args.org_drift,
    )
    try:
        config.validate()
    except ValueError as exc:
        print(f"poet synth: {exc}", file=sys.stderr)
        return 2
    out = args.out.expanduser().resolve()
    if out.exists() and not out.is_dir():
        print(f"poet synth: {out} exists and is not a folder", file=sys.stderr)
        return 2
    try:
        manifest = generate(out, config)
    except (FileExistsError, ValueError) as exc:
        print(f"poet synth: {exc}", file=sys.stderr)
        return 2
    used = ", ".join(f"{k}: {v}" for k, v in manifest["used_consenting"].items())
    print(
        f"poet synth: wrote {len(manifest['files'])} returns to {out} (consenting in used files: {used})"
    )
    return 0
