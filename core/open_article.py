"""The article open in the workspace, as one plain object: its text, the annotator's spans,
stance and status, and the suggestions pending for them.

The GUI keeps one :class:`OpenArticle`, refreshes its parts from storage when a
:class:`gui.session.Change` names the article, and the view draws it. Everything here is code
points and pure Python, so what a key or a click means ("the suggestion under the cursor",
"the next one after it", "the entity spans a selection touches") is decided the same way with
or without a widget, and tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Article, Span, Suggestion
from core.selection import LineIndex, covering


@dataclass
class OpenArticle:
    """One article as the annotator sees it; offsets are code points of ``article.text``."""

    article: Article
    spans: list[Span] = field(default_factory=list)
    stance: dict[str, str] = field(default_factory=dict)
    status: str = "todo"
    suggestions: list[Suggestion] = field(default_factory=list)
    lines: LineIndex = field(init=False)

    def __post_init__(self) -> None:
        self.lines = LineIndex(self.article.text)

    @property
    def id(self) -> int:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text

    # ---- spans ---------------------------------------------------------------------------

    def layer(self, layer: str) -> list[Span]:
        return [s for s in self.spans if s.layer == layer]

    def spans_at(self, offset: int) -> list[Span]:
        return covering(self.spans, offset, offset)

    def entity_strings(self) -> set[tuple[str, str]]:
        """(text, label) of every entity span: what "label it everywhere" looks for."""
        text = self.text
        return {(text[s.start : s.end], s.label) for s in self.layer("entity")}

    # ---- suggestions ---------------------------------------------------------------------

    def pending_count(self) -> int:
        """Suggestions to decide on: several sources often propose the same line, which the
        annotator decides on once."""
        return len({(g.layer, g.label, g.start, g.end) for g in self.suggestions})

    def suggestion_at(self, start: int, end: int) -> Suggestion | None:
        """The suggestion selected (``start < end``), or under the cursor at ``start``; the
        shortest one if they nest."""
        items = self.suggestions
        if end > start:
            exact = [sg for sg in items if (sg.start, sg.end) == (start, end)]
            hits = exact or [sg for sg in items if sg.start < end and sg.end > start]
        else:
            hits = [sg for sg in items if sg.start <= start <= sg.end]
        return min(hits, key=lambda sg: (sg.end - sg.start, sg.layer)) if hits else None

    def suggestions_at(self, offset: int) -> list[Suggestion]:
        return [sg for sg in self.suggestions if sg.start <= offset < sg.end]

    def next_suggestion(
        self, here: int, *, backwards: bool = False, inclusive: bool = False
    ) -> Suggestion | None:
        """The first suggestion after ``here`` (at it too, if ``inclusive``), or the last one
        before it going ``backwards``; wraps round. ``None`` when there are none."""
        if not self.suggestions:
            return None
        ordered = sorted(self.suggestions, key=lambda sg: (sg.start, sg.end))
        if backwards:
            before = [sg for sg in ordered if sg.start < here]
            return before[-1] if before else ordered[-1]
        later = [sg for sg in ordered if sg.start > here or (inclusive and sg.start == here)]
        return later[0] if later else ordered[0]
