"""The dataset card (``README.md``) written beside the exported files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from core.export.formats import SCHEMAS, Tally
from core.export.neardup import BANDS, BINS, SHINGLE, THRESHOLD
from core.export.records import ExportOptions
from core.redact import mask_secrets

#: First line of every card: marks a folder as a Tandai export that a new export may replace.
MARKER = "<!-- Tandai dataset card: the next export into this folder replaces its files -->"


_MARKDOWN = re.compile(r"([\\`*_\[\]|#~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def md(text: str) -> str:
    """A name (annotator, label, source) as inert Markdown text on one line: markup and
    table pipes escaped, HTML shown as text, line breaks and control characters spelled
    out. Names are typed by people and imported from files: a card must not run a
    ``<script>`` or break its tables."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN.sub(r"\\\1", text)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _unmd(cell: str) -> str:
    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), cell)
    text = re.sub(r"\\(.)", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _code(text: str) -> str:
    """``text`` as an inline code span that no backtick or line break inside can end."""
    text = _CONTROL.sub(" ", text)
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _table(title: str, rows: Mapping[str, Mapping[str, int]], splits: list[str]) -> list[str]:
    keys = sorted({k for counts in rows.values() for k in counts})
    if not keys:
        return []
    lines = [f"## {title}", "", "| " + " | ".join([title.lower(), *splits]) + " |"]
    lines.append("|" + "---|" * (len(splits) + 1))
    for key in keys:
        lines.append(
            "| " + " | ".join([md(key), *(str(rows[s].get(key, 0)) for s in splits)]) + " |"
        )
    return [*lines, ""]


def render(
    *,
    project: str,
    options: ExportOptions,
    files: Mapping[str, str],
    tallies: Mapping[str, Tally],
    articles: int,
    groups: tuple[int, int] | None,
    when: dt.datetime,
) -> str:
    """Markdown card. ``files``: split -> file name; ``groups``: (near-duplicate groups of
    two or more articles, articles in them), or None without a split."""
    splits = list(files)
    sel = options.selection
    lines = [
        MARKER,
        f"# {md(project)}: `{options.format}` export",
        "",
        f"Exported {when:%Y-%m-%d %H:%M} UTC with {_code(options.command or 'tandai export')}.",
        "",
        f"- Status: {', '.join(sel.statuses) or 'all'}; annotators: "
        f"{md(', '.join(sel.annotators)) or 'all'}; languages: "
        f"{md(', '.join(sel.langs)) or 'all'}; sources: {md(', '.join(sel.sources)) or 'all'}",
        f"- Articles: {articles}; records (one per article and annotator): "
        f"{sum(t.records for t in tallies.values())}",
        "- Offsets are Unicode code points of `text` (Python `str` indices); "
        "every span's `text` equals `text[start:end]`.",
    ]
    if options.clean or options.format == "clean":
        lines.append("- Boilerplate removed; entity spans remapped.")
    dropped = sum(t.dropped for t in tallies.values())
    if dropped:
        lines.append(f"- Entity spans dropped (cut by boilerplate or covering no token): {dropped}")
    if options.split:
        lines.append(
            "- Split: "
            + ", ".join(f"{n}={f:g}" for n, f in options.split)
            + f", seed {options.seed}; stratified by stance label; near-duplicate articles "
            "kept in one split"
        )
    if groups is not None:
        lines.append(
            f"- Near-duplicates: MinHash ({BINS} bins, one permutation) over lower-cased word "
            f"{SHINGLE}-shingles, LSH {BANDS}x{BINS // BANDS}, estimated Jaccard >= "
            f"{THRESHOLD:g}; groups of two or more articles: {groups[0]}, holding {groups[1]} "
            "articles"
        )
    lines += ["", "## Files", "", "| split | file | records | lines |", "|---|---|---|---|"]
    for split in splits:
        t = tallies[split]
        lines.append(f"| {split} | {files[split]} | {t.records} | {t.lines} |")
    lines.append("")
    lines += _table("Labels", {s: tallies[s].label_counts() for s in splits}, splits)
    lines += _table("Languages", {s: tallies[s].langs for s in splits}, splits)
    lines += _table("Annotators", {s: tallies[s].annotators for s in splits}, splits)
    lines += ["## Schema", ""]
    lines += [f"- `{name}`: {text}" for name, text in SCHEMAS[options.format]]
    if options.format == "ner-bio":
        lines.append("- `labels.json`: the tag names; a tag's position is its integer id")
    # Whatever reached the card (a project URL, a command line), no password leaves in it.
    return mask_secrets("\n".join(lines) + "\n")


def parse_counts(card: str, title: str) -> dict[str, dict[str, int]]:
    """Read a table of a card back: ``{row: {split: count}}`` (for tests and tools)."""
    rows: dict[str, dict[str, int]] = {}
    lines = card.splitlines()
    try:
        at = lines.index(f"## {title}")
    except ValueError:
        return rows
    header = [c.strip() for c in lines[at + 2].strip("|").split("|")]
    for line in lines[at + 4 :]:
        if not line.startswith("|"):
            break
        cells = [_unmd(c.strip()) for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        rows[cells[0]] = {
            h: int(c) for h, c in zip(header[1:], cells[1:], strict=True) if c.isdigit()
        }
    return rows
