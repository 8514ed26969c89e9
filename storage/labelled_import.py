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
    EditSet,
    NewSpan,
    StatusEdit,
)
from core.labelled import LabelledRecord, LabelledReport, parse_labelled
from core.readers import Problem, RawRecord
from core.text import content_hash
from storage.content_hashes import ids_by_hash
from storage.errors import AccessDenied, LabelError, ProjectError
from storage.import_progress import ImportProgress
from storage.importing import BATCH, MAX_CHARS, ArticleImports
from storage.part import ProjectPart

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Iterator
    from typing import Any

    from core.models import NewArticle
    from core.report import ImportReport
    from storage.edits import Edits
    from storage.near_duplicates import NearDuplicateGroups
    from storage.part import ProjectCore
    from storage.suggestions import Suggestions


def _tag_names(folder: Path) -> list[str] | None:
    """The tag list of a ``labels.json`` beside a ``ner-bio`` file, if there is one."""
    path = folder / "labels.json"
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return names if isinstance(names, list) and all(isinstance(n, str) for n in names) else None


class LabelledImports(ProjectPart):
    """Import of labelled records, a piece of ``project.imports``; writes through
    ``project.edits`` and ``project.suggestions``."""

    edits: Edits
    suggestions: Suggestions

    if TYPE_CHECKING:  # provided by ArticleImports

        def _import_run(
            self,
            paths: Iterable[Path | str],
            report: ImportReport,
            *,
            detect: bool,
            on_progress: Callable[[ImportProgress], None] | None,
            should_stop: Callable[[], bool] | None,
            by_hash: bool = False,
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

    def import_labelled(
        self,
        paths: Iterable[Path | str],
        *,
        annotator: str | None = None,
        suggestions: str | None = None,
        field_map: dict[str, str] | None = None,
        label_map: dict[str, str] | None = None,
        annotator_field: str | None = None,
        flag_problems: bool = False,
        add_labels: bool = False,
        stance_target_field: str | None = None,
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
        annotations as an annotator's labels. ``annotator_field`` files each record's labels
        under the annotator its own field names (``annotator`` the default for records
        without one), so a file of several annotators' work is not merged into one name.
        A record with a label left out keeps its status (the label is reported) unless
        ``flag_problems`` sets it to ``flagged`` for review. ``add_labels`` adds entity labels
        the schema lacks to it (``report.labels_added``) instead of leaving them out, and
        stance targets and options too. ``stance_target_field`` names the field holding each
        record's stance target (its ``stance`` or ``label`` field holds the value)."""
        if annotator_field and suggestions is not None:
            raise ProjectError("--annotator-field files labels under annotators, not suggestions")
        if annotator_field and annotator is None:
            annotator = ""  # every record must name its annotator
        if (annotator is None) == (suggestions is None):
            raise ProjectError("labels go in as an annotator's or as suggestions: name one")
        name = (annotator if annotator is not None else suggestions) or ""
        limit = self.m.Annotator.name.max_length
        if len(name.strip()) > limit:
            # PostgreSQL would refuse it at the first label, after the articles were stored.
            what = "an annotator's name" if annotator is not None else "a suggestion source"
            raise ProjectError(f"{what} may have at most {limit} characters; got {len(name):,}")
        if annotator:
            self.project.annotator_id(annotator)  # an empty name is refused before anything is read
            refusal = self.edits.access().refusal(annotator)
            if refusal is not None:  # refused before any article is stored
                raise AccessDenied(refusal)
        report = LabelledReport()
        schema = self.project.schema()
        tags: dict[Path, list[str] | None] = {}
        found_labels: set[str] = set()
        found_stances: set[tuple[str, str]] = set()

        def grow_schema() -> None:
            """Entity labels found in the records read so far join the schema before their
            batch is stored (the edit rule checks against the schema)."""
            nonlocal schema
            fresh = sorted(found_labels - {e.name for e in schema.entity_labels})
            for name in fresh:
                schema = schema.with_entity_label(name)
            stances = []
            for target, value in sorted(found_stances):
                grown = schema.with_stance_value(target, value)
                if grown is not schema:
                    stances.append(f"stance {target}={value}")
                    schema = grown
            if fresh or stances:
                self.project.set_schema(schema)
                report.labels_added += [*fresh, *stances]

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
                annotator_field=annotator_field,
                new_labels=found_labels if add_labels else None,
                new_stances=found_stances if add_labels else None,
                stance_target_field=stance_target_field,
            )

        def label_problem(origin: str, reason: str, labels: int = 1) -> None:
            report.add_label_problem(f"{origin}: {reason}", reason, labels=labels)
            if on_problem:
                on_problem(f"{origin}: {reason}")

        with self._import_run(
            paths,
            report,
            detect=detect,
            on_progress=on_progress,
            should_stop=should_stop,
            by_hash=True,
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
                # Counted and reported as read, so problems come in file order.
                report.labels_read += (
                    len(record.spans) + len(record.doc_labels) + len(record.problems)
                )
                for reason in record.problems:
                    label_problem(record.article.origin, reason)
                pending.append(record)
                if len(pending) >= BATCH:
                    if should_stop and should_stop():
                        report.cancelled = True
                        break
                    grow_schema()
                    self._labelled_batch(
                        pending, report, annotator, suggestions, label_problem, flag_problems
                    )
                    pending = []
            if pending and not report.cancelled:
                grow_schema()
                self._labelled_batch(
                    pending, report, annotator, suggestions, label_problem, flag_problems
                )
        return report

    def _labelled_batch(
        self,
        batch: list[LabelledRecord],
        report: LabelledReport,
        annotator: str | None,
        source: str | None,
        label_problem: Callable[..., None],
        flag_problems: bool = False,
    ) -> None:
        """Store the batch's articles, then their labels; a label dropped is reported as
        one (the record is counted as stored or duplicate like any other)."""
        self.store_articles([r.article for r in batch], report=report)
        hashes = [content_hash(r.article.text) for r in batch]
        ids = ids_by_hash(self.db.cursor(), self.db.param, sorted(set(hashes)))
        kept: list[tuple[LabelledRecord, int]] = []
        for record, key in zip(batch, hashes, strict=True):
            if key not in ids:  # the record itself was skipped, and reported as a record
                lost = len(record.spans) + len(record.doc_labels)
                report.labels_skipped += lost
                report.label_reasons["its record was skipped"] += lost
                continue
            kept.append((record, ids[key]))
        stored_ids = self._external_ids([aid for _, aid in kept])
        if source is not None:
            for record, aid in kept:
                rows = [(s.layer, s.label, s.start, s.end, 1.0) for s in record.spans]
                report.matched += stored_ids.get(aid, "") != record.article.external_id
                try:
                    added = self.suggestions.add_suggestions(aid, rows, source=source)
                except LabelError as exc:
                    label_problem(record.article.origin, str(exc), len(rows))
                    continue
                report.suggestions += added
                report.labels_present += len(rows) - added
            return
        assert annotator is not None
        by_annotator: dict[str, list[tuple[LabelledRecord, int]]] = {}
        for record, aid in kept:
            owner = record.annotator or annotator
            if not owner:
                lost = len(record.spans) + len(record.doc_labels)
                label_problem(
                    record.article.origin, "no annotator: the record's field is empty", lost
                )
                continue
            by_annotator.setdefault(owner, []).append((record, aid))
        for owner, records in by_annotator.items():
            mine = self._unmixed(records, stored_ids, owner, report, label_problem)
            self._store_labels(
                [r for r, _ in mine],
                [aid for _, aid in mine],
                owner,
                report,
                label_problem,
                flag_problems,
            )

    def _unmixed(
        self,
        batch: list[tuple[LabelledRecord, int]],
        external_ids: dict[int, str],
        annotator: str,
        report: LabelledReport,
        label_problem: Callable[..., None],
    ) -> list[tuple[LabelledRecord, int]]:
        """The records whose labels may go to their article.

        A record whose text is already an article under another id adds its labels to that
        article (counted in ``matched``), unless the annotator already has labels there from
        another record: two records' work would then be mixed into one set of labels, and
        the record's labels are refused with a reason.
        """
        other = {
            aid for record, aid in batch if external_ids.get(aid, "") != record.article.external_id
        }
        labelled = self._labelled_by(annotator, sorted(other)) if other else set()
        kept: list[tuple[LabelledRecord, int]] = []
        for record, aid in batch:
            count = len(record.spans) + len(record.doc_labels)
            if aid in other and external_ids.get(aid, "") != record.article.external_id:
                if aid in labelled:
                    label_problem(
                        record.article.origin,
                        f"same text as article {external_ids.get(aid) or aid!r}, which already"
                        " has this annotator's labels from another record; not mixed in"
                        " (import this record as another annotator)",
                        count,
                    )
                    continue
                report.matched += 1
            if count:
                labelled.add(aid)
            kept.append((record, aid))
        return kept

    def _labelled_by(self, annotator: str, article_ids: list[int]) -> set[int]:
        """Which of these articles hold spans or document labels of ``annotator``."""
        p = self.db.param
        annotator_id = self.project.annotator_id(annotator)
        found: set[int] = set()
        for i in range(0, len(article_ids), 500):
            part = article_ids[i : i + 500]
            marks = ", ".join([p] * len(part))
            for table in ("span", "doc_label"):
                found.update(
                    int(row[0])
                    for row in self.db.execute_sql(
                        f"SELECT DISTINCT article_id FROM {table} WHERE annotator_id = {p}"
                        f" AND article_id IN ({marks})",
                        [annotator_id, *part],
                    ).fetchall()
                )
        return found

    def _external_ids(self, article_ids: list[int]) -> dict[int, str]:
        p = self.db.param
        found: dict[int, str] = {}
        unique = sorted(set(article_ids))
        for i in range(0, len(unique), 500):
            part = unique[i : i + 500]
            rows = self.db.execute_sql(
                f"SELECT id, external_id FROM article WHERE id IN ({', '.join([p] * len(part))})",
                part,
            ).fetchall()
            found.update((int(a), e) for a, e in rows)
        return found

    def _store_labels(
        self,
        batch: list[LabelledRecord],
        article_ids: list[int],
        annotator: str,
        report: LabelledReport,
        problem: Callable[..., None],
        flag_problems: bool = False,
    ) -> None:
        """One transaction through the edit path: spans (what is there already is counted as
        already stored), stance, then each record's status (``flagged`` if a label was left
        out and ``flag_problems``; else the record's own, reasons kept in the note)."""
        sets = [
            EditSet(
                aid,
                annotator,
                add=tuple(NewSpan(s.layer, s.label, s.start, s.end, IMPORTED) for s in r.spans),
                doc=tuple(r.doc_labels.items()),
                doc_origin=IMPORTED,
            )
            for r, aid in zip(batch, article_ids, strict=True)
        ]
        with self._write():
            statuses = []
            for record, aid, done in zip(
                batch, article_ids, self.edits.apply_edit_sets(sets), strict=True
            ):
                reasons = list(record.problems)
                for refusal in done.refused:
                    if refusal.code == DUPLICATE:
                        report.labels_present += 1  # the same labels imported twice
                        continue
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
                flag = bool(reasons) and flag_problems
                status = "flagged" if flag else (record.status or "done")
                note = ("labelled import: " + "; ".join(reasons))[:2000] if reasons else ""
                statuses.append(EditSet(aid, annotator, status=StatusEdit(status, note)))
                report.flagged += flag
            self.edits.apply_edit_sets(statuses)


class Imports(ArticleImports, LabelledImports):
    """``project.imports``: articles (plain) and articles with their labels."""

    def __init__(
        self,
        project: ProjectCore,
        *,
        edits: Edits,
        suggestions: Suggestions,
        near_duplicates: NearDuplicateGroups,
    ) -> None:
        super().__init__(project)
        self.edits = edits
        self.suggestions = suggestions
        self.near_duplicates = near_duplicates
