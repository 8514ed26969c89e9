"""Work packages: what a package says about itself, and how its labels compare with the
project's when it comes back.

A work package is a ``.tandai`` file holding one annotator's articles (see
``Project.write_packages``). Merging it back replaces that annotator's labels on the
articles it holds, but only where they differ, so merging the same package twice changes
nothing the second time and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.schema import Schema

#: Meta key under which a package stores its :class:`PackageInfo` (JSON).
PACKAGE_KEY = "package"
PACKAGE_FORMAT = 1

#: (layer, label, start, end, origin): a span as a merge compares it (ids differ by file).
SpanKey = tuple[str, str, int, int, str]


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """Who and where a package is from. ``project_id`` is the source project's id."""

    project_id: str
    project_name: str
    annotator: str
    created: str
    articles: int
    format: int = PACKAGE_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "annotator": self.annotator,
            "created": self.created,
            "articles": self.articles,
        }

    @classmethod
    def from_dict(cls, data: Any) -> PackageInfo:
        if not isinstance(data, dict):
            raise ValueError("the package description is not an object")
        try:
            return cls(
                project_id=str(data["project_id"]),
                project_name=str(data.get("project_name", "")),
                annotator=str(data["annotator"]),
                created=str(data.get("created", "")),
                articles=int(data.get("articles", 0)),
                format=int(data.get("format", PACKAGE_FORMAT)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"the package description lacks {exc}") from exc


@dataclass(frozen=True, slots=True)
class ArticleWork:
    """One annotator's labels and progress on one article."""

    spans: frozenset[SpanKey] = frozenset()
    doc: Mapping[str, str] = field(default_factory=dict)
    status: str | None = None  # None: no progress row
    note: str = ""
    seconds: float = 0.0

    def same_labels(self, other: ArticleWork) -> bool:
        return self.spans == other.spans and dict(self.doc) == dict(other.doc)

    def same_progress(self, other: ArticleWork) -> bool:
        return (self.status or "todo", self.note, round(self.seconds, 3)) == (
            other.status or "todo",
            other.note,
            round(other.seconds, 3),
        )


@dataclass(slots=True)
class MergeReport:
    """What merging one package did (``summary`` is what the CLI and GUI print)."""

    package: str
    annotator: str = ""
    articles: int = 0
    changed: int = 0
    spans_added: int = 0
    spans_removed: int = 0
    doc_changed: int = 0
    statuses: int = 0
    missing: int = 0
    others_ignored: int = 0
    labels_added: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not (self.changed or self.statuses or self.labels_added):
            text = f"{self.package}: {self.annotator}, {self.articles:,} articles: nothing new"
        else:
            text = (
                f"{self.package}: {self.annotator}, {self.articles:,} articles: "
                f"{self.changed:,} with changed labels (+{self.spans_added:,} / "
                f"-{self.spans_removed:,} spans, {self.doc_changed:,} document labels), "
                f"{self.statuses:,} statuses or notes"
            )
        if self.labels_added:
            text += f"; labels added to the schema: {', '.join(self.labels_added)}"
        if self.missing:
            text += f"; {self.missing:,} articles no longer in the project were left out"
        if self.others_ignored:
            text += (
                f"; {self.others_ignored:,} labels by other annotators were ignored "
                f"(a package brings back {self.annotator}'s only)"
            )
        return text


def missing_labels(project: Schema, package: Schema) -> list[str]:
    """Labels the package's schema uses that the project's lacks: entity labels by name,
    stance targets as ``stance:<target>``, options as ``stance:<target>=<option>``."""
    missing = [e.name for e in package.entity_labels if project.entity(e.name) is None]
    missing += [k for k in package.boilerplate_kinds if k not in project.boilerplate_kinds]
    for target in package.stance_targets:
        mine = project.stance_target(target.name)
        if mine is None:
            missing.append(f"stance:{target.name}")
            continue
        have = {o.value for o in mine.options}
        missing += [
            f"stance:{target.name}={o.value}" for o in target.options if o.value not in have
        ]
    return missing


def with_labels_of(project: Schema, package: Schema) -> Schema:
    """The project's schema plus whatever labels, kinds, targets and options only the
    package's has (the project's own entries, colours and keys stay as they are)."""
    entities = list(project.entity_labels)
    taken = {e.key for e in entities if e.key} | {project.boilerplate_key}
    for label in package.entity_labels:
        if project.entity(label.name) is None:
            # A shortcut the project already uses stays with the project's label.
            entities.append(replace(label, key="") if label.key in taken else label)
            taken.add(label.key)
    kinds = list(project.boilerplate_kinds)
    kinds += [k for k in package.boilerplate_kinds if k not in kinds]
    targets = []
    for target in project.stance_targets:
        theirs = package.stance_target(target.name)
        extra = (
            [o for o in theirs.options if o.value not in {m.value for m in target.options}]
            if theirs
            else []
        )
        targets.append(type(target)(name=target.name, options=(*target.options, *extra)))
    targets += [t for t in package.stance_targets if project.stance_target(t.name) is None]
    data = project.to_dict()
    merged = Schema.from_dict(
        {
            **data,
            "entity_labels": [
                {"name": e.name, "colour": e.colour, "key": e.key, "description": e.description}
                for e in entities
            ],
            "boilerplate_kinds": kinds,
            "stance_targets": [
                {"name": t.name, "options": [{"value": o.value, "key": o.key} for o in t.options]}
                for t in targets
            ],
        }
    )
    return merged


def span_keys(rows: Iterable[tuple[str, str, int, int, str]]) -> frozenset[SpanKey]:
    return frozenset((str(a), str(b), int(c), int(d), str(e)) for a, b, c, d, e in rows)
