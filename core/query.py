"""What a caller asks of the article list, independent of how storage answers it."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The article list counts its matches up to this many first and says "more than" past it,
#: then counts them all (``Project.count_articles(at_most=...)``): 7–8 ms instead of
#: 262–317 ms for a word in most of a million articles.
QUICK_COUNT = 10_000


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Filter of the article list; empty fields mean "any".

    ``status`` is judged for ``annotator`` (an article without a progress row is ``todo``);
    without an annotator, an article counts as done when any annotator has done it.
    """

    statuses: tuple[str, ...] = ()
    annotator: str | None = None
    langs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    text: str = ""
    ids: tuple[int, ...] = ()
    #: Only the first article (smallest id) of each near-duplicate group, and every article
    #: in none.
    one_per_group: bool = False
    #: Only the articles in this annotator's queue (see ``Project.assign``).
    assigned_to: str | None = None


@dataclass(slots=True)
class ProjectStats:
    articles: int = 0
    by_lang: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    annotators: list[str] = field(default_factory=list)
