"""``main.py propagate PROJECT --annotator NAME``: carry an annotator's spans and stances to
the near-duplicates of the articles they labelled, as suggestions (source ``near-duplicate``)."""

from __future__ import annotations

import argparse

from storage import Project


def add_propagate_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "propagate",
        help="carry an annotator's spans and stances to the near-duplicates of what they labelled",
        description="Each span of NAME's labelled articles is looked for in the article's "
        "near-duplicates (its text and enough of its surroundings must match exactly); "
        "found spans are stored as suggestions from source near-duplicate, to accept or "
        "reject like any suggestion. Each stance is proposed to the near-duplicates too "
        "(shown beside the stance keys; G accepts it).",
    )
    parser.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    parser.add_argument("--annotator", required=True, metavar="NAME", help="whose labels")
    parser.set_defaults(handler=cmd_propagate)


def cmd_propagate(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        report = project.near_duplicates.propagate_labels(annotator=args.annotator)
    print(report.summary())
    return 0
