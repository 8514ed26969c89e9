"""The ``learn`` subcommand: train the project's models on its labels now, store them with
their held-out scores, write their suggestions, and print the scores (or, with --report,
print the scores of the stored models)."""

from __future__ import annotations

import argparse
import sys

from core.learn.record import ENTITY, STANCE, LearnedModel, LearnOutcome
from core.progress import ProgressBar
from storage import Project


def add_learn_parser(sub: argparse._SubParsersAction) -> None:
    learn = sub.add_parser(
        "learn",
        help="train models on the project's labels, store them, write their suggestions",
        description="Train the entity model (on the spans of done articles) and/or one stance "
        "model per target (on its stance labels), score each on held-out labelled articles, "
        "store it in the project and, when it passes the quality gate, write what it proposes "
        "as suggestions from source 'model'.",
    )
    learn.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    learn.add_argument(
        "--layer", choices=("entity", "stance", "all"), default="all", help="which models"
    )
    learn.add_argument("--annotator", help="learn from this annotator's labels only")
    learn.add_argument(
        "--min-f1",
        type=float,
        metavar="F",
        help="quality gate: a model below this held-out F1 stays silent (kept in the project; "
        "default 0.3)",
    )
    learn.add_argument(
        "--report", action="store_true", help="print the stored models' scores; train nothing"
    )
    learn.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    learn.set_defaults(handler=cmd_learn)


def _print_model(model: LearnedModel, gate: float) -> None:
    ev = model.evaluation
    negatives = f" and {model.negatives:,} rejected suggestions" if model.negatives else ""
    print(
        f"{model.name}: trained {model.created:%Y-%m-%d %H:%M} UTC on {model.trained_on:,} "
        f"articles{negatives}; held out: {ev.articles:,} articles"
        + (f" in {ev.folds} folds" if ev.folds > 1 else "")
    )
    width = max((len(label) for label in ev.labels), default=5)
    print(f"  {'label':<{width}}  precision  recall     F1  support")
    for label, s in sorted(ev.labels.items()):
        print(
            f"  {label:<{width}}  {s.precision:9.2f}  {s.recall:6.2f}  {s.f1:5.2f}  {s.support:7,}"
        )
    print(f"  {ev.metric}: {ev.score:.2f}")
    print(f"  {model.describe(gate)}")


def _print_outcome(outcome: LearnOutcome, gate: float) -> None:
    if outcome.model is None:
        print(f"{outcome.name}: {outcome.reason}")
        return
    _print_model(outcome.model, gate)
    if outcome.model.layer == ENTITY:
        print(
            f"  looked at {outcome.articles:,} articles not done; suggestions stored: "
            f"{outcome.stored:,}"
            + (f", {outcome.removed:,} outdated removed" if outcome.removed else "")
        )


def cmd_learn(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        if args.min_f1 is not None:
            project.learning.set_learn_min_score(args.min_f1)
        gate = project.learning.learn_min_score()
        if args.report:
            models = project.learning.learned_models()
            if not models:
                print(f"no models stored; {project.learning.model_status(ENTITY)}")
            for model in models:
                _print_model(model, gate)
            return 0
        jobs: list[tuple[str, str]] = []
        if args.layer in ("entity", "all"):
            jobs.append((ENTITY, ""))
        if args.layer in ("stance", "all"):
            targets = [t.name for t in project.schema().stance_targets]
            if not targets and args.layer == "stance":
                print("tandai learn: the project's schema has no stance targets", file=sys.stderr)
                return 1
            jobs.extend((STANCE, t) for t in targets)
        bar = ProgressBar(quiet=args.quiet)

        def on_progress(text: str, done: int, total: int) -> None:
            if total:
                bar.update(text, done, total)

        for layer, target in jobs:
            outcome = project.learning.learn(
                layer=layer,
                target=target,
                annotator=args.annotator,
                # Worker processes, as in the app: training beside, tagging on every core.
                in_process=False,
                on_progress=on_progress,
            )
            bar.finish()
            _print_outcome(outcome, gate)
    return 0
