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

from core.edits import (
    DUPLICATE,
    IMPORTED,
    OVERLAP,
    Access,
    EditResult,
    EditSet,
    NewSpan,
    StatusEdit,
)
from core.labelled import LabelledRecord, LabelledReport, parse_labelled
from core.readers import Problem, RawRecord
from core.text import content_hash
from storage.errors import AccessDenied, LabelError, ProjectError
from storage.importing import BATCH, MAX_CHARS, ImportProgress
from storage.part import ProjectPart

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Iterator
    from typing import Any

    import peewee as pw

    from core.models import NewArticle
    from core.report import ImportReport
    from storage.models import Models


def _tag_names(folder: Path) -> list[str] | None:
    """The tag list of a ``labels.json`` beside a ``ner-bio`` file, if there is one."""
    path = folder / "labels.json"
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return names if isinstance(names, list) and all(isinstance(n, str) for n in names) else None


class LabelledImportMixin(ProjectPart):
    """Mixed into ``Project``; relies on its import, label and suggestion methods."""

    db: pw.Database
    m: Models

    if TYPE_CHECKING:  # provided by ImportMixin, SuggestionMixin and EditMixin

        def _import_run(
            self,
            paths: Iterable[Path | str],
            report: ImportReport,
            *,
            detect: bool,
            on_progress: Callable[[ImportProgress], None] | None,
            should_stop: Callable[[], bool] | None,
        ) -> contextlib.AbstractContextManager[None]: ...
        def _read_records(
            self,
            paths: Iterable[Path | str],
            report: ImportReport,
            convert: Callable[[RawRecord, Path], Any],
            *,
            encoding: str,
            on_progress: Callable[[ImportProgress], None] | None,
            on_problem: Callable[[str], None] | None,
        ) -> Iterator[Any]: ...
        def store_articles(
            self, articles: Iterable[NewArticle], *, report: ImportReport | None = None
        ) -> ImportReport: ...
        def add_suggestions(
            self, article_id: int, rows: Iterable[tuple[str, str, int, int, float]], *, source: str
        ) -> int: ...
        def apply_edit_sets(
            self, sets: Iterable[EditSet], *, strict: bool = False
        ) -> list[EditResult]: ...
        def access(self) -> Access: ...

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
        if annotator is not None:
            self.annotator_id(annotator)  # an empty name is refused before anything is read
            refusal = self.access().refusal(annotator)
            if refusal is not None:  # refused before any article is stored
                raise AccessDenied(refusal)
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
                    self._labelled_batch(
                        pending, report, annotator, suggestions, problem, label_problem
                    )
                    pending = []
            if pending and not report.cancelled:
                self._labelled_batch(
                    pending, report, annotator, suggestions, problem, label_problem
                )
        return report

    def _labelled_batch(
        self,
        batch: list[LabelledRecord],
        report: LabelledReport,
        annotator: str | None,
        source: str | None,
        problem: Callable[[str, str], None],
        label_problem: Callable[[str, str], None],
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
        assert annotator is not None
        self._store_labels(batch, [ids[h] for h in hashes], annotator, report, label_problem)

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
        annotator: str,
        report: LabelledReport,
        problem: Callable[[str, str], None],
    ) -> None:
        """One transaction through the edit path: spans (what is there already is skipped
        quietly), stance, then each record's status (``flagged`` if a label was left out)."""
        sets = [
            EditSet(
                aid,
                annotator,
                add=tuple(NewSpan(s.layer, s.label, s.start, s.end, IMPORTED) for s in r.spans),
                doc=tuple(r.doc_labels.items()),
            )
            for r, aid in zip(batch, article_ids, strict=True)
        ]
        with self._write():
            statuses = []
            for record, aid, done in zip(
                batch, article_ids, self.apply_edit_sets(sets), strict=True
            ):
                reasons = list(record.problems)
                for refusal in done.refused:
                    if refusal.code == DUPLICATE:
                        continue  # importing the same labels twice adds nothing
                    reason = refusal.reason
                    if refusal.code == OVERLAP and isinstance(refusal.item, NewSpan):
                        new, other = refusal.item, refusal.other
                        assert other is not None
                        reason = (
                            f"overlaps a stored entity: {new.label} {new.start}–{new.end} "
                            f"overlaps {other.label} {other.start}–{other.end}"
                        )
                    problem(record.article.origin, reason)
                    reasons.append(reason)
                report.spans += len(done.added)
                report.doc_labels += len(done.doc_before)
                status = "flagged" if reasons else (record.status or "done")
                note = ("labelled import: " + "; ".join(reasons))[:2000] if reasons else ""
                statuses.append(EditSet(aid, annotator, status=StatusEdit(status, note)))
                report.flagged += bool(reasons)
            self.apply_edit_sets(statuses)
