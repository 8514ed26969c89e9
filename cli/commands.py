"""The ``import`` and ``stats`` subcommands (and the parser every subcommand hangs on)."""

from __future__ import annotations

import argparse
import codecs
import functools
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from cli.agreement_command import add_adjudicate_parser, add_agreement_parser
from cli.exits import EXIT_FAILED, EXIT_OK, EXIT_SKIPPED
from cli.export_command import add_export_parser
from cli.learn_command import add_learn_parser
from cli.propagate_command import add_propagate_parser
from cli.schema_command import add_schema_parser
from cli.suggest_command import add_suggest_parser
from cli.team_command import add_team_parsers, print_team
from core.fields import parse_field_options
from core.label_formats import parse_label_map
from core.logs import log_exception
from core.progress import ProgressBar
from core.redact import is_postgres_url, mask_secrets
from core.report import ImportReport
from storage import (
    MAX_CHARS,
    ImportProgress,
    PasswordNeeded,
    Project,
    ProjectError,
    StorageFault,
)


class Parser(argparse.ArgumentParser):
    """argparse echoes a bad argument back (``invalid choice: 'postgresql://u:pw@…'``):
    every message it prints goes through the masking helper first."""

    def _print_message(self, message: str, file: Any = None) -> None:
        super()._print_message(mask_secrets(message), file)

    def error(self, message: str) -> NoReturn:
        """A usage error is a failure (1): argparse's own 2 means "finished with skipped
        records" here (cli/exits.py). Subcommands' parsers are of this class too."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tandai",
        description="Tandai: annotate news articles. With no arguments, starts the app; "
        "with a .tandai file, opens it.",
        epilog="tandai --self-test checks the whole path (import, labels, export) offscreen.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = sub.add_parser("import", help="import articles from files or folders into a project")
    imp.add_argument(
        "project", help="project file (*.tandai, created if missing) or postgresql:// URL"
    )
    imp.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help=".jsonl/.ndjson/.json/.csv/.tsv/.txt (.gz too) or folders",
    )
    imp.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="TARGET=KEY",
        help="map a record key to a field, e.g. --field text=body (text, title, url, date, source, id)",
    )
    imp.add_argument("--encoding", default="utf-8", help="encoding of the files (default utf-8)")
    imp.add_argument(
        "--max-chars",
        type=int,
        default=MAX_CHARS,
        help=f"skip texts longer than this (default {MAX_CHARS:,})",
    )
    imp.add_argument(
        "--no-detect",
        action="store_true",
        help="store only; detect languages and index later (the next import or the app does it)",
    )
    imp.add_argument(
        "--near-duplicates",
        choices=["keep", "skip"],
        help="group the new articles with their near-duplicates at once and report how many "
        "were found; skip leaves out those that rewrite an article already stored (default "
        "keep; with --no-detect the app groups them later)",
    )
    labelled = imp.add_mutually_exclusive_group()
    labelled.add_argument(
        "--as-annotator",
        metavar="NAME",
        help="the files are labelled (spans or stance export, Prodigy, doccano, Label Studio "
        "JSON / JSON-MIN / CoNLL, tokens+ner_tags): store their labels as NAME's",
    )
    labelled.add_argument(
        "--as-suggestions",
        metavar="SOURCE",
        help="the files are labelled: store their spans as suggestions from SOURCE",
    )
    imp.add_argument(
        "--map-label",
        action="append",
        default=[],
        metavar="FROM=TO",
        help="with --as-annotator/--as-suggestions: store the file's label FROM as TO, "
        "e.g. --map-label PERSON=PER (repeatable)",
    )
    imp.add_argument(
        "--add-labels",
        action="store_true",
        help="with --as-annotator/--as-suggestions: add entity labels the schema lacks to it "
        "instead of skipping their spans",
    )
    imp.add_argument(
        "--stance-target",
        metavar="FIELD",
        help="each record's stance target is in FIELD, its value in 'stance' (or 'label'), "
        "as stance datasets write them",
    )
    imp.add_argument(
        "--annotator-field",
        metavar="FIELD",
        help="file each record's labels under the annotator its FIELD names (--as-annotator "
        "NAME is then the default for records without one)",
    )
    imp.add_argument(
        "--flag-problems",
        action="store_true",
        help="set an article to flagged when one of its labels was left out (default: keep "
        "its status and note the reasons)",
    )
    imp.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no per-record problems"
    )
    imp.set_defaults(handler=cmd_import)

    stats = sub.add_parser("stats", help="counts by language, source and status")
    stats.add_argument("project")
    stats.add_argument("--annotator", help="status as seen by this annotator")
    stats.add_argument(
        "--team",
        action="store_true",
        help="progress per annotator: assigned, done, skipped, flagged, remaining, median "
        "time per article, labels per hour, last active; and for the whole project",
    )
    stats.set_defaults(handler=cmd_stats)
    add_export_parser(sub)
    add_suggest_parser(sub)
    add_team_parsers(sub)
    add_schema_parser(sub)
    add_propagate_parser(sub)
    add_agreement_parser(sub)
    add_adjudicate_parser(sub)
    add_learn_parser(sub)
    return parser


def _open_for_import(target: str) -> Project:
    if is_postgres_url(target) or Path(target).exists():
        return Project.open(target)
    project = Project.create(target)
    print(f"created project {target}", file=sys.stderr)
    return project


def cmd_import(args: argparse.Namespace) -> int:
    try:
        field_map = parse_field_options(args.field)
        label_map = parse_label_map(args.map_label)
        codecs.lookup(args.encoding)
    except LookupError:
        print(f"tandai import: unknown encoding {args.encoding!r}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as exc:
        print(f"tandai import: {exc}", file=sys.stderr)
        return EXIT_FAILED
    labelled = bool(args.as_annotator or args.as_suggestions or args.annotator_field)
    labelled_only = {
        "--map-label": bool(label_map),
        "--add-labels": args.add_labels,
        "--flag-problems": args.flag_problems,
        "--stance-target": bool(args.stance_target),
    }
    for flag, used in labelled_only.items():
        if used and not labelled:
            print(
                f"tandai import: {flag} goes with --as-annotator or --as-suggestions",
                file=sys.stderr,
            )
            return EXIT_FAILED
    bar = ProgressBar(quiet=args.quiet)
    # Each bar counts what its label names: bytes of the files read, then articles.
    labels = {
        "store": ("reading", "B"),
        "languages": ("languages", "articles"),
        "index": ("indexing", "articles"),
        "compact": ("compacting", "pages"),
    }

    def on_progress(p: ImportProgress) -> None:
        label, unit = labels[p.phase]
        bar.update(
            label,
            p.done,
            p.total,
            unit=unit,
            extra=f"{p.articles:,} records read" if p.phase == "store" else "",
        )

    def on_problem(text: str) -> None:
        if not args.quiet:
            bar.finish()
            print(text, file=sys.stderr)

    if labelled and args.near_duplicates == "skip":
        print(
            "tandai import: --near-duplicates skip applies to unlabelled articles only",
            file=sys.stderr,
        )
        return EXIT_FAILED
    near = args.near_duplicates or (None if args.no_detect else "keep")
    with _open_for_import(args.project) as project:
        run_import: Callable[..., ImportReport] = functools.partial(
            project.imports.import_files, near_duplicates=near
        )
        if labelled:
            run_import = functools.partial(
                project.imports.import_labelled,
                annotator=args.as_annotator,
                suggestions=args.as_suggestions,
                label_map=label_map,
                annotator_field=args.annotator_field,
                flag_problems=args.flag_problems,
                add_labels=args.add_labels,
                stance_target_field=args.stance_target,
            )

        try:
            report = run_import(
                args.paths,
                field_map=field_map,
                encoding=args.encoding,
                max_chars=args.max_chars,
                on_progress=on_progress,
                on_problem=on_problem,
                detect=not args.no_detect,
            )
        except StorageFault as exc:
            bar.finish()
            # Batches commit one by one: what came before the fault is stored, and a re-run
            # skips it as duplicates.
            print(
                f"tandai import: {exc}. Articles stored before it are kept; run the same "
                "command again to complete the import",
                file=sys.stderr,
            )
            return EXIT_FAILED
        bar.finish()
    print(report.summary())
    return import_exit_code(report)


#: ``import`` exits 0 when everything was imported (or already there), 1 when it failed or
#: could read no file at all, 2 when it finished but skipped records, labels or files: a
#: script can tell a clean import from one whose problems it should look at (cli/exits.py).


def import_exit_code(report: ImportReport) -> int:
    if not report.files and report.problems:
        return EXIT_FAILED
    skipped_labels = getattr(report, "labels_skipped", 0)
    if report.problem_total or skipped_labels:
        return EXIT_SKIPPED
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        if args.team:
            print_team(project)
            return 0
        stats = project.stats(annotator=args.annotator)
        assigned = project.team.assignment_counts()
    print(f"{stats.articles:,} articles")
    for title, counts in (
        ("language", stats.by_lang),
        ("source", stats.by_source),
        ("status", stats.by_status),
        ("labels", stats.labels),
    ):
        print(f"\nby {title}:")
        width = max((len(k or "(none)") for k in counts), default=0)
        for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or "")):
            print(f"  {(key or '(none)'):<{width}}  {count:>9,}")
    if assigned:
        print("\nassigned per annotator:")
        width = max(len(k) for k in assigned)
        for name, count in assigned.items():
            print(f"  {name:<{width}}  {count:>9,}")
    if stats.annotators:
        print(f"\nannotators: {', '.join(stats.annotators)}")
    return 0


def _ask_password(exc: PasswordNeeded) -> bool:
    """In a terminal, ask once and hand the password to libpq through ``PGPASSWORD`` (this
    process only), so it never enters a URL, a message or a file."""
    if not (sys.stdin and sys.stdin.isatty()):
        return False
    try:
        password = getpass.getpass(f"{exc}. Password: ")
    except (EOFError, KeyboardInterrupt):
        return False
    if not password:
        return False
    os.environ["PGPASSWORD"] = password
    return True


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_FAILED
    try:
        try:
            return args.handler(args)
        except PasswordNeeded as exc:
            if not _ask_password(exc):
                raise
            return args.handler(args)
    except PasswordNeeded as exc:
        print(
            f"tandai {args.command}: {exc}: set PGPASSWORD, add it to ~/.pgpass, or run the "
            "command in a terminal to be asked",
            file=sys.stderr,
        )
        return 1
    except ProjectError as exc:
        print(f"tandai {args.command}: {mask_secrets(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "\ninterrupted: every batch stored so far is kept; run the same command again to "
            "complete it",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        # The reader went away (`tandai stats P | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        # Not a fault we know: one line for the person, the traceback for whoever fixes it.
        log = log_exception(exc, where=f"tandai {args.command}")
        where = f"; the details are in {log}" if log else ""
        print(
            f"tandai {args.command}: unexpected error: {type(exc).__name__}: "
            f"{mask_secrets(str(exc))}{where}",
            file=sys.stderr,
        )
        return 1
