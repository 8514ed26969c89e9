"""The domain's records as plain dataclasses; storage returns these, the GUI draws them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LAYERS = ("entity", "boilerplate", "evidence")
STATUSES = ("todo", "done", "skipped", "flagged")
UNDETERMINED = "und"


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article as read from a file, before it has an id."""

    text: str
    title: str = ""
    url: str = ""
    source: str = ""
    published: str = ""
    external_id: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # "file:line" it came from, for messages
    #: The language the source gives (a labelled file's ``lang``); None: detect it.
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What a list row shows; never carries the body."""

    id: int
    external_id: str
    title: str
    source: str
    lang: str | None
    status: str
    label_count: int = 0
    #: Other articles of its near-duplicate group (0: none, or not grouped yet).
    near_duplicates: int = 0
    #: How unsure the project's model is about it (0 sure … 1), None without a model.
    uncertainty: float | None = None


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    external_id: str
    title: str
    text: str
    url: str
    source: str
    published: str
    lang: str | None
    lang_confidence: float | None
    meta: dict[str, Any]
    batch: int | None = None


@dataclass(frozen=True, slots=True)
class Span:
    id: int
    article_id: int
    annotator: str
    layer: str
    label: str
    start: int
    end: int
    origin: str = "manual"


@dataclass(frozen=True, slots=True)
class DocLabel:
    article_id: int
    annotator: str
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class DocSuggestion:
    """A document label proposed for an article (a stance carried from a near-duplicate,
    or a stance model's guess, ``id`` 0: computed, not stored), never a label until an
    annotator accepts it."""

    id: int
    article_id: int
    key: str
    value: str
    source: str
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Progress:
    article_id: int
    annotator: str
    status: str
    note: str = ""
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    article_id: int
    layer: str
    label: str
    start: int
    end: int
    source: str
    score: float = 1.0
