"""Review mode of the workspace: settle an article's gold labels from every annotator's.

Entering it makes the window work as the ``gold`` annotator (so "edit as usual" edits gold
with the ordinary keys) and shows the review panel above the text: one row per item
(:mod:`core.review`) with a lane per annotator (their initials, ● where they gave it) and a
gold column; agreed rows plain, disputed rows highlighted; stance options as rows too, each
annotator's choice side by side. The view draws gold as it is being built, and marks each
disputed place in the text itself (:func:`review_marks`: boxed in red, who gave which label
written above it), so the reviewer reads every annotator's labels where they sit.

Every decision is a command pushed through the session (undoable, committed, broadcast) and
stored under gold with the origin ``review:<reviewer>``; its own commands (accept into gold,
settle) are in gui.review_commands. The keys come first in the key table while the mode is on
(:data:`REVIEW_KEYS`), so the keyboard map lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from core.edits import stance_key
from core.review import (
    BOILERPLATE,
    ENTITY,
    STANCE,
    Item,
    ReviewArticle,
    review_article,
    review_origin,
    same_label,
)
from gui.article_view import ReviewMark
from gui.key_table import KeyRow
from gui.review_commands import AcceptIntoGold, SettleReview
from gui.session import Change
from gui.undo_commands import DeleteSpan, EditCommand, EditGroup, SetDocLabel, SetStatus
from storage import GOLD

if TYPE_CHECKING:
    from core.models import Span
    from gui.article_view import ArticleView
    from gui.session import Session
    from gui.undo_commands import CommandContext

REVIEW_KEYS = (
    KeyRow("review_accept", ("Return", "Enter"), "Enter", "review: accept this item into gold"),
    KeyRow("review_reject", ("x",), "X", "review: reject this item (gold does not get it)"),
    KeyRow("review_agreed", ("Shift+a",), "Shift+A", "review: accept every agreed item"),
    *(
        KeyRow(
            "review_version",
            (f"Alt+{n}",),
            f"Alt+{n}",
            f"review: gold becomes annotator {n}'s version of the article",
            (str(n),),
        )
        for n in range(1, 10)
    ),
    KeyRow("review_next", ("n",), "N", "review: next disputed item"),
    KeyRow(
        "review_settle",
        ("Ctrl+Return", "Ctrl+Enter"),
        "Ctrl+Enter",
        "review: settle this article (gold done), open the next in the review queue",
    ),
    KeyRow("review_leave", ("Ctrl+Shift+R",), "Ctrl+Shift+R", "leave review mode"),
)

_DISPUTED = QColor("#fde2e1")
_IN_GOLD = QColor("#e3f4e1")


class ReviewHost(Protocol):
    """What the review mode needs of the workspace (no import of it: no circle)."""

    session: Session
    ctx: CommandContext
    view: ArticleView

    def push(self, command: EditCommand) -> bool: ...
    def say(self, text: str) -> None: ...
    def show_article(self, article_id: int, *, force: bool = False) -> None: ...
    def leave_review(self) -> None: ...


class ReviewPanel(QWidget):
    """The lanes: one row per item, a column per annotator and one for gold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("")
        self.title.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the article text
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        self.setMaximumHeight(230)


def _initials(names: tuple[str, ...]) -> list[str]:
    """``A (ana)``-style column headers; numbered as Alt+N takes them."""
    return [f"{n} {name[:1].upper()}" for n, name in enumerate(names, 1)]


def short_names(names: tuple[str, ...]) -> dict[str, str]:
    """Each annotator's mark in the text: the initial, or as many letters as tell them
    apart (ana and andi: "ANA", "AND"), or the lane number when nothing does."""
    for size in range(1, 4):
        tags = [name[:size].upper() for name in names]
        if len(set(tags)) == len(tags):
            return dict(zip(names, tags, strict=True))
    return {name: str(n) for n, name in enumerate(names, 1)}


def review_marks(review: ReviewArticle) -> list[ReviewMark]:
    """The marks of an article's disputed spans and lines in the text: per place, who gave
    which label ("A C: PER | B: ORG"). Agreed places get none: they stay plain (a tag on
    each of 35 agreed entities would bury the few that need the reviewer)."""
    short = short_names(review.finishers)
    places: dict[tuple[int, int], list[Item]] = {}
    for item in review.items:
        if item.layer != STANCE:
            places.setdefault((item.start, item.end), []).append(item)
    marks = []
    for (start, end), items in sorted(places.items()):
        if all(review.agreed(i) for i in items):
            continue
        tag = " | ".join(
            "".join(short[n] for n in review.finishers if n in i.by) + ": " + i.label
            for i in sorted(items, key=lambda i: (-len(i.by), i.label))
        )
        marks.append(ReviewMark(start, end, tag, disputed=True))
    return marks


