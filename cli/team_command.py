"""Team subcommands: ``assign`` (share articles out among annotators); ``stats --team`` is
printed from here too."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.exits import EXIT_FAILED
from core.assign import AssignError, parse_annotators
from core.models import STATUSES
from core.progress import ProgressBar
from core.query import ArticleFilter
from core.team import format_team_table
from storage import Project, ProjectError


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
    _user_option(assign)
    assign.set_defaults(handler=cmd_assign)
    add_package_parsers(sub)
    role = sub.add_parser(
        "role",
        help="list roles, or give an annotator a role (lead or annotator)",
        description="Once a project has a lead, only a lead may assign, merge, edit the "
        "schema or change another annotator's labels. Anyone may name the first lead.",
    )
    role.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    role.add_argument("name", nargs="?", help="annotator (on a server: their login)")
    role.add_argument("role", nargs="?", choices=["lead", "annotator", "none"])
    _user_option(role)
    role.set_defaults(handler=cmd_role)


def _user_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="who runs this: once the project has a lead, only a lead may assign and merge "
        "(in a file this is a claim; on a server you are the user you log in as)",
    )


def cmd_assign(args: argparse.Namespace) -> int:
    if args.reassign or args.to:
        if not (args.reassign and args.to) or args.annotators:
            print(
                "tandai assign: use --reassign FROM --to TO (without --annotators)", file=sys.stderr
            )
            return EXIT_FAILED
        with Project.open(args.project, user=args.user) as project:
            moved = project.team.reassign(args.reassign, args.to)
            counts = project.team.assignment_counts()
        print(f"moved {moved:,} unfinished articles from {args.reassign} to {args.to}")
        _print_counts(counts)
        return 0
    if not args.annotators:
        print("tandai assign: name the annotators: --annotators ana,budi,citra", file=sys.stderr)
        return EXIT_FAILED
    try:
        names = parse_annotators(args.annotators)
    except AssignError as exc:
        print(f"tandai assign: {exc}", file=sys.stderr)
        return EXIT_FAILED
    flt = ArticleFilter(
        langs=tuple(args.lang), sources=tuple(args.source), statuses=tuple(args.status)
    )
    with Project.open(args.project, user=args.user) as project:
        run = project.team.plan_assignment if args.dry_run else project.team.assign
        plan = run(
            names, overlap=args.overlap, per_overlap=args.per_overlap, seed=args.seed, flt=flt
        )
        counts = project.team.assignment_counts()
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


def cmd_role(args: argparse.Namespace) -> int:
    if (args.name is None) != (args.role is None):
        print("tandai role: give a name and a role (lead, annotator or none)", file=sys.stderr)
        return EXIT_FAILED
    with Project.open(args.project, user=args.user) as project:
        if args.name:
            project.edits.set_role(args.name, None if args.role == "none" else args.role)
        roles = project.edits.roles()
    if not roles:
        print("no roles: anyone may change anything (name a lead to guard the project)")
    for name, role in roles.items():
        print(f"{name}: {role}")
    return 0


def _print_counts(counts: dict[str, int]) -> None:
    if not counts:
        return
    print("articles held now:")
    width = max(len(n) for n in counts)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>9,}")


def print_team(project: Project) -> None:
    for line in format_team_table(project.team.team_stats()):
        print(line)


def add_package_parsers(sub: argparse._SubParsersAction) -> None:
    package = sub.add_parser(
        "package",
        help="write one NAME.tandai work package per annotator, for offline work",
        description="Each package holds the annotator's articles, the schema, the "
        "guidelines, the suggestion rules and pending suggestions, and the project's id. "
        "The annotator opens it in Tandai like any project; `tandai merge` brings it back.",
    )
    package.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    package.add_argument("outdir", type=Path, help="folder to write the packages into")
    package.add_argument(
        "--annotator",
        action="append",
        default=[],
        metavar="NAME",
        help="only this annotator's package (repeatable; default everyone holding articles)",
    )
    package.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    _user_option(package)
    package.set_defaults(handler=cmd_package)

    merge = sub.add_parser(
        "merge",
        help="bring work packages back: each one's labels, statuses, notes and time spent",
        description="Each package is merged in one transaction, for its own annotator only: "
        "their labels on the package's articles become the package's. Merging the same "
        "package again changes nothing.",
    )
    merge.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    merge.add_argument("packages", nargs="+", type=Path, help="NAME.tandai files")
    merge.add_argument(
        "--add-labels",
        action="store_true",
        help="add labels a package's schema has and the project lacks (else it is refused)",
    )
    _user_option(merge)
    merge.set_defaults(handler=cmd_merge)


def cmd_package(args: argparse.Namespace) -> int:
    bar = ProgressBar(quiet=args.quiet)

    def on_progress(name: str, done: int, total: int) -> None:
        bar.update(name, done, total)

    with Project.open(args.project, user=args.user) as project:
        written = project.team.write_packages(
            args.outdir, annotators=args.annotator or None, on_progress=on_progress
        )
    bar.finish()
    for item in written:
        print(item.summary())
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    failed = 0
    with Project.open(args.project, user=args.user) as project:
        for path in args.packages:
            try:
                report = project.team.merge_package(path, add_labels=args.add_labels)
            except ProjectError as exc:
                failed += 1
                print(f"tandai merge: {exc}", file=sys.stderr)
                continue
            print(report.summary())
    return 1 if failed else 0
