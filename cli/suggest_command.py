"""The ``suggest`` subcommand: run the suggesters over a project, configure them, and accept
or reject suggestions in bulk (to bootstrap a dataset without clicking through it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.exits import EXIT_FAILED
from core.export.records import ExportSelection
from core.progress import ProgressBar
from core.suggest.rules import Rule, RuleError
from storage import ALL_SOURCES, Project, SuggestProgress

GROUPS: dict[str, dict[str, str]] = {
    "boilerplate": {"layer": "boilerplate"},
    "entity": {"layer": "entity"},
    "all": {},
}


def _say_statuses_unchanged(project: Project, annotator: str) -> None:
    """Accepting in bulk is not reviewing: statuses stay as they were, and the default
    export (done articles only) would leave these labels out without this word."""
    waiting = project.exports.export_left_out(ExportSelection(annotators=(annotator,)))
    if waiting:
        parts = ", ".join(f"{a:,} {status}" for status, (a, _) in waiting.items())
        print(
            f"statuses unchanged: {parts} articles hold {annotator}'s labels; export takes done "
            "articles only: mark them done in the app, or export with --status all"
        )


def add_suggest_parser(sub: argparse._SubParsersAction) -> None:
    sug = sub.add_parser(
        "suggest",
        help="run the boilerplate and entity suggesters; accept or reject suggestions in bulk",
        description="Run the suggesters over the project (built-in: "
        f"{', '.join(ALL_SOURCES)}, plus the project's rules) and store what they propose as "
        "suggestions. With --accept, turn pending suggestions into an annotator's labels.",
    )
    sug.add_argument("project", help="project file (*.tandai) or postgresql:// URL")
    sug.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this suggester (repeatable; a rule is rule:^PREFIX or rule:=TEXT)",
    )
    sug.add_argument("--new", action="store_true", help="only articles added since the last run")
    sug.add_argument("--no-run", action="store_true", help="do not run the suggesters")
    sug.add_argument(
        "--min-repeat",
        type=int,
        metavar="K",
        help="a line in at least K articles of one source is boilerplate (kept in the project)",
    )
    sug.add_argument(
        "--patterns", type=Path, metavar="FILE", help="add Prodigy-style JSONL entity patterns"
    )
    sug.add_argument("--rule-prefix", metavar="TEXT", help="add a rule: lines starting with TEXT")
    sug.add_argument("--rule-exact", metavar="TEXT", help="add a rule: lines equal to TEXT")
    sug.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="SOURCE",
        help="switch a source off: not run, not shown (kept in the project; repeatable)",
    )
    sug.add_argument(
        "--enable", action="append", default=[], metavar="SOURCE", help="switch a source on"
    )
    sug.add_argument(
        "--accept",
        metavar="WHAT",
        help="accept pending suggestions: boilerplate, entity, all, or one SOURCE",
    )
    sug.add_argument(
        "--reject", metavar="WHAT", help="reject pending suggestions (same choices as --accept)"
    )
    sug.add_argument("--annotator", help="whose labels --accept/--reject change")
    sug.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    sug.set_defaults(handler=cmd_suggest)


def _scope(what: str) -> tuple[str | None, str | None]:
    """The layer and the source ``--accept``/``--reject WHAT`` names."""
    group = GROUPS.get(what, {"source": what})
    return group.get("layer"), group.get("source")


def _configure(project: Project, args: argparse.Namespace) -> int:
    if args.min_repeat is not None:
        try:
            project.suggestions.set_repeated_min_articles(args.min_repeat)
        except ValueError as exc:
            print(f"tandai suggest: {exc}", file=sys.stderr)
            return EXIT_FAILED
    for source in args.disable:
        project.suggestions.set_source_enabled(source, False)
    for source in args.enable:
        project.suggestions.set_source_enabled(source, True)
    if args.patterns:
        try:
            lines = args.patterns.read_text("utf-8").splitlines()
        except OSError as exc:
            print(f"tandai suggest: {args.patterns}: {exc.strerror}", file=sys.stderr)
            return 1
        added, problems = project.suggestions.load_patterns(lines)
        for problem in problems:
            print(f"{args.patterns}: {problem} (skipped)", file=sys.stderr)
        print(
            f"{added:,} patterns added ({len(project.suggestions.entity_patterns()):,} in the project)"
        )
    for kind, text in (("prefix", args.rule_prefix), ("exact", args.rule_exact)):
        if text is None:
            continue
        try:
            rule = Rule(kind, text)
        except RuleError as exc:
            print(f"tandai suggest: {exc}", file=sys.stderr)
            return EXIT_FAILED
        lines, articles = project.suggestions.count_rule_matches(rule)
        stored = project.suggestions.apply_rule(rule)
        print(
            f"rule {rule.source.removeprefix('rule:')} matches {lines:,} lines in "
            f"{articles:,} articles; {stored:,} new suggestions from {rule.source}"
        )
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    if (args.accept or args.reject) and not args.annotator:
        print("tandai suggest: --accept and --reject need --annotator NAME", file=sys.stderr)
        return EXIT_FAILED
    with Project.open(args.project) as project:
        status = _configure(project, args)
        if status:
            return status
        if not args.no_run:
            bar = ProgressBar(quiet=args.quiet)
            names = {"index": ("lines", ""), "suggest": ("suggesting", "")}

            def on_progress(p: SuggestProgress) -> None:
                label, unit = names[p.phase]
                bar.update(label, p.done, p.total, unit=unit)

            report = project.suggestions.run_suggesters(
                sources=args.source or None, only_new=args.new, on_progress=on_progress
            )
            bar.finish()
            print(report.summary())
        for what, verb in ((args.accept, "accepted"), (args.reject, "rejected")):
            if not what:
                continue
            layer, source = _scope(what)
            pending = project.suggestions.count_pending(
                annotator=args.annotator, layer=layer, source=source
            )
            if verb == "accepted":
                result = project.suggestions.accept_all(
                    annotator=args.annotator, layer=layer, source=source
                )
                extra = (
                    f", {result.skipped:,} skipped (proposed by several sources, overlapping, "
                    "or an unknown label)"
                )
            else:
                result = project.suggestions.reject_all(
                    annotator=args.annotator, layer=layer, source=source
                )
                extra = ""
            print(
                f"{what}: {pending:,} pending, {result.done:,} {verb} for {args.annotator}{extra}"
            )
            if verb == "accepted" and result.done:
                _say_statuses_unchanged(project, args.annotator)
        counts = project.suggestions.suggestion_counts(annotator=args.annotator)
        if counts:
            label = f"pending for {args.annotator}" if args.annotator else "stored"
            print(f"suggestions {label}: " + ", ".join(f"{s} {n:,}" for s, n in counts.items()))
    return 0