class ReviewMode:
    """The review state of the open article and what the review keys do."""

    def __init__(self, workspace: ReviewHost, reviewer: str) -> None:
        self.ws = workspace
        self.reviewer = reviewer
        self.panel = ReviewPanel()
        self.review: ReviewArticle | None = None
        self.gold_spans: list[Span] = []
        self.gold_doc: dict[str, str] = {}
        self.current = 0
        self.rejected: dict[int, set[Item]] = {}
        self.panel.tree.itemClicked.connect(self._clicked)

    @property
    def session(self) -> Session:
        return self.ws.session

    def actions(self) -> dict[str, Callable[..., None]]:
        return {
            "review_accept": self.accept,
            "review_reject": self.reject,
            "review_agreed": self.accept_agreed,
            "review_version": self.accept_version,
            "review_next": self.next_disputed,
            "review_settle": self.settle_and_next,
            "review_leave": self.ws.leave_review,
        }

    # ---- reading -------------------------------------------------------------------------

    def load(self, article_id: int) -> None:
        """Read the article's judgements and gold, draw the lanes (one short read each)."""
        project = self.session.project
        self.review = review_article(project.agreement.article_judgements(article_id))
        self.current = 0
        self.refresh_gold()
        first = self._next_open(-1)
        self.current = first if first is not None else 0
        self.draw()

    def refresh_gold(self) -> None:
        if self.review is None:
            return
        self.gold_spans, self.gold_doc = self.session.project.navigation.open_state(
            self.review.article_id, annotator=GOLD
        )

    def in_gold(self, item: Item) -> bool:
        if item.layer == STANCE:
            return self.gold_doc.get(stance_key(item.target)) == item.label
        return any(same_label(item, s.layer, s.label, s.start, s.end) for s in self.gold_spans)

    def decided(self, item: Item) -> bool:
        assert self.review is not None
        return self.in_gold(item) or item in self.rejected.get(self.review.article_id, set())

    def _next_open(self, after: int) -> int | None:
        """Index of the next disputed item nobody has decided yet, wrapping."""
        review = self.review
        if review is None or not review.items:
            return None
        n = len(review.items)
        for step in range(1, n + 1):
            i = (after + step) % n
            item = review.items[i]
            if not review.agreed(item) and not self.decided(item):
                return i
        return None

    # ---- drawing -------------------------------------------------------------------------

    def draw(self) -> None:
        review = self.review
        tree = self.panel.tree
        tree.clear()
        if review is None:
            return
        names = review.finishers
        tree.setColumnCount(len(names) + 3)
        tree.setHeaderLabels(["item", "label", *_initials(names), "gold"])
        tree.setColumnWidth(0, 300)
        tree.setColumnWidth(1, 90)
        for col in range(2, len(names) + 3):
            tree.setColumnWidth(col, 48)
        disputed = len(review.disputed_items())
        open_ = sum(1 for i in review.items if not review.agreed(i) and not self.decided(i))
        self.panel.title.setText(
            f"Review of article {review.article_id} as {GOLD} (by {self.reviewer}): "
            f"{len(review.items)} items, {disputed} disputed, {open_} still open; finished by "
            + ", ".join(f"{n} = {name}" for n, name in enumerate(names, 1))
            + ". In the text, disputed places are boxed in red with who gave which label;"
            " unmarked labels are agreed."
        )
        bold = QFont()
        bold.setBold(True)
        for item in review.items:
            text = review.text[item.start : item.end] if item.layer != STANCE else item.target
            what = {ENTITY: "entity", BOILERPLATE: "line", STANCE: "stance"}[item.layer]
            row = QTreeWidgetItem(
                [
                    f"{what}: {text[:60]}",
                    item.label,
                    *("●" if name in item.by else "" for name in names),
                    "✓" if self.in_gold(item) else ("✗" if self.decided(item) else ""),
                ]
            )
            if not review.agreed(item):
                for col in range(row.columnCount()):
                    row.setBackground(col, QBrush(_DISPUTED))
                    row.setFont(col, bold)
            elif self.in_gold(item):
                row.setBackground(len(names) + 2, QBrush(_IN_GOLD))
            tree.addTopLevelItem(row)
        self.ws.view.set_marks(review_marks(review))
        self._show_current()

    def _show_current(self) -> None:
        review = self.review
        if review is None or not review.items:
            return
        self.current = min(self.current, len(review.items) - 1)
        row = self.panel.tree.topLevelItem(self.current)  # one row per item (draw)
        if row is not None:
            self.panel.tree.setCurrentItem(row)
            self.panel.tree.scrollToItem(row)
        item = review.items[self.current]
        if item.layer != STANCE:
            self.ws.view.select(item.start, item.end)

    def _clicked(self, row: QTreeWidgetItem) -> None:
        self.current = self.panel.tree.indexOfTopLevelItem(row)
        self._show_current()
        self.ws.view.text.setFocus()

    def on_changed(self, change: Change) -> None:
        if self.review is not None and change.touches(self.review.article_id):
            self.refresh_gold()
            self.draw()

    # ---- decisions -----------------------------------------------------------------------

    def _item(self) -> Item | None:
        if self.review is None or not self.review.items:
            return None
        return self.review.items[self.current]

    def _adds(self, items: list[Item]) -> list[EditCommand]:
        """Commands that give gold these items, replacing what clashes with them."""
        assert self.review is not None
        ctx, aid = self.ws.ctx, self.review.article_id
        origin = review_origin(self.reviewer)
        parts: list[EditCommand] = []
        gone: set[int] = set()
        for item in items:
            if self.in_gold(item):
                continue
            if item.layer == STANCE:
                key = stance_key(item.target)
                parts.append(
                    SetDocLabel(
                        ctx, aid, key=key, value=item.label, previous=self.gold_doc.get(key)
                    )
                )
                continue
            for span in self.gold_spans:
                clash = span.layer == item.layer and span.start < item.end and span.end > item.start
                if (
                    clash
                    and (item.layer == ENTITY or span.start >= item.start)
                    and span.id not in gone
                ):
                    gone.add(span.id)
                    parts.append(DeleteSpan(ctx, span))
            parts.append(AcceptIntoGold(ctx, aid, item, origin))
        return parts

    def _push(self, text: str, parts: list[EditCommand]) -> bool:
        if not parts or self.review is None:
            return True
        command = (
            parts[0]
            if len(parts) == 1
            else EditGroup(self.ws.ctx, self.review.article_id, text, parts)
        )
        return self.ws.push(command)

    def _advance(self, *, stay: bool = False) -> None:
        """On to the next open dispute (``stay``: the current item if it is still open)."""
        found = self._next_open(self.current - 1 if stay else self.current)
        if found is not None:
            self.current = found
        self.draw()

    def accept(self) -> None:
        item = self._item()
        if item is None or self.review is None:  # an item means a review; mypy cannot see it
            return
        self.rejected.get(self.review.article_id, set()).discard(item)
        if self._push(f"Accept {item.label}", self._adds([item])):
            self._advance()

    def reject(self) -> None:
        item = self._item()
        if item is None or self.review is None:
            return
        ctx, aid = self.ws.ctx, self.review.article_id
        parts: list[EditCommand] = []
        if item.layer == STANCE:
            key = stance_key(item.target)
            if self.gold_doc.get(key) == item.label:
                parts.append(SetDocLabel(ctx, aid, key=key, value=None, previous=item.label))
        else:
            parts += [
                DeleteSpan(ctx, s)
                for s in self.gold_spans
                if same_label(item, s.layer, s.label, s.start, s.end)
            ]
        if self._push(f"Reject {item.label}", parts):
            self.rejected.setdefault(aid, set()).add(item)
            self._advance()

    def accept_agreed(self) -> None:
        if self.review is None:
            return
        agreed = [i for i in self.review.items if self.review.agreed(i)]
        if self._push("Accept every agreed item", self._adds(agreed)):
            self.ws.say(f"{len(agreed)} agreed items in {GOLD}")
            self._advance(stay=True)

    def accept_version(self, number: str) -> None:
        """Gold becomes annotator N's labels of the article (N as the lanes number them)."""
        review = self.review
        if review is None:
            return
        n = int(number)
        if not 1 <= n <= len(review.finishers):
            self.ws.say(f"No annotator {n} in this article")
            return
        name = review.finishers[n - 1]
        ctx, aid = self.ws.ctx, review.article_id
        theirs = review.versions[name]
        origin = review_origin(self.reviewer)
        # Gold's spans that are not theirs go first, so theirs never clash with them.
        parts: list[EditCommand] = [
            DeleteSpan(ctx, s)
            for s in self.gold_spans
            if not any(same_label(i, s.layer, s.label, s.start, s.end) for i in theirs)
        ]
        for item in theirs:
            if self.in_gold(item):
                continue
            if item.layer == STANCE:
                key = stance_key(item.target)
                previous = self.gold_doc.get(key)
                parts.append(SetDocLabel(ctx, aid, key=key, value=item.label, previous=previous))
            else:
                parts.append(AcceptIntoGold(ctx, aid, item, origin))
        chosen = {i.target for i in theirs if i.layer == STANCE}
        for key, value in self.gold_doc.items():
            if key.startswith("stance:") and key.split(":", 1)[1] not in chosen:
                parts.append(SetDocLabel(ctx, aid, key=key, value=None, previous=value))
        if self._push(f"Take {name}'s version", parts):
            self.ws.say(f"{GOLD} now holds {name}'s labels of this article")
            self.draw()

    def next_disputed(self) -> None:
        found = self._next_open(self.current)
        if found is None:
            self.ws.say("Nothing disputed is left open here: Ctrl+Enter settles the article")
            return
        self.current = found
        self._show_current()

    def settle_and_next(self) -> None:
        review = self.review
        if review is None:
            return
        ctx, aid = self.ws.ctx, review.article_id
        previous = self.session.progress(aid, annotator=GOLD)
        parts: list[EditCommand] = [
            SetStatus(ctx, aid, status="done", note="", previous=previous),
            SettleReview(ctx, aid),
        ]
        if not self._push("Settle the article", parts):
            return
        queue = self.session.project.agreement.review_queue(after_id=aid, limit=1)
        if not queue:
            queue = self.session.project.agreement.review_queue(limit=1)
        if queue:
            self.ws.show_article(queue[0])
        else:
            self.ws.say("The review queue is empty")
