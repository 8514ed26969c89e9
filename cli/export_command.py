"""The ``export`` subcommand: a project's labels as JSONL training data in a folder.

OUT is always a folder: ``data.jsonl`` (or one ``NAME.jsonl`` per split), ``labels.json``
for ``ner-bio``, and the dataset card ``README.md``. A folder holding an earlier Tandai
export is replaced; any other non-empty folder is refused.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from cli.arguments import comma_list
from cli.exits import EXIT_FAILED
from core.export.pipeline import ExportError, ExportProgress
from core.export.records import FORMATS, ExportOptions, ExportSelection, parse_split
from core.models import STATUSES
from core.progress import ProgressBar
from core.redact import strip_password
from storage import Project


def add_export_parser(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser(
        "export",
        help="write labelled articles as JSONL training data into a folder",
        description="Write labelled articles as JSONL training data into folder OUT "
        "(data.jsonl, or one file per split; labels.json for ner-bio; a README.md card).",
    )
    exp.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    exp.add_argument("out", help="output folder (created; an earlier export there is replaced)")
    exp.add_argument("--format", choices=FORMATS, default="spans", help="default: spans")
    exp.add_argument(
        "--tokens",
        nargs="?",
        const="words",
        choices=("words", "spacy"),
        help="spans: add tokens and token_start/token_end (spaCy's whitespace convention); "
        "ner-bio: --tokens spacy writes spaCy-convention tokens (whitespace other than one "
        "space is a token) with a `spaces` list, so Doc(words, spaces) gives back the text",
    )
    exp.add_argument(
        "--clean", action="store_true", help="text without boilerplate, entity spans remapped"
    )
    exp.add_argument(
        "--status",
        default="done",
        help=f"statuses to export, comma-separated ({', '.join(STATUSES)}) or 'all'; default done",
    )
    exp.add_argument(
        "--annotator",
        action="append",
        default=[],
        metavar="NAME",
        help="only these annotators' records (repeat or comma-separate); default: all, one "
        "record per article and annotator",
    )
    exp.add_argument("--lang", action="append", default=[], help="only these languages")
    exp.add_argument("--source", action="append", default=[], help="only these sources")
    exp.add_argument(
        "--split",
        help="e.g. train=0.8,dev=0.1,test=0.1: one file per split, stratified by stance and entity labels, "
        "near-duplicates kept together",
    )
    exp.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    exp.add_argument(
        "--no-near-duplicates",
        action="store_true",
        help="split without grouping near-duplicate articles",
    )
    exp.add_argument(
        "--tag-strings",
        action="store_true",
        help="ner-bio: write tag names (B-PER) instead of ClassLabel ids",
    )
    exp.add_argument(
        "--chunk",
        metavar="MODE",
        help="cut long articles: sentences, or tokens:N (whole sentences up to N words a "
        "chunk); each chunk is a line with its article id and offset (spans, ner-bio, clean, "
        "conll)",
    )
    exp.add_argument(
        "--keep-unlabelled",
        action="store_true",
        help="ner-bio: also records that are not done and hold no entity (all O)",
    )
    exp.add_argument(
        "--license",
        metavar="ID",
        help="the dataset's licence for the card (e.g. cc-by-4.0); kept in the project",
    )
    exp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    exp.set_defaults(handler=cmd_export)


def options_from_args(args: argparse.Namespace) -> ExportOptions:
    statuses = STATUSES if args.status.strip() == "all" else tuple(comma_list([args.status]))
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown or not statuses:
        raise ValueError(f"--status: unknown {unknown}; use {', '.join(STATUSES)} or all")
    return ExportOptions(
        format=args.format,
        selection=ExportSelection(
            statuses=tuple(statuses),
            annotators=tuple(comma_list(args.annotator)),
            langs=tuple(comma_list(args.lang)),
            sources=tuple(args.source),
        ),
        tokens=bool(args.tokens),
        token_style="spacy" if args.tokens == "spacy" else "words",
        clean=args.clean,
        split=parse_split(args.split) if args.split else (),
        seed=args.seed,
        group_near_duplicates=not args.no_near_duplicates,
        command=command_line(args),
        tag_strings=args.tag_strings,
        keep_unlabelled=args.keep_unlabelled,
        chunk=args.chunk or "",
    )


def command_line(args: argparse.Namespace) -> str:
    """The export command as it could be typed again, for the dataset card."""
    # Without its password: the command can be typed again with PGPASSWORD or ~/.pgpass.
    words = ["tandai", "export", strip_password(args.project), args.out, "--format", args.format]
    words += (["--tokens", args.tokens] if args.tokens else []) + ["--clean"] * args.clean
    words += ["--tag-strings"] * args.tag_strings + ["--keep-unlabelled"] * args.keep_unlabelled
    words += ["--chunk", args.chunk] if args.chunk else []
    words += ["--status", args.status]
    for flag, values in (("--annotator", args.annotator), ("--lang", args.lang)):
        words += [w for value in values for w in (flag, value)]
    words += [w for value in args.source for w in ("--source", value)]
    if args.split:
        words += ["--split", args.split, "--seed", str(args.seed)]
        words += ["--no-near-duplicates"] * args.no_near_duplicates
    return shlex.join(words)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        options = options_from_args(args)
        options.validate()
    except ValueError as exc:
        print(f"tandai export: {exc}", file=sys.stderr)
        return EXIT_FAILED
    bar = ProgressBar(quiet=args.quiet)
    labels = {"group": "grouping", "scan": "reading", "write": "writing"}

    def on_progress(p: ExportProgress) -> None:
        bar.update(labels[p.phase], p.done, p.total, extra="articles")

    with Project.open(args.project) as project:
        if args.license:
            project.set_setting("license", args.license.strip())
        try:
            summary = project.exports.export_dataset(args.out, options, on_progress=on_progress)
        except ExportError as exc:
            bar.finish()
            print(f"tandai export: {exc}", file=sys.stderr)
            return 1
        bar.finish()
    print(summary.text())
    return 0
