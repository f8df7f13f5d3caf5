"""Quality of the theme coding on the hand-coded labelled set (docs/themes.md).

    .venv/bin/python benchmarks/eval_themes.py [--split fresh5|fresh4|...|dev|all] [--check] [--errors]

Prints micro precision, recall and F1 and the per-theme figures of each split, as the
warehouse codes them (the rules, then the learned model). The targets of issue 12
(micro-F1 >= 0.75, and F1 >= 0.5 for every theme with 10 or more hand-coded examples)
are judged on the split the coding was neither written nor trained from
(evaluate.UNSEEN_SPLITS: fresh5, by an author who never saw the rules, the model or the
other splits); the other splits wrote the rules or trained the model, so their figures
show fit, not generalisation. Last, how far two human coders agree on fresh4 (its
author and a second one coding blind). --check exits 1 when a target is missed on an
unseen split; --errors lists the disagreements.
"""

from __future__ import annotations

import argparse
import csv
import sys

from dagster_project.themes.evaluate import (
    DEVELOPMENT_SPLITS,
    LABELLED_SET,
    MICRO_F1_TARGET,
    SPLITS,
    THEME_F1_TARGET,
    THEME_MIN_EXAMPLES,
    UNSEEN_SPLITS,
    Labelled,
    Scores,
    code_labelled,
    load_labelled,
    micro,
    theme_scores,
)


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def evaluate(items: list[Labelled], coded: dict[str, dict[str, str]]):
    gold = {i.id: i.themes for i in items}
    survey_of = {i.id: i.survey for i in items}
    return theme_scores(gold, coded, survey_of)


def report(name: str, items: list[Labelled], coded) -> tuple[Scores, list[str]]:
    scores = evaluate(items, coded)
    total = micro(scores)
    role = (
        "unseen: targets judged here"
        if name in UNSEEN_SPLITS
        else "used to write the rules or train the model"
        if name in DEVELOPMENT_SPLITS
        else "every split"
    )
    print(
        f"\n== {name} ({role}): {len(items)} comments, {total.tp + total.fn} hand-coded themes =="
    )
    print(
        f"micro  precision {_fmt(total.precision)}  recall {_fmt(total.recall)}  "
        f"F1 {_fmt(total.f1)}"
    )
    print(f"{'survey':8} {'theme':22} {'n':>3} {'prec':>6} {'recall':>6} {'F1':>6}")
    misses = []
    for (survey, theme), s in sorted(scores.items()):
        examples = s.tp + s.fn
        flag = ""
        if examples >= THEME_MIN_EXAMPLES and (s.f1 or 0.0) < THEME_F1_TARGET:
            flag = "  < target"
            misses.append(f"{survey}/{theme}")
        print(
            f"{survey:8} {theme:22} {examples:3d} {_fmt(s.precision)} {_fmt(s.recall)} "
            f"{_fmt(s.f1)}{flag}"
        )
    return total, misses


def errors(items: list[Labelled], coded) -> None:
    print("\n== disagreements (id: missed -, extra +) ==")
    for i in items:
        auto = set(coded[i.id])
        missed, extra = i.themes - auto, auto - i.themes
        if missed or extra:
            rules = {t: coded[i.id][t] for t in sorted(extra)}
            print(f"{i.id} {i.comment!r}: -{sorted(missed)} +{rules}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "all"], default=None)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    items = load_labelled()
    coded = code_labelled(items)
    splits = [args.split] if args.split else [*UNSEEN_SPLITS, *reversed(DEVELOPMENT_SPLITS), "all"]
    verdicts = []
    for split in splits:
        subset = items if split == "all" else [i for i in items if i.split == split]
        total, misses = report(split, subset, coded)
        if split in UNSEEN_SPLITS:
            verdicts.append((split, total, misses))
        if args.errors:
            errors(subset, coded)
    ok = True
    for split, total, misses in verdicts:
        met = (total.f1 or 0.0) >= MICRO_F1_TARGET and not misses
        ok = ok and met
        print(
            f"\ntargets on {split} (micro-F1 >= {MICRO_F1_TARGET}: {_fmt(total.f1).strip()}; "
            f"no theme with >= {THEME_MIN_EXAMPLES} examples below F1 {THEME_F1_TARGET}: "
            f"{', '.join(misses) or 'none'}): {'met' if met else 'NOT met'}"
        )
    if not args.split:
        second = second_coder_agreement(items)
        print(
            f"\ntwo human coders on fresh4 (its author, and a second coding blind): "
            f"precision {_fmt(second.precision)}, recall {_fmt(second.recall)}, F1 {_fmt(second.f1)}"
        )
    return 1 if args.check and not ok else 0


def second_coder_agreement(items: list[Labelled]) -> Scores:
    """The second coder's codes of fresh4 scored against its author's."""
    path = LABELLED_SET.parent / "fresh4_second_coder.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        second = {r["id"]: {t for t in r["themes"].split(";") if t} for r in csv.DictReader(handle)}
    chosen = [i for i in items if i.split == "fresh4"]
    return micro(
        theme_scores({i.id: i.themes for i in chosen}, second, {i.id: i.survey for i in chosen})
    )


if __name__ == "__main__":
    sys.exit(main())
