"""What a reviewer settles in one article: every annotator's labels side by side, as items.

An item is one candidate gold label and who gave it: an entity span ``(start, end, label)``,
a boilerplate line (the line covered by one span, as adjudication stores it) or a stance
option of a target. It is *agreed* when every annotator who finished the article gave it,
else *disputed*. Which items the gold annotator already holds is read from gold's labels, so
the review mode and ``tandai adjudicate`` agree on what is settled.

Pure Python: the GUI draws these and turns the reviewer's keys into edits of gold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.agreement import ArticleJudgements, nonempty_lines, touched_lines

ENTITY, BOILERPLATE, STANCE = "entity", "boilerplate", "stance"
REVIEW = "review"


def review_origin(reviewer: str) -> str:
    """``review:lea``: a gold label a reviewer chose by hand."""
    return f"{REVIEW}:{reviewer}"[:200] if reviewer else REVIEW


@dataclass(frozen=True, slots=True)
class Item:
    layer: str  # entity, boilerplate or stance
    label: str  # the entity label, the boilerplate kind, or the stance option
    start: int = 0
    end: int = 0
    target: str = ""  # stance only
    by: frozenset[str] = frozenset()


@dataclass
class ReviewArticle:
    article_id: int
    text: str
    finishers: tuple[str, ...]
    items: list[Item] = field(default_factory=list)
    #: What each finisher gave, for "accept annotator N's version".
    versions: dict[str, list[Item]] = field(default_factory=dict)

    def agreed(self, item: Item) -> bool:
        return len(item.by) == len(self.finishers)

    def disputed_items(self) -> list[Item]:
        return [i for i in self.items if not self.agreed(i)]


def _line_items(article: ArticleJudgements, text: str) -> dict[str, set[tuple[int, int, str]]]:
    lines = nonempty_lines(text)
    starts = [s for s, _ in lines]
    out: dict[str, set[tuple[int, int, str]]] = {}
    for name, j in article.by.items():
        mine: set[tuple[int, int, str]] = set()
        for span in sorted(j.boilerplate):
            for i in touched_lines(lines, (span,), starts):
                mine.add((*lines[i], span[2]))
        out[name] = mine
    return out


def review_article(article: ArticleJudgements) -> ReviewArticle:
    """The items of ``article`` in text order (stance last), each with who gave it."""
    text = article.text or ""
    finishers = tuple(sorted(article.by))
    per: dict[str, list[Item]] = {name: [] for name in finishers}
    lines = _line_items(article, text) if any(j.boilerplate for j in article.by.values()) else {}
    for name in finishers:
        j = article.by[name]
        per[name] += [Item(ENTITY, label, s, e) for s, e, label in sorted(j.entities)]
        per[name] += [Item(BOILERPLATE, kind, s, e) for s, e, kind in sorted(lines.get(name, ()))]
        per[name] += [
            Item(STANCE, value, target=target) for target, value in sorted(j.stance().items())
        ]
    who: dict[Item, set[str]] = {}
    for name, items in per.items():
        for item in items:
            who.setdefault(item, set()).add(name)
    items = [
        Item(i.layer, i.label, i.start, i.end, i.target, frozenset(names))
        for i, names in who.items()
    ]
    items.sort(key=lambda i: (i.layer == STANCE, i.target, i.start, i.end, i.layer, i.label))
    versions = {name: [i for i in items if name in i.by] for name in finishers}
    return ReviewArticle(article.article_id, text, finishers, items, versions)


def same_label(item: Item, layer: str, label: str, start: int, end: int) -> bool:
    """Whether a stored span is this item (the boilerplate kind aside: a line is a line)."""
    if item.layer != layer or (item.start, item.end) != (start, end):
        return False
    return layer == BOILERPLATE or item.label == label
