"""Team subcommands: ``assign`` (share articles out among annotators); ``stats --team`` is
printed from here too."""

from __future__ import annotations

import argparse
import sys

from core.assign import AssignError, parse_annotators
from core.models import STATUSES
from core.query import ArticleFilter
from core.team import format_team_table
from storage import Project


def add_team_parsers(sub: argparse._SubParsersAction) -> None:
    assign = sub.add_parser(
        "assign",
        help="share the project's unassigned articles out among annotators",
        description="Every selected article nobody holds yet goes to one annotator; a seeded "
        "fraction (--overlap) goes to --per-overlap annotators, for agreement. Counts stay "
        "balanced within one article. Running it again shares out only what is new.",
    )
    assign.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    assign.add_argument("--annotators", metavar="A,B,C", help="names, comma-separated")
    assign.add_argument(
        "--overlap",
        type=float,
        default=0.0,
        help="fraction of the articles given to several annotators (default 0)",
    )
    assign.add_argument(
        "--per-overlap",
        type=int,
        default=2,
        metavar="N",
        help="annotators per overlapping article (default 2)",
    )
    assign.add_argument("--seed", type=int, default=0, help="seed of the overlap and order")
    assign.add_argument("--lang", action="append", default=[], help="only this language")
    assign.add_argument("--source", action="append", default=[], help="only this source")
    assign.add_argument(
        "--status",
        action="append",
        default=[],
        choices=STATUSES,
        help="only articles with this status (by anyone); e.g. --status todo",
    )
    assign.add_argument(
        "--reassign", metavar="FROM", help="move FROM's unfinished articles (with --to)"
    )
    assign.add_argument("--to", metavar="TO", help="who gets the articles of --reassign")
    assign.add_argument(
        "--dry-run", action="store_true", help="print the counts it would add; change nothing"
    )
    assign.set_defaults(handler=cmd_assign)


def cmd_assign(args: argparse.Namespace) -> int:
    if args.reassign or args.to:
        if not (args.reassign and args.to) or args.annotators:
            print(
                "tandai assign: use --reassign FROM --to TO (without --annotators)", file=sys.stderr
            )
            return 2
        with Project.open(args.project) as project:
            moved = project.reassign(args.reassign, args.to)
            counts = project.assignment_counts()
        print(f"moved {moved:,} unfinished articles from {args.reassign} to {args.to}")
        _print_counts(counts)
        return 0
    if not args.annotators:
        print("tandai assign: name the annotators: --annotators ana,budi,citra", file=sys.stderr)
        return 2
    try:
        names = parse_annotators(args.annotators)
    except AssignError as exc:
        print(f"tandai assign: {exc}", file=sys.stderr)
        return 2
    flt = ArticleFilter(
        langs=tuple(args.lang), sources=tuple(args.source), statuses=tuple(args.status)
    )
    with Project.open(args.project) as project:
        run = project.plan_assignment if args.dry_run else project.assign
        plan = run(
            names, overlap=args.overlap, per_overlap=args.per_overlap, seed=args.seed, flt=flt
        )
        counts = project.assignment_counts()
    verb = "would assign" if args.dry_run else "assigned"
    print(
        f"{verb} {plan.articles:,} articles ({plan.overlapping:,} to {args.per_overlap} "
        f"annotators each); {len(plan.pairs):,} assignments"
    )
    width = max(len(n) for n in names)
    for name in names:
        print(f"  {name:<{width}}  +{plan.new_counts.get(name, 0):,}")
    if not args.dry_run:
        _print_counts(counts)
    return 0


def _print_counts(counts: dict[str, int]) -> None:
    if not counts:
        return
    print("articles held now:")
    width = max(len(n) for n in counts)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>9,}")


def print_team(project: Project) -> None:
    for line in format_team_table(project.team_stats()):
        print(line)
