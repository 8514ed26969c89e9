"""Importing labelled records: the article as any import stores it, then its labels.

The article goes through the same path as a plain import (normalised text, duplicates by
content hash), so an article already in the project gets the labels attached instead of a
second copy. The labels go in as one annotator's (origin ``imported``) or as suggestions of
a named source. Problems are reported as ``file:line: reason``; a record with a skipped
label is stored with its good labels and set to ``flagged`` (with the reasons as its note)
so it is reviewed before it is exported as done. Importing the same file twice adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from core.labelled import LabelledRecord, LabelledReport, parse_labelled
from core.readers import Problem, RawRecord
from core.text import content_hash
from storage.errors import LabelError, ProjectError
from storage.importing import BATCH, MAX_CHARS, ImportProgress

if TYPE_CHECKING:
    import peewee as pw

    from storage.models import Models


def _tag_names(folder: Path) -> list[str] | None:
    """The tag list of a ``labels.json`` beside a ``ner-bio`` file, if there is one."""
    path = folder / "labels.json"
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return names if isinstance(names, list) and all(isinstance(n, str) for n in names) else None


class LabelledImportMixin:
    """Mixed into ``Project``; relies on its import, label and suggestion methods."""

    db: pw.Database
    m: Models

    def import_labelled(
        self,
        paths: Iterable[Path | str],
        *,
        annotator: str | None = None,
        suggestions: str | None = None,
        field_map: dict[str, str] | None = None,
        label_map: dict[str, str] | None = None,
        encoding: str = "utf-8",
        max_chars: int = MAX_CHARS,
        on_progress: Callable[[ImportProgress], None] | None = None,
        on_problem: Callable[[str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        detect: bool = True,
    ) -> LabelledReport:
        """Import articles with their labels, as ``annotator``'s or as ``suggestions``.

        ``label_map`` renames the file's labels (``{"PERSON": "PER"}``) before they are checked
        against the schema. Label Studio tasks give their predictions as suggestions and their
        annotations as an annotator's labels."""
        if (annotator is None) == (suggestions is None):
            raise ProjectError("labels go in as an annotator's or as suggestions: name one")
        ann_id = self.annotator_id(annotator) if annotator is not None else None
        report = LabelledReport()
        schema = self.schema()
        tags: dict[Path, list[str] | None] = {}

        def convert(raw: RawRecord, path: Path) -> LabelledRecord | Problem:
            if path.parent not in tags:
                tags[path.parent] = _tag_names(path.parent)
            return parse_labelled(
                raw,
                schema,
                field_map=field_map,
                max_chars=max_chars,
                tag_names=tags[path.parent],
                label_map=label_map,
                predictions=suggestions is not None,
            )

        def problem(origin: str, reason: str) -> None:
            report.add_problem(f"{origin}: {reason}", reason)
            if on_problem:
                on_problem(f"{origin}: {reason}")

        def label_problem(origin: str, reason: str) -> None:
            report.add_label_problem(f"{origin}: {reason}", reason)
            if on_problem:
                on_problem(f"{origin}: {reason}")

        with self._import_run(
            paths, report, detect=detect, on_progress=on_progress, should_stop=should_stop
        ):
            records = self._read_records(
                paths,
                report,
                convert,
                encoding=encoding,
                on_progress=on_progress,
                on_problem=on_problem,
            )
            pending: list[LabelledRecord] = []
            for record in records:
                for reason in record.problems:
                    label_problem(record.article.origin, reason)
                pending.append(record)
                if len(pending) >= BATCH:
                    if should_stop and should_stop():
                        report.cancelled = True
                        break
                    self._labelled_batch(pending, report, ann_id, suggestions, problem)
                    pending = []
            if pending and not report.cancelled:
                self._labelled_batch(pending, report, ann_id, suggestions, problem)
        return report

    def _labelled_batch(
        self,
        batch: list[LabelledRecord],
        report: LabelledReport,
        annotator_id: int | None,
        source: str | None,
        problem: Callable[[str, str], None],
    ) -> None:
        self.store_articles([r.article for r in batch], report=report)
        hashes = [content_hash(r.article.text) for r in batch]
        ids = self._ids_of(sorted(set(hashes)))
        if source is not None:
            for record, key in zip(batch, hashes, strict=True):
                rows = [(s.layer, s.label, s.start, s.end, 1.0) for s in record.spans]
                try:
                    report.suggestions += self.add_suggestions(ids[key], rows, source=source)
                except LabelError as exc:
                    problem(record.article.origin, str(exc))
            return
        assert annotator_id is not None
        self._store_labels(batch, [ids[h] for h in hashes], annotator_id, report, problem)

    def _ids_of(self, hashes: list[str]) -> dict[str, int]:
        p = self.db.param
        found: dict[str, int] = {}
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            rows = self.db.execute_sql(
                f"SELECT content_hash, id FROM article WHERE content_hash IN ({', '.join([p] * len(part))})",
                part,
            ).fetchall()
            found.update((h, int(a)) for h, a in rows)
        return found

    def _store_labels(
        self,
        batch: list[LabelledRecord],
        article_ids: list[int],
        annotator_id: int,
        report: LabelledReport,
        problem: Callable[[str, str], None],
    ) -> None:
        """One transaction: spans (skipping what is there), stance, status per record."""
        p = self.db.param
        unique_ids = sorted(set(article_ids))
        with self._write():
            existing: dict[int, set[tuple[str, str, int, int]]] = {a: set() for a in unique_ids}
            for i in range(0, len(unique_ids), 500):
                part = unique_ids[i : i + 500]
                for aid, layer, label, start, end in self.db.execute_sql(
                    f'SELECT article_id, layer, label, start, "end" FROM span WHERE annotator_id = {p}'
                    f" AND article_id IN ({', '.join([p] * len(part))})",
                    [annotator_id, *part],
                ).fetchall():
                    existing[aid].add((layer, label, start, end))
            spans: list[tuple] = []
            docs: list[tuple] = []
            progress: list[tuple] = []
            for record, aid in zip(batch, article_ids, strict=True):
                have = existing[aid]
                reasons = list(record.problems)
                for s in record.spans:
                    key = (s.layer, s.label, s.start, s.end)
                    if key in have:
                        continue
                    clash = next(
                        (
                            h
                            for h in have
                            if s.layer == "entity" == h[0] and h[2] < s.end and h[3] > s.start
                        ),
                        None,
                    )
                    if clash is not None:
                        reason = (
                            f"overlaps a stored entity: {s.label} {s.start}–{s.end} overlaps "
                            f"{clash[1]} {clash[2]}–{clash[3]}"
                        )
                        problem(record.article.origin, reason)
                        reasons.append(reason)
                        continue
                    have.add(key)
                    spans.append((aid, annotator_id, *key, "imported"))
                for key, value in record.doc_labels.items():
                    docs.append((aid, annotator_id, key, value))
                status = "flagged" if reasons else (record.status or "done")
                note = ("labelled import: " + "; ".join(reasons))[:2000] if reasons else ""
                progress.append((aid, annotator_id, status, note))
                report.flagged += bool(reasons)
            cursor = self.db.cursor()
            cursor.executemany(
                'INSERT INTO span (article_id, annotator_id, layer, label, start, "end", origin,'
                f" created, updated) VALUES ({', '.join([p] * 7)}, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)",
                spans,
            )
            cursor.executemany(
                "INSERT INTO doc_label (article_id, annotator_id, key, value, created, updated)"
                f" VALUES ({p}, {p}, {p}, {p}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                " ON CONFLICT (article_id, annotator_id, key) DO UPDATE SET value ="
                " excluded.value, updated = excluded.updated",
                docs,
            )
            cursor.executemany(
                "INSERT INTO progress (article_id, annotator_id, status, note, seconds, updated)"
                f" VALUES ({p}, {p}, {p}, {p}, 0, CURRENT_TIMESTAMP)"
                " ON CONFLICT (article_id, annotator_id) DO UPDATE SET status = excluded.status,"
                " note = excluded.note, updated = excluded.updated",
                progress,
            )
        report.spans += len(spans)
        report.doc_labels += len(docs)
