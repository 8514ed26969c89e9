"""Run an export: records in (streamed, possibly twice), files, labels.json and card out.

Without a split, records stream straight to ``data.jsonl``. With one, a first pass reads
every record once to learn each article's near-duplicate signature and stance stratum
(a few integers per article, never the texts), the assignment is made, and a second pass
streams the records into their split files.

Everything is written into a staging folder beside OUT (``.OUT.tandai-export``) and moved in
only when complete, so a cancelled, failed or killed export leaves OUT as it was, and the
next try simply starts over (a stale staging folder is removed first). OUT gets a manifest
(:data:`MANIFEST`) naming the files the export wrote; a later export into OUT removes only
those, so the user's own files there (``test_gold.jsonl``) survive.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import hashlib
import json
import os
import shutil
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from core.export import card, splits
from core.export.bio import tag_names
from core.export.clean import clean_text
from core.export.docbin import DocBinFile, DocLine
from core.export.formats import Tally, lines_of
from core.export.records import SUFFIXES, ExportOptions, ExportRecord
from core.neardup import NearDuplicates

CARD_FILE = "README.md"
LABELS_FILE = "labels.json"
#: What an export wrote into its folder; the next export into it removes only these files.
MANIFEST = ".tandai-export.json"


class ExportError(Exception):
    """An export that cannot start (bad options, an output folder that is not ours)."""


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """``phase``: "scan" (first pass of a split) or "write"; counts are articles."""

    phase: str
    done: int
    total: int


@dataclass(slots=True)
class ExportSummary:
    out: Path
    files: dict[str, str] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    articles: int = 0
    groups: card.GroupFigures | None = None
    cancelled: bool = False
    #: ``{status: (articles, spans)}`` of labelled records the chosen statuses left out.
    left_out: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(t.records for t in self.tallies.values())

    @property
    def lines(self) -> int:
        return sum(t.lines for t in self.tallies.values())

    def text(self) -> str:
        if self.cancelled:
            return "export cancelled; the output folder was left as it was"
        parts = [
            f"{name}: {self.tallies[split].lines:,} lines" for split, name in self.files.items()
        ]
        dropped = sum(t.dropped for t in self.tallies.values())
        more = f"; {dropped:,} entity spans dropped" if dropped else ""
        text = (
            f"{self.records:,} records of {self.articles:,} articles -> {self.out} "
            f"({', '.join(parts)}{more})"
        )
        if self.left_out:
            text += "\n" + left_out_text(self.left_out)
        return text


def left_out_text(left_out: dict[str, tuple[int, int]]) -> str:
    """ "78 todo articles with 848 spans not exported: export with --status all ..."."""
    parts = [f"{a:,} {status} articles with {n:,} spans" for status, (a, n) in left_out.items()]
    return f"{'; '.join(parts)} not exported: export with --status all to include them"


@dataclass(frozen=True, slots=True)
class _CardExtra:
    """What the card says beyond the counts: handed through to :func:`card.render`."""

    license: str
    label_definitions: dict[str, str] | None
    left_out: dict[str, tuple[int, int]]
    agreement_text: Callable[[], str] | None = None


RecordSource = Callable[[], Iterable[ExportRecord]]
#: Article id -> near-duplicate group id, for every article the export may hold.
GroupSource = Callable[[], Mapping[int, int]]
ProgressFn = Callable[[ExportProgress], None]
StopFn = Callable[[], bool]


def staging_folder(out: Path) -> Path:
    """Where an export into ``out`` is written before it is moved in: beside ``out`` (same
    file system, so every move is a rename)."""
    out = out.absolute()
    return out.parent / f".{out.name}.tandai-export"


def _card_files(readme: Path) -> set[str]:
    """The data files an earlier card lists (an export made before manifests existed)."""
    files: set[str] = set()
    lines = readme.read_text("utf-8", errors="replace").splitlines()
    if "## Files" in lines:
        for line in lines[lines.index("## Files") + 4 :]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not line.startswith("|") or len(cells) < 2:
                break
            files.add(cells[1])
    return files


def prepare_folder(out: Path) -> set[str]:
    """The files of an earlier Tandai export in ``out`` (empty for a new or empty folder);
    refuse a folder holding anything else without a Tandai export's card."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: exists and is not a folder (OUT is a folder)")
    if not out.is_dir() or not any(out.iterdir()):
        return set()
    readme = out / CARD_FILE
    head: list[str] = []
    if readme.is_file():
        with readme.open(encoding="utf-8", errors="replace") as fh:
            # The marker follows the card's YAML block (a few dozen lines at most).
            head = [line.strip() for _, line in zip(range(400), fh, strict=False)]
    if card.MARKER not in head:
        raise ExportError(
            f"{out}: folder is not empty and holds no earlier Tandai export; "
            "choose a new or empty folder"
        )
    manifest = out / MANIFEST
    try:
        owned = set(json.loads(manifest.read_text("utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        # An export from before manifests: its card names its data files.
        owned = _card_files(readme) | {CARD_FILE, LABELS_FILE}
    # Only plain names inside the folder: a hand-edited manifest must not reach outside it.
    owned = {name for name in owned if name and Path(name).name == name and name != "."}
    # *.partial: left by a killed export of an older Tandai, which wrote them in place.
    owned |= {p.name for p in out.glob("*.partial") if p.is_file()}
    return owned | {MANIFEST}


def _check_writable(out: Path) -> None:
    """Fail before the work, not after it, when OUT or its parent cannot be written."""
    existing = out if out.exists() else next((p for p in out.parents if p.exists()), None)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(
            f"{existing}: cannot write there (permission denied or a read-only disk); "
            "choose a folder you can write to"
        )


def export_fault(exc: OSError, out: Path) -> ExportError:
    """One line that says what happened to the files and what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ExportError(
            f"{out}: the disk is full; nothing was exported and the folder was left as it "
            "was. Free some space, then export again"
        )
    where = exc.filename or out
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ExportError(
            f"{where}: cannot write there ({exc.strerror}); nothing was exported. Choose a "
            "folder you can write to"
        )
    return ExportError(f"{where}: cannot write the export ({exc.strerror}); nothing was exported")


def _by_article(records: Iterable[ExportRecord]) -> Iterator[list[ExportRecord]]:
    batch: list[ExportRecord] = []
    for record in records:
        if batch and record.article_id != batch[0].article_id:
            yield batch
            batch = []
        batch.append(record)
    if batch:
        yield batch


def _fallback_split(uid: str, split: Sequence[tuple[str, float]]) -> str:
    """For an article first seen in the second pass (labelled while exporting)."""
    point = int.from_bytes(hashlib.sha1(uid.encode("utf-8", "surrogatepass")).digest()[:8]) / 2**64
    edge = 0.0
    for name, fraction in split:
        edge += fraction
        if point < edge:
            return name
    return split[-1][0]


def _plan(
    source: RecordSource,
    options: ExportOptions,
    total: int,
    on_progress: ProgressFn | None,
    should_stop: StopFn | None,
    groups: GroupSource | None = None,
) -> tuple[dict[int, str], card.GroupFigures] | None:
    """First pass: article id -> split name, and what the near-duplicate grouping did.
    ``groups``: the groups kept in the project; None: group the texts read here."""
    group_of = groups() if groups is not None and options.group_near_duplicates else None
    ids = array("q")
    uids: list[str] = []
    sizes = array("l")
    strata: list[str] = []
    entity_sets: list[frozenset[str]] = []
    finder = NearDuplicates()
    for n, records in enumerate(_by_article(source()), 1):
        if should_stop and should_stop():
            return None
        first = records[0]
        ids.append(first.article_id)
        uids.append(first.uid)
        sizes.append(len(records))
        strata.append(splits.stratum_of([r.stance for r in records]))
        entity_sets.append(frozenset(s[3] for r in records for s in r.spans if s[2] == "entity"))
        if options.group_near_duplicates and group_of is None:
            finder.add(clean_text(first.text, first.spans).text)
        if on_progress and n % 200 == 0:
            on_progress(ExportProgress("scan", n, total))
    strata = splits.with_entity_strata(strata, entity_sets)
    if group_of is not None:
        first_of: dict[int, int] = {}
        roots = [first_of.setdefault(group_of.get(aid, -1 - i), i) for i, aid in enumerate(ids)]
    elif options.group_near_duplicates:
        roots = finder.groups()
    else:
        roots = list(range(len(ids)))
    members: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        members.setdefault(root, []).append(i)
    units = []
    for root, idx in members.items():
        tally = Counter(strata[i] for i in idx)
        stratum = min(tally, key=lambda k: (-tally[k], k))
        units.append(
            (root, splits.Group(min(uids[i] for i in idx), sum(sizes[i] for i in idx), stratum))
        )
    chosen = splits.assign([g for _, g in units], options.split, options.seed)
    by_root = {root: chosen[g.key] for root, g in units}
    plan = {ids[i]: by_root[root] for i, root in enumerate(roots)}
    big = [idx for idx in members.values() if len(idx) > 1]
    held: Counter[str] = Counter()
    for idx in big:
        held[plan[ids[idx[0]]]] += len(idx)
    figures = card.GroupFigures(
        groups=len(big),
        articles=sum(len(idx) for idx in big),
        largest=max((len(idx) for idx in big), default=0),
        held_together={name: held[name] for name, _ in options.split},
        grouped=options.group_near_duplicates,
    )
    return plan, figures


def run_export(
    source: RecordSource,
    out: Path,
    options: ExportOptions,
    *,
    scan: RecordSource | None = None,
    groups: GroupSource | None = None,
    project: str,
    entity_labels: Sequence[str] = (),
    license: str = "",
    left_out: dict[str, tuple[int, int]] | None = None,
    label_definitions: dict[str, str] | None = None,
    total: int = 0,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_article: Callable[[Sequence[ExportRecord]], None] | None = None,
    agreement_text: Callable[[], str] | None = None,
) -> ExportSummary:
    """Write the export of ``source()`` records into folder ``out``. ``scan`` gives the
    records for a split's first pass when ``groups`` gives the groups (which labels a record
    holds and its stance suffice); grouping here reads ``source``, which has the texts.
    ``groups``: near-duplicate groups kept by the project (else computed from the texts);
    ``on_article`` sees each article's records as they are written (the agreement of the
    annotators the export holds is counted so); ``agreement_text`` gives the card's
    agreement section."""
    try:
        options.validate()
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    out = Path(out)
    owned = prepare_folder(out)
    _check_writable(out)
    if options.format == "ner-bio":
        options = replace(options, tag_names=tuple(tag_names(entity_labels)))
    card_extra = _CardExtra(license, label_definitions, dict(left_out or {}), agreement_text)
    staging = staging_folder(out)
    try:
        shutil.rmtree(staging, ignore_errors=True)  # a killed export's leftovers
        staging.mkdir(parents=True)
        summary = _write_staged(
            source, staging, out, options, scan, project, card_extra, total, on_progress,
            should_stop, on_article, groups,
        )  # fmt: skip
        summary.left_out = dict(left_out or {})
        if not summary.cancelled:
            _swap_in(staging, out, owned)
    except OSError as exc:
        raise export_fault(exc, out) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _write_staged(
    source: RecordSource,
    folder: Path,
    out: Path,
    options: ExportOptions,
    scan: RecordSource | None,
    project: str,
    card_extra: _CardExtra,
    total: int,
    on_progress: ProgressFn | None,
    should_stop: StopFn | None,
    on_article: Callable[[Sequence[ExportRecord]], None] | None,
    groups: GroupSource | None,
) -> ExportSummary:
    """Every file of the export, manifest last, into ``folder``."""
    summary = ExportSummary(out=out)
    plan: dict[int, str] | None = None
    names = [name for name, _ in options.split] or ["data"]
    if options.split:
        collecting = gc.isenabled()
        gc.disable()
        try:
            # Grouping the texts here needs them: a scan without text serves given groups.
            hashing = options.group_near_duplicates and groups is None
            first = source if hashing or scan is None else scan
            planned = _plan(first, options, total, on_progress, should_stop, groups)
        finally:
            if collecting:
                gc.enable()
        if planned is None:
            summary.cancelled = True
            return summary
        plan, summary.groups = planned
    suffix = SUFFIXES[options.format]
    files = {name: f"{'data' if not options.split else name}{suffix}" for name in names}
    summary.files = files
    summary.tallies = {name: Tally() for name in names}
    handles: dict[str, IO[str] | DocBinFile] = {
        name: (
            DocBinFile(folder / files[name])
            if options.format == "spacy"
            else (folder / files[name]).open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
        )
        for name in names
    }
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    # Millions of short-lived tuples would set off the cycle collector thousands of times;
    # nothing here makes cycles, so it sleeps until the files are written.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for n, records in enumerate(_by_article(source()), 1):
            if should_stop and should_stop():
                summary.cancelled = True
                break
            if on_article is not None:
                on_article(records)
            uid = records[0].uid
            name = "data"
            if plan is not None:
                name = plan.get(records[0].article_id) or _fallback_split(uid, options.split)
            write, tally = handles[name].write, summary.tallies[name]
            split = name if plan is not None else None
            for record in records:
                for line in lines_of(record, options, tally, split):
                    # Two writes, not ``line + "\n"``: a spans line is a whole article
                    # (tens of kB); gluing the newline on would copy it once more.
                    write(line if isinstance(line, str | DocLine) else dumps(line))  # type: ignore[arg-type]
                    write("\n")
            summary.articles = n
            if on_progress and n % 200 == 0:
                on_progress(ExportProgress("write", n, total))
    finally:
        if collecting:
            gc.enable()
        for handle in handles.values():
            handle.close()  # a full disk shows here at the latest (the buffer's last write)
    if summary.cancelled:
        return summary
    if on_progress:
        on_progress(ExportProgress("write", summary.articles, max(total, summary.articles)))
    written = list(files.values())
    if options.format == "ner-bio":
        (folder / LABELS_FILE).write_text(
            json.dumps(list(options.tag_names), ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(LABELS_FILE)
    (folder / CARD_FILE).write_text(
        card.render(
            project=project,
            options=options,
            files=files,
            tallies=summary.tallies,
            articles=summary.articles,
            groups=summary.groups,
            when=dt.datetime.now(dt.UTC),
            license=card_extra.license,
            left_out=card_extra.left_out,
            label_definitions=card_extra.label_definitions,
            agreement=card_extra.agreement_text() if card_extra.agreement_text else "",
        ),
        encoding="utf-8",
    )
    written.append(CARD_FILE)
    (folder / MANIFEST).write_text(
        json.dumps({"written_by": "Tandai", "files": sorted(written)}, indent=1) + "\n",
        encoding="utf-8",
    )
    return summary


def _swap_in(staging: Path, out: Path, owned: set[str]) -> None:
    """Move the finished export into ``out``; remove the earlier export's files (``owned``)
    that this one does not replace. Data files first, card and manifest last: until then
    the folder still reads as the earlier export, so an export killed here is simply run
    again."""
    out.mkdir(parents=True, exist_ok=True)
    new = [p.name for p in staging.iterdir()]
    last = [CARD_FILE, MANIFEST]
    for name in [n for n in new if n not in last] + [n for n in last if n in new]:
        os.replace(staging / name, out / name)
    for name in owned - set(new):
        target = out / name
        if target.is_file() or target.is_symlink():
            target.unlink()
