"""The ``agreement`` subcommand: how far annotators agree, per layer, over finished work."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.agreement import LAYER_NAMES, AgreementReport
from core.progress import ProgressBar
from storage import JudgementProgress, Project


def csv_names(value: str | None) -> list[str]:
    """``"ana, budi"`` -> ``["ana", "budi"]``."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


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
        report = project.agreement(
            csv_names(args.annotator) or None,
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


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _pair_lines(pairs: list[Any]) -> list[str]:
    return [
        f"    {p.a} / {p.b}: {p.units:,} units, agreement {_pct(p.agreement)}, "
        f"kappa {_num(p.kappa)}"
        for p in pairs
    ]


def describe_report(report: AgreementReport) -> str:
    """The figures as text for a terminal."""
    lines = [
        f"annotators: {', '.join(report.annotators) or 'none'}; "
        f"{report.articles:,} articles finished by two or more of them"
    ]
    if report.stance is not None:
        lines.append("\nstance")
        if not report.stance:
            lines.append("  (no stance labels on articles finished by two annotators)")
        for target, fig in report.stance.items():
            lines.append(f"  {target}: alpha {_num(fig.alpha)} over {fig.units:,} articles")
            lines += _pair_lines(fig.pairs)
    if report.boilerplate is not None:
        fig = report.boilerplate
        lines.append(f"\nboilerplate lines: alpha {_num(fig.alpha)} over {fig.units:,} lines")
        lines += _pair_lines(fig.pairs)
    if report.entity is not None:
        ent = report.entity
        lines.append(f"\nentity: mean F1 {_num(ent.f1)} (exact), {_num(ent.overlap_f1)} (overlap)")
        if ent.token_units is not None:
            lines.append(
                f"  token alpha (BIO) {_num(ent.token_alpha)} over {ent.token_units:,} tokens"
            )
        for p in ent.pairs:
            lines.append(
                f"    {p.a} / {p.b}: {p.articles:,} articles, F1 {_num(p.f1)}, "
                f"overlap F1 {_num(p.overlap_f1)}"
            )
            for label, f1 in p.per_label.items():
                lines.append(f"      {label}: {_num(f1)}")
    if report.disputed:
        top = ", ".join(f"{d.article_id} ({d.items})" for d in report.disputed[:10])
        lines.append(f"\nmost disputed articles (id (items)): {top}")
    return "\n".join(lines)


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
        return 2
    bar = ProgressBar(quiet=args.quiet)

    def on_progress(p: JudgementProgress) -> None:
        bar.update("adjudicating", p.done, p.total, extra="articles")

    with Project.open(args.project, user=args.user) as project:
        report = project.adjudicate(
            into=args.into.strip(),
            annotators=csv_names(args.annotator) or None,
            min_agree=args.min_agree,
            on_progress=on_progress,
        )
    bar.finish()
    print(report.summary())
    return 0
