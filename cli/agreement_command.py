"""The ``agreement`` subcommand: how far annotators agree, per layer, over finished work."""

from __future__ import annotations

import argparse
import json
import sys

from cli.arguments import comma_list
from cli.exits import EXIT_FAILED
from core.agreement import LAYER_NAMES
from core.agreement_report import describe_report
from core.progress import ProgressBar
from storage import JudgementProgress, Project


def add_agreement_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "agreement",
        help="inter-annotator agreement per layer (alpha, kappa, F1) over finished articles",
        description="Agreement between annotators over the articles each has marked done: "
        "stance and boilerplate lines by Krippendorff's alpha, Cohen's kappa and percent "
        "agreement per pair; entities by exact-match and overlap F1 per pair.",
    )
    cmd.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    cmd.add_argument("--layer", choices=LAYER_NAMES, help="only this layer (default: all)")
    cmd.add_argument(
        "--annotator",
        metavar="A,B,...",
        help="only these annotators (default: everyone but gold)",
    )
    cmd.add_argument(
        "--token-alpha",
        action="store_true",
        help="entity: also Krippendorff's alpha over BIO tags per token (tokenizes every text)",
    )
    cmd.add_argument("--json", action="store_true", help="print the figures as JSON")
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=cmd_agreement)


def cmd_agreement(args: argparse.Namespace) -> int:
    bar = ProgressBar(quiet=args.quiet or (args.json and not sys.stderr.isatty()))

    def on_progress(p: JudgementProgress) -> None:
        bar.update("reading", p.done, p.total, extra="articles")

    with Project.open(args.project) as project:
        report = project.agreement.agreement(
            comma_list([args.annotator]) or None,
            layers=(args.layer,) if args.layer else LAYER_NAMES,
            token_alpha=args.token_alpha,
            on_progress=on_progress,
        )
    bar.finish()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        print(describe_report(report))
    return 0


def add_adjudicate_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "adjudicate",
        help="store what the annotators agree on as a gold annotator; the rest goes to review",
        description="For each article finished by at least one annotator, store under INTO "
        "what more than half of those who finished it agree on (entity spans, boilerplate "
        "lines, stance per target), with the origin adjudicated:ANA+BUDI. Articles with "
        "anything undecided go to the review queue; the others are done for INTO. Running "
        "it again redoes the automatic part and leaves what a reviewer settled by hand.",
    )
    cmd.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    cmd.add_argument("--into", required=True, metavar="NAME", help="the gold annotator, e.g. gold")
    cmd.add_argument(
        "--min-agree",
        type=int,
        metavar="K",
        help="annotators who must agree on an item (default: more than half of the finishers)",
    )
    cmd.add_argument(
        "--annotator", metavar="A,B,...", help="adjudicate from these (default: all but INTO)"
    )
    cmd.add_argument(
        "--user",
        metavar="NAME",
        help="who adjudicates: once the project has a lead, only a lead may write gold labels",
    )
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=cmd_adjudicate)


def cmd_adjudicate(args: argparse.Namespace) -> int:
    if args.min_agree is not None and args.min_agree < 1:
        print("tandai adjudicate: --min-agree must be at least 1", file=sys.stderr)
        return EXIT_FAILED
    bar = ProgressBar(quiet=args.quiet)

    def on_progress(p: JudgementProgress) -> None:
        bar.update("adjudicating", p.done, p.total, extra="articles")

    with Project.open(args.project, user=args.user) as project:
        report = project.agreement.adjudicate(
            into=args.into.strip(),
            annotators=comma_list([args.annotator]) or None,
            min_agree=args.min_agree,
            on_progress=on_progress,
        )
    bar.finish()
    print(report.summary())
    return 0
