"""The dataset card (``README.md``) written beside the exported files.

It opens with the YAML block the Hugging Face Hub and ``datasets`` read: ``configs`` names
the data files of each split (so ``load_dataset(folder)`` reads those and nothing else, not
``labels.json``), ``dataset_info.features`` gives ``ner_tags`` their ClassLabel names, and
``language``, ``license``, ``task_categories`` and ``size_categories`` describe the set.
The YAML is written by hand (JSON strings are valid YAML scalars), so the app needs no YAML
library.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.export.formats import SCHEMAS, Tally
from core.export.records import JSONL_FORMATS, ExportOptions
from core.neardup import BANDS, BINS, ROWS, SHINGLE, THRESHOLD
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


def _fenced(text: str) -> list[str]:
    """``text`` as a fenced block no line of it can close, control characters but the
    line breaks spelled out (names in it are typed by people)."""
    text = re.sub(
        r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text
    )
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text, fence]


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """What near-duplicate grouping did to a split export: groups of two or more articles,
    the articles in them, the largest group, and per split the articles it held together."""

    groups: int = 0
    articles: int = 0
    largest: int = 0
    held_together: dict[str, int] = field(default_factory=dict)
    grouped: bool = True


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


_TASKS = {
    "spans": "token-classification",
    "ner-bio": "token-classification",
    "stance": "text-classification",
    "clean": "text-generation",
    "boilerplate-lines": "text-classification",
    "conll": "token-classification",
    "spacy": "token-classification",
}
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _size_category(records: int) -> str:
    return next((name for limit, name in _SIZES if records < limit), "1M<n<10M")


def _ner_bio_features(tag_names: Sequence[str], *, chunked: bool, spaces: bool) -> list[str]:
    lines = [
        "dataset_info:",
        "  features:",
        "  - name: id",
        "    dtype: string",
        "  - name: text",
        "    dtype: string",
        "  - name: tokens",
        "    sequence: string",
        "  - name: ner_tags",
        "    sequence:",
        "      class_label:",
        "        names:",
    ]
    lines += [f"          '{n}': {_q(name)}" for n, name in enumerate(tag_names)]
    if spaces:
        lines += ["  - name: spaces", "    sequence: bool"]
    for name in ("lang", "url", "source", "annotator", "split"):
        lines += [f"  - name: {name}", "    dtype: string"]
    if chunked:
        lines += ["  - name: article", "    dtype: string", "  - name: offset", "    dtype: int64"]
    return lines


def front_matter(
    *, options: ExportOptions, files: Mapping[str, str], tallies: Mapping[str, Tally], license: str
) -> list[str]:
    """The YAML block: what the Hub shows and what ``load_dataset`` reads."""
    langs = sorted({lang for t in tallies.values() for lang in t.langs if lang != "unknown"})
    records = sum(t.records for t in tallies.values())
    lines = ["---"]
    lines += ["language:", *(f"- {_q(lang)}" for lang in langs)] if langs else []
    lines += [f"license: {_q(license or 'unknown')}"]
    lines += ["task_categories:", f"- {_TASKS[options.format]}"]
    lines += ["size_categories:", f"- {_q(_size_category(records))}"]
    if options.format in JSONL_FORMATS:  # datasets has no CoNLL reader to point at
        lines += ["configs:", "- config_name: default", "  data_files:"]
        for split, name in files.items():
            lines += [
                f"  - split: {_q('train' if split == 'data' else split)}",
                f"    path: {_q(name)}",
            ]
    if options.format == "ner-bio" and not options.tag_strings:
        lines += _ner_bio_features(
            options.tag_names, chunked=bool(options.chunk), spaces=options.token_style == "spacy"
        )
    return [*lines, "---"]


#: A label is "skewed" when its share of a split's labels is this many times above or
#: below its share of the whole export (and it is common enough for that to mean anything).
SKEW = 2.0
_SKEW_MIN = 10


def _label_warnings(counts: Mapping[str, Mapping[str, int]], splits: list[str]) -> list[str]:
    """A warning for each label missing from a split, or much rarer or commoner there."""
    if len(splits) < 2:
        return []
    totals = {s: sum(counts[s].values()) for s in splits}
    grand = sum(totals.values())
    labels = sorted({k for c in counts.values() for k in c})
    out: list[str] = []
    for label in labels:
        overall = sum(counts[s].get(label, 0) for s in splits)
        for s in splits:
            n = counts[s].get(label, 0)
            if n == 0 and totals[s]:
                out.append(f"- Warning: `{label}` does not occur in `{s}` ({overall} in all)")
                continue
            if overall < _SKEW_MIN or not totals[s]:
                continue
            share, expected = n / totals[s], overall / grand
            if share > expected * SKEW or share * SKEW < expected:
                out.append(
                    f"- Warning: `{label}` is skewed in `{s}`: {share:.1%} of its labels, "
                    f"{expected:.1%} of all"
                )
    return ["## Label warnings", "", *out, ""] if out else []


def render(
    *,
    project: str,
    options: ExportOptions,
    files: Mapping[str, str],
    tallies: Mapping[str, Tally],
    articles: int,
    groups: GroupFigures | None,
    when: dt.datetime,
    license: str = "",
    left_out: Mapping[str, tuple[int, int]] | None = None,
    label_definitions: Mapping[str, str] | None = None,
    agreement: str = "",
) -> str:
    """Markdown card. ``files``: split -> file name; ``groups``: what near-duplicate
    grouping did, or None without a split."""
    splits = list(files)
    sel = options.selection
    lines = [
        *front_matter(options=options, files=files, tallies=tallies, license=license),
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
    for status, (count, spans) in (left_out or {}).items():
        lines.append(
            f"- Not exported (status {status}): {count} articles with {spans} spans; "
            "export with `--status all` to include them"
        )
    unlabelled = sum(t.unlabelled for t in tallies.values())
    if unlabelled:
        lines.append(
            f"- Left out: {unlabelled} records that are not done and hold no entity "
            "(`--keep-unlabelled` keeps them)"
        )
    if options.clean or options.format == "clean":
        lines.append("- Boilerplate removed; entity spans remapped.")
    dropped = sum(t.dropped for t in tallies.values())
    if dropped:
        lines.append(f"- Entity spans dropped (cut by boilerplate or covering no token): {dropped}")
    if options.split:
        lines.append(
            "- Split: "
            + ", ".join(f"{n}={f:g}" for n, f in options.split)
            + f", seed {options.seed}; stratified by stance and the rarest entity label; near-duplicate articles "
            "kept in one split"
        )
    if groups is not None and not groups.grouped:
        lines.append("- Near-duplicates: not grouped (`--no-near-duplicates`)")
    elif groups is not None:
        held = ", ".join(f"{name} {count}" for name, count in groups.held_together.items())
        lines.append(
            f"- Near-duplicates: exact Jaccard similarity of lower-cased word {SHINGLE}-shingles"
            f" >= {THRESHOLD:g}, groups closed transitively; candidates from MinHash LSH "
            f"({BINS} bins, {BANDS} bands of {ROWS}); groups of two or more articles: "
            f"{groups.groups}, holding {groups.articles} articles; largest group: "
            f"{groups.largest} articles; articles held together with their near-duplicates "
            f"per split: {held}"
        )
    lines += ["", "## Files", "", "| split | file | records | lines |", "|---|---|---|---|"]
    for split in splits:
        t = tallies[split]
        lines.append(f"| {split} | {files[split]} | {t.records} | {t.lines} |")
    lines.append("")
    label_counts = {s: tallies[s].label_counts() for s in splits}
    lines += _table("Labels", label_counts, splits)
    lines += _label_warnings(label_counts, splits)
    lines += _table("Languages", {s: tallies[s].langs for s in splits}, splits)
    lines += _table("Sources", {s: tallies[s].sources for s in splits}, splits)
    lines += _table("Statuses", {s: tallies[s].statuses for s in splits}, splits)
    lines += _table("Annotators", {s: tallies[s].annotators for s in splits}, splits)
    if label_definitions:
        lines += ["## Label definitions", ""]
        lines += [
            f"- {_code(name)}: {md(text)}" for name, text in label_definitions.items() if text
        ]
        lines.append("")
    if agreement:
        lines += [
            "## Agreement",
            "",
            "Between the annotators this export holds, over the articles two or more of them "
            "finished (status done); definitions in Tandai's README (`tandai agreement`).",
            "",
            *_fenced(agreement),
            "",
        ]
    lines += ["## Schema", ""]
    lines += [f"- `{name}`: {text}" for name, text in SCHEMAS[options.format]]
    if options.format == "ner-bio":
        lines.append(
            "- `labels.json`: the tag names; a tag's position is its integer id (the same "
            "names as the ClassLabel above)"
        )
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
