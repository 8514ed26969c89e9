"""Work packages: one annotator's share of a project as a ``.tandai`` file, and back.

A package is an ordinary project file (the app opens it like any other) that also holds a
:class:`core.package.PackageInfo`: the source project's id and name and the annotator it is
for. It carries that annotator's articles (same ids, texts, languages), the project's
settings (schema, guidelines, suggestion rules and lexicon), the suggestions of those
articles, the models learned from the project's labels (with their uncertainty about those
articles), and the annotator's labels, progress and rejections so far.

Rows that are not labels are copied with batched ``executemany``; labels go through the
one edit path (``core.edits`` decides, ``Project.edits.apply_edit_sets`` writes), like every
other label change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.edits import EditSet, NewSpan, StatusEdit
from core.package import (
    PACKAGE_KEY,
    ArticleWork,
    MergeReport,
    PackageInfo,
    missing_labels,
    span_keys,
    with_labels_of,
)
from storage.assignments import Assignments
from storage.content_hashes import ids_by_hash
from storage.errors import LabelError, ProjectError
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.edits import Edits
    from storage.models import ModelClass
    from storage.project import Project

_CHUNK = 500
_SAFE_NAME = re.compile(r"[^\w.-]+")

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class PackageWritten:
    annotator: str
    path: Path
    articles: int
    labels: int

    def summary(self) -> str:
        return f"{self.path}: {self.articles:,} articles for {self.annotator} ({self.labels:,} labels so far)"


def package_file_name(annotator: str) -> str:
    """``NAME.tandai``, with characters a file name cannot hold replaced."""
    return f"{_SAFE_NAME.sub('_', annotator).strip('._') or 'annotator'}.tandai"


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


def _marks(db: pw.Database, n: int) -> str:
    return ", ".join([db.param] * n)


def _rows(db: pw.Database, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute_sql(sql, tuple(params)).fetchall()]


def _copy_rows(
    db: pw.Database,
    out: Any,
    table: str,
    columns: Sequence[str],
    where: str,
    params: Sequence[Any],
    *,
    owner: int | None = None,
) -> None:
    """Copy ``columns`` of ``table``'s rows matching ``where`` into the package (``out``, an
    SQLite cursor). With ``owner``, each row is written as the package annotator's: an
    ``annotator_id`` column follows ``article_id``."""
    rows = _rows(db, f"SELECT {', '.join(columns)} FROM {table} WHERE {where}", params)
    names = list(columns)
    if owner is not None:
        names.insert(1, "annotator_id")
        rows = [(r[0], owner, *r[1:]) for r in rows]
    out.executemany(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", rows
    )


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class Packages(ProjectPart):
    """Work packages, a piece of ``project.team``; writes through ``project.edits``."""

    edits: Edits
    project: Project

    if TYPE_CHECKING:  # provided by Assignments

        @property
        def _assignment(self) -> ModelClass: ...
        def assignment_counts(self) -> dict[str, int]: ...
        def project_id(self) -> str: ...
        def require_lead(self, what: str) -> None: ...

    # ---- identity ------------------------------------------------------------------------

    def package_info(self) -> PackageInfo | None:
        """What this file is a package of, or ``None`` for a project that is no package."""
        meta = self.m.Meta
        row = meta.get_or_none(meta.key == PACKAGE_KEY)
        if row is None:
            return None
        try:
            return PackageInfo.from_dict(json.loads(row.value))
        except ValueError as exc:
            raise ProjectError(f"{self.name}: damaged work package description: {exc}") from exc

    # ---- writing -------------------------------------------------------------------------

    def write_packages(
        self,
        outdir: Path | str,
        *,
        annotators: Sequence[str] | None = None,
        on_progress: ProgressFn | None = None,
    ) -> list[PackageWritten]:
        """Write ``NAME.tandai`` into ``outdir`` for each annotator (default: everyone who
        holds articles). Each file appears whole or not at all (written aside, renamed)."""
        held = self.assignment_counts()
        names = list(annotators) if annotators else sorted(held)
        if not names:
            raise ProjectError(f"{self.name}: nobody holds articles yet; run assign first")
        files = [package_file_name(n) for n in names]
        clash = sorted({f for f in files if files.count(f) > 1})
        if clash:
            raise ProjectError(f"two annotators' packages would both be named {clash[0]}")
        empty = [n for n in names if not held.get(n)]
        if empty:
            raise ProjectError(f"{', '.join(empty)}: no articles assigned; run assign first")
        outdir = Path(outdir)
        try:
            outdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectError(f"{outdir}: cannot create the folder: {exc.strerror}") from exc
        return [self._write_package(outdir, name, on_progress) for name in names]

    def _write_package(
        self, outdir: Path, annotator: str, on_progress: ProgressFn | None
    ) -> PackageWritten:
        final = outdir / package_file_name(annotator)
        partial = final.with_name(final.name + ".partial")
        _remove_sqlite_files(partial)
        x = self._assignment
        ann = self.project.annotator_id(annotator)
        ids = [
            r[0] for r in x.select(x.article).where(x.annotator == ann).order_by(x.article).tuples()
        ]
        info = PackageInfo(
            project_id=self.project_id(),
            project_name=self.name,
            annotator=annotator,
            created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            articles=len(ids),
        )
        package = type(self.project).create(partial, schema=self.project.schema())
        labels = 0
        try:
            with package.transaction():
                self._copy_settings(package, info)
                self._copy_models(package)
                pkg_ann = package.annotator_id(annotator)
                done = 0
                for chunk in _chunks(ids):
                    self._copy_articles(package, chunk, ann, pkg_ann)
                    labels += self._copy_labels(package, chunk, ann, annotator)
                    done += len(chunk)
                    if on_progress:
                        on_progress(annotator, done, len(ids))
            # One self-contained file to hand over: no -wal beside it to forget.
            package.db.execute_sql("PRAGMA journal_mode=DELETE")
            package.close()
            os.replace(partial, final)
        except BaseException:
            package.close()
            _remove_sqlite_files(partial)
            raise
        finally:
            _remove_sqlite_files(partial)
        return PackageWritten(annotator=annotator, path=final, articles=len(ids), labels=labels)

    def _copy_settings(self, package: Project, info: PackageInfo) -> None:
        meta = self.m.Meta
        rows = list(
            meta.select(meta.key, meta.value).where(meta.key.startswith("setting:")).tuples()
        )
        rows.append((PACKAGE_KEY, json.dumps(info.to_dict(), ensure_ascii=False)))
        cursor = package.db.cursor()
        cursor.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", rows)

    def _copy_models(self, package: Project) -> None:
        """The models learned from the project's labels (``storage.learning``): the
        annotator's copy proposes entities and stance with them at once, with no labels of
        its own to train on yet (its Train now retrains on the package's labels)."""
        cols = ("layer", "target", "data", "created", "trained_on", "negatives", "evaluation")
        _copy_rows(self.db, package.db.cursor(), "learned_model", cols, "1 = 1", [])

    def _copy_articles(self, package: Project, ids: list[int], ann: int, pkg_ann: int) -> None:
        """Articles, texts, suggestions (proposed stances too), and the annotator's
        progress, rejections and assignment: rows that are not labels, copied as they are."""
        db, marks = self.db, _marks(self.db, len(ids))
        out = package.db.cursor()
        of_articles = f"article_id IN ({marks})"
        article_cols = (
            "id", "external_id", "content_hash", "title", "url", "source", "published", "lang",
            "lang_confidence", "meta", "created",
        )  # fmt: skip
        _copy_rows(db, out, "article", article_cols, f"id IN ({marks})", ids)
        _copy_rows(db, out, "article_text", ("article_id", "text"), of_articles, ids)
        suggestion_cols = ("article_id", "layer", "label", "start", '"end"', "source", "score")
        _copy_rows(db, out, "suggestion", suggestion_cols, of_articles, ids)
        # How unsure the models are about these articles: "most uncertain first" works in
        # the package without a training of its own.
        of_ids = f"article IN ({marks})"
        _copy_rows(db, out, "uncertainty", ("article", "model", "value"), of_ids, ids)
        mine = f"{of_articles} AND annotator_id = {db.param}"
        rejection_cols = ("article_id", "layer", "label", "start", '"end"', "created")
        _copy_rows(db, out, "rejection", rejection_cols, mine, [*ids, ann], owner=pkg_ann)
        doc_suggestion_cols = ("article_id", "key", "value", "source", "score")
        _copy_rows(db, out, "doc_suggestion", doc_suggestion_cols, of_articles, ids)
        doc_rejection_cols = ("article_id", "key", "value", "created")
        _copy_rows(db, out, "doc_rejection", doc_rejection_cols, mine, [*ids, ann], owner=pkg_ann)
        progress_cols = ("article_id", "status", "note", "seconds", "updated")
        _copy_rows(db, out, "progress", progress_cols, mine, [*ids, ann], owner=pkg_ann)
        out.executemany(
            "INSERT INTO assignment (article_id, annotator_id, created) VALUES (?, ?, ?)",
            [(aid, pkg_ann, dt.datetime.now(dt.UTC).replace(tzinfo=None)) for aid in ids],
        )

    def _copy_labels(self, package: Project, ids: list[int], ann: int, name: str) -> int:
        """The annotator's spans and document labels so far, written into the package
        through its edit path. Returns how many."""
        work = {aid: w for aid, w in self._work(ids, ann).items() if w.spans or w.doc}
        package.edits.apply_edit_sets(
            [work_edit(aid, name, item) for aid, item in work.items()], strict=True
        )
        return sum(len(w.spans) + len(w.doc) for w in work.values())

    # ---- reading one annotator's work ----------------------------------------------------

    def _work(self, ids: list[int], ann: int) -> dict[int, ArticleWork]:
        """The annotator's spans, document labels and progress on ``ids`` (articles with none
        of them are left out)."""
        db, marks = self.db, _marks(self.db, len(ids))
        mine = f"article_id IN ({marks}) AND annotator_id = {db.param}"
        spans: dict[int, list[tuple[str, str, int, int, str]]] = defaultdict(list)
        for aid, *rest in _rows(
            db,
            f'SELECT article_id, layer, label, start, "end", origin FROM span WHERE {mine}',
            [*ids, ann],
        ):
            spans[aid].append((rest[0], rest[1], rest[2], rest[3], rest[4]))
        docs: dict[int, dict[str, str]] = defaultdict(dict)
        for aid, key, value in _rows(
            db, f"SELECT article_id, key, value FROM doc_label WHERE {mine}", [*ids, ann]
        ):
            docs[aid][key] = value
        progress = {
            r[0]: r[1:]
            for r in _rows(
                db,
                f"SELECT article_id, status, note, seconds FROM progress WHERE {mine}",
                [*ids, ann],
            )
        }
        out: dict[int, ArticleWork] = {}
        for aid in set(spans) | set(docs) | set(progress):
            status, note, seconds = progress.get(aid, (None, "", 0.0))
            out[aid] = ArticleWork(
                spans=span_keys(spans.get(aid, ())),
                doc=docs.get(aid, {}),
                status=status,
                note=note or "",
                seconds=float(seconds or 0.0),
            )
        return out

    def _span_ids(self, ids: list[int], ann: int) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        marks = _marks(self.db, len(ids))
        for aid, sid in _rows(
            self.db,
            f"SELECT article_id, id FROM span WHERE article_id IN ({marks}) AND annotator_id = {self.db.param}",
            [*ids, ann],
        ):
            found[aid].append(sid)
        return found

    # ---- merging -------------------------------------------------------------------------

    def merge_package(self, path: Path | str, *, add_labels: bool = False) -> MergeReport:
        """Bring back the package owner's labels, statuses, notes and time spent, in one
        transaction. On each article the package holds, the owner's labels become the
        package's (only where they differ, so a second merge changes nothing)."""
        self.require_lead("merge work packages")
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no such file")
        with type(self.project).open(path) as package:
            info = package.team.package_info()
            if info is None:
                raise ProjectError(f"{path}: not a work package (make one with `tandai package`)")
            if info.project_id != self.project_id():
                raise ProjectError(
                    f"{path}: a package of another project ({info.project_name}); "
                    f"this is {self.name}. Nothing was merged."
                )
            missing = missing_labels(self.project.schema(), package.schema())
            if missing and not add_labels:
                raise ProjectError(
                    f"{path}: its schema has labels this project lacks: {', '.join(missing)}. "
                    "Add them to the schema, or merge with --add-labels. Nothing was merged."
                )
            report = MergeReport(package=str(path), annotator=info.annotator)
            try:
                with self.project.transaction():
                    if missing:
                        self.project.set_schema(
                            with_labels_of(self.project.schema(), package.schema())
                        )
                        report.labels_added = missing
                    self._merge_from(package, info.annotator, report)
            except LabelError as exc:
                raise ProjectError(f"{path}: {exc}. Nothing was merged.") from exc
        return report

    def _merge_from(self, package: Project, annotator: str, report: MergeReport) -> None:
        pkg_ann = package.annotator_id(annotator)
        ann = self.project.annotator_id(annotator)
        pdb = package.db
        report.others_ignored = sum(
            _rows(pdb, f"SELECT COUNT(*) FROM {table} WHERE annotator_id != ?", (pkg_ann,))[0][0]
            for table in ("span", "doc_label")
        )
        hashes = _rows(pdb, "SELECT id, content_hash FROM article ORDER BY id", ())
        report.articles = len(hashes)
        for i in range(0, len(hashes), _CHUNK):
            part = hashes[i : i + _CHUNK]
            here = ids_by_hash(self.db.cursor(), self.db.param, [h for _, h in part])
            mapping = {pid: here[h] for pid, h in part if h in here}
            report.missing += len(part) - len(mapping)
            if not mapping:
                continue
            theirs = package.team._work(list(mapping), pkg_ann)
            ours = self._work(list(mapping.values()), ann)
            span_ids = self._span_ids(list(mapping.values()), ann)
            edits: list[EditSet] = []
            for pid, aid in mapping.items():
                new = theirs.get(pid, ArticleWork())
                old = ours.get(aid, ArticleWork())
                labels_differ = not new.same_labels(old)
                progress_differs = not new.same_progress(old) and new.status is not None
                if not (labels_differ or progress_differs):
                    continue
                if labels_differ:
                    report.changed += 1
                    report.spans_added += len(new.spans - old.spans)
                    report.spans_removed += len(old.spans - new.spans)
                    keys = set(new.doc) | set(old.doc)
                    report.doc_changed += sum(new.doc.get(k) != old.doc.get(k) for k in keys)
                if progress_differs:
                    report.statuses += 1
                edits.append(
                    work_edit(
                        aid,
                        annotator,
                        new,
                        replacing=span_ids.get(aid, ()),
                        doc_before=old.doc,
                        seconds_before=old.seconds,
                        labels=labels_differ,
                        progress=progress_differs,
                    )
                )
            # One set-based write per chunk, inside the package's transaction; the rule
            # refuses nothing silently: strict, so any refusal stops the whole package.
            self.edits.apply_edit_sets(edits, strict=True)


def work_edit(
    article_id: int,
    annotator: str,
    work: ArticleWork,
    *,
    replacing: Iterable[int] = (),
    doc_before: Mapping[str, str] | None = None,
    seconds_before: float = 0.0,
    labels: bool = True,
    progress: bool = False,
) -> EditSet:
    """The edit set that makes ``annotator``'s labels on one article those of ``work`` (its
    spans replace the ``replacing`` ones, its document labels the ``doc_before`` ones) and,
    with ``progress``, their status, note and time spent too."""
    add: tuple[NewSpan, ...] = ()
    doc: tuple[tuple[str, str | None], ...] = ()
    if labels:
        add = tuple(
            NewSpan(layer, label, start, end, origin)
            for layer, label, start, end, origin in sorted(work.spans, key=lambda s: (s[2], s[3]))
        )
        before = doc_before or {}
        doc = tuple(
            (key, work.doc.get(key))
            for key in sorted(set(before) | set(work.doc))
            if before.get(key) != work.doc.get(key)
        )
    status = None
    if progress and work.status is not None:
        status = StatusEdit(work.status, work.note, add_seconds=work.seconds - seconds_before)
    return EditSet(
        article_id,
        annotator,
        add=add,
        delete=tuple(replacing) if labels else (),
        doc=doc,
        status=status,
    )


class Team(Assignments, Packages):
    """``project.team``: who holds which articles, and the packages that carry them."""

    def __init__(self, project: Project, *, edits: Edits) -> None:
        super().__init__(project)
        self.edits = edits
