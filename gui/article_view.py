"""The article view: draws a :class:`core.open_article.OpenArticle`.

Title and metadata above the text; spans painted in label colours (gui.highlighter), pending
suggestions as dashed underlines in the label's colour (grey for boilerplate), so the two
never look alike; review marks painted over the text. The text sits in
:class:`gui.annot_text.AnnotText`, the widget that keeps the selection and paints the label
tags. Qt counts UTF-16 units; everything this module hands out or takes in is code points,
converted through the article's :class:`gui.text_geometry.TextGeometry` (the one place that
converts).
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QLabel, QTextEdit, QVBoxLayout, QWidget

from core.models import Article, Span
from core.open_article import OpenArticle
from core.schema import Schema
from gui.annot_text import SELECTION, AnnotText
from gui.highlighter import Formats, SpanHighlighter, build_index
from gui.text_geometry import TextGeometry

BOILERPLATE_UNDERLINE = "#757575"
#: Review marks: a disputed item is boxed and tagged in this red, an agreed one tagged in grey.
DISPUTED_MARK = "#c62828"
AGREED_MARK = "#9e9e9e"
RTL_LANGS = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ug", "ckb", "sd", "syr"}


def is_rtl(article: Article) -> bool:
    """Right-to-left by the detected language; while that is pending or undetermined, by the
    first strongly directional character of the title and text."""
    if article.lang and article.lang != "und":
        return article.lang in RTL_LANGS
    for ch in (article.title + article.text)[:2000]:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


@dataclass(frozen=True, slots=True)
class ReviewMark:
    """Who gave an item, drawn in the text itself (review mode): ``tag`` (initials and label,
    "A C: PER | B: ORG") is written small above the end of ``[start, end)`` (code points);
    a disputed item is also boxed and underlined in red, an agreed one stays plain."""

    start: int
    end: int
    tag: str
    disputed: bool


class ArticleView(QWidget):
    """Draws one :class:`OpenArticle`; converts selections to code points."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.meta.setOpenExternalLinks(True)
        self.meta.setStyleSheet("color: #555;")
        self.text = AnnotText()
        self.text.document().setDocumentMargin(12)
        text_font = QFont(self.text.font())
        text_font.setPointSizeF(text_font.pointSizeF() * 1.15)
        self.text.setFont(text_font)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.text.tooltip_for = self._tooltip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.text, 1)
        self.highlighter = SpanHighlighter(self.text.document())
        self.text.highlighter = self.highlighter
        self.geometry_: TextGeometry = TextGeometry.of("")
        self.formats: Formats | None = None
        self.schema: Schema | None = None
        #: View ▸ Label names on spans, View ▸ High contrast (gui.view_options).
        self.show_tags = True
        self.high_contrast = False
        self._plain_palette = self.text.palette()
        self.colours: dict[str, str] = {}
        self.search_words: list[str] = []
        self.model: OpenArticle | None = None
        self.marks: list[ReviewMark] = []
        self.text.overlay = self._paint_marks
        #: Code-point range whose suggestions are given to Qt now (see draw_suggestions).
        self._drawn_window: tuple[int, int] = (0, 0)
        bar = self.text.verticalScrollBar()
        bar.valueChanged.connect(self._follow_scroll)
        bar.rangeChanged.connect(self._follow_scroll)

    @property
    def article(self) -> Article | None:
        return self.model.article if self.model is not None else None

    @property
    def spans(self) -> list[Span]:
        return self.model.spans if self.model is not None else []

    # ---- showing -------------------------------------------------------------------------

    def set_schema(self, schema: Schema) -> None:
        self.schema = schema
        self._make_formats()
        self.draw_spans()
        self.draw_suggestions()

    def _make_formats(self) -> None:
        """Formats for the schema, the text's font (tags scale with zoom) and the options;
        label colours keep away from both selection colours (the text's and the app's)."""
        assert self.schema is not None
        app_selection = QApplication.palette().color(QPalette.ColorRole.Highlight).name()
        self.formats = Formats(
            self.schema,
            selections=(SELECTION, app_selection),
            font=self.text.font(),
            tags=self.show_tags,
            high_contrast=self.high_contrast,
        )
        self.text.formats = self.formats
        self.colours = dict(self.formats.colours)

    def set_options(self, *, tags: bool | None = None, high_contrast: bool | None = None) -> None:
        """Turn label tags or high contrast on or off and repaint what is on screen."""
        if tags is not None:
            self.show_tags = tags
        if high_contrast is not None and high_contrast != self.high_contrast:
            self.high_contrast = high_contrast
            palette = QPalette(self._plain_palette)
            if high_contrast:  # black on white, whatever the desktop theme
                for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                    palette.setColor(group, QPalette.ColorRole.Base, QColor("#ffffff"))
                    palette.setColor(group, QPalette.ColorRole.Text, QColor("#000000"))
            self.text.setPalette(palette)
        if self.schema is not None:
            self._make_formats()
            self.draw_spans()
            self.draw_suggestions()
        self.text.viewport().update()

    def draw(self, model: OpenArticle) -> None:
        """Draw ``model``: highlights are computed before the text is set, so the widget lays
        out and paints the article once."""
        assert self.formats is not None, "set_schema first"
        self.model = model
        self.marks = []  # another article's marks; review mode sets this one's
        article = model.article
        self.geometry_ = TextGeometry.of(article.text, model.lines)
        self.meta.setMinimumHeight(0)  # kept by set_article_metadata for the last article
        self._set_header(article, model.status)
        self._set_direction(is_rtl(article))
        index = build_index(self.geometry_, model.spans, self.formats, self.search_words)
        self.highlighter.load(index, self.formats)
        self.text.setPlainText(article.text)
        self.highlighter.text_set()
        self.draw_suggestions()

    def draw_spans(self) -> None:
        """Repaint the model's spans (after a change named them)."""
        if self.formats is None or self.model is None:
            return
        index = build_index(self.geometry_, self.model.spans, self.formats, self.search_words)
        self.highlighter.set_index(index, self.formats)

    def set_spans(self, spans: list[Span]) -> None:
        if self.model is not None:
            self.model.spans = spans
        self.draw_spans()

    def draw_suggestions(self) -> None:
        """Dashed underlines over the model's pending suggestions (extra selections, on top
        of the label highlighting, which stays as it is).

        Qt walks every extra selection on every paint, and building one costs ~30 µs: an
        article where thousands of strings are suggested took seconds to open. So only the
        suggestions within a screen above and below what is visible are given to Qt, and the
        window follows the scroll bar (:meth:`_follow_scroll`).
        """
        if self.model is None:
            return
        lo, hi = self._drawn_window = self._window()
        selections = []
        for sg in self.model.suggestions:
            if sg.end <= lo or sg.start >= hi:
                continue
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            if sg.layer == "entity":
                fmt.setUnderlineColor(QColor(self.colours.get(sg.label, "#888888")).darker(160))
            else:
                fmt.setUnderlineColor(QColor(BOILERPLATE_UNDERLINE))
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor(sg.start, sg.end)
            selection.format = fmt
            selections.append(selection)
        for mark in self.marks:
            if not mark.disputed:
                continue
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(DISPUTED_MARK))
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor(mark.start, mark.end)
            selection.format = fmt
            selections.append(selection)
        self.text.setExtraSelections(selections)

    def _window(self) -> tuple[int, int]:
        """The visible text and a screen's worth above and below it, in code points."""
        blocks = self.text.visible_blocks()
        if not blocks:
            first = last = self.text.firstVisibleBlock()
        else:
            first, last = blocks[0], blocks[-1]
        if not first.isValid():
            return (0, 0)
        lo = first.position()
        hi = last.position() + last.length()
        screen = max(hi - lo, 2000)
        end = self.text.document().characterCount()
        return (
            self.geometry_.from_qt(max(0, lo - screen)),
            self.geometry_.from_qt(min(end - 1, hi + screen)),
        )

    def _follow_scroll(self, *_args: int) -> None:
        """Redraw the suggestions once the visible text leaves the window they were drawn for."""
        if self.model is None or not self.model.suggestions:
            return
        blocks = self.text.visible_blocks()
        if not blocks:
            return
        from_qt = self.geometry_.from_qt
        lo = from_qt(blocks[0].position())
        hi = from_qt(
            min(
                self.text.document().characterCount() - 1,
                blocks[-1].position() + blocks[-1].length(),
            )
        )
        drawn_lo, drawn_hi = self._drawn_window
        if lo < drawn_lo or hi > drawn_hi:
            self.draw_suggestions()

    def set_marks(self, marks: Iterable[ReviewMark]) -> None:
        """Show who gave what in the text (review mode); an empty list takes them away."""
        self.marks = list(marks)
        self.draw_suggestions()
        self.text.viewport().update()

    def mark_rects(self, mark: ReviewMark) -> tuple[QRect, QRect]:
        """Viewport rectangles of the caret at the mark's start and end."""
        return (
            self.text.cursorRect(self._cursor(mark.start, mark.start)),
            self.text.cursorRect(self._cursor(mark.end, mark.end)),
        )

    def _paint_marks(self, painter: QPainter, area: QRect) -> None:
        """Box each disputed item (where it sits on one line) and write every mark's tag
        small above its end, on a white ground so that it reads over the line above."""
        if not self.marks:
            return
        font = QFont(self.text.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.62))
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        height = self.text.viewport().height()
        for mark in self.marks:
            first, last = self.mark_rects(mark)
            if last.bottom() < 0 or first.top() > height:
                continue  # not on screen
            colour = QColor(DISPUTED_MARK if mark.disputed else AGREED_MARK)
            if mark.disputed and first.top() == last.top():
                left, right = sorted((first.left(), last.left()))
                painter.setPen(QPen(colour, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRect(left - 1, first.top(), right - left + 2, first.height()))
            width = metrics.horizontalAdvance(mark.tag) + 4
            tag = QRect(
                last.left() - width // 2, last.top() - metrics.height() + 3, width, metrics.height()
            )
            if not tag.intersects(area):
                continue
            painter.fillRect(tag, QColor(255, 255, 255, 230))
            painter.setPen(colour)
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, mark.tag)

    def set_search_words(self, words: list[str]) -> None:
        self.search_words = list(words)
        self.draw_spans()

    def set_status(self, status: str) -> None:
        if self.model is not None:
            self.model.status = status
            self._set_header(self.model.article, status)

    def set_article_metadata(self, article: Article) -> None:
        """The open article with new metadata (a language detected since it opened): the
        header and the text direction follow; the text is the same, so it is not redrawn."""
        if self.model is None or article.id != self.model.id:
            return
        was_rtl = is_rtl(self.model.article)
        self.model.article = article
        # "language pending" becoming "id" may take the line under the title one row shorter:
        # its height stays (until the next article) so the text never jumps under the mouse.
        self.meta.setMinimumHeight(self.meta.height())
        self._set_header(article, self.model.status)
        if is_rtl(article) != was_rtl:  # a new direction lays the text out again: only then
            self._set_direction(is_rtl(article))

    def _set_header(self, article: Article, status: str) -> None:
        self.title.setText(article.title or "(untitled)")
        parts = [html.escape(p) for p in (article.source, article.published) if p]
        parts.append(html.escape(article.lang or "language pending"))
        if status and status != "todo":
            parts.append(f"<b>{html.escape(status)}</b>")
        if article.url:
            url = html.escape(article.url, quote=True)
            parts.append(f'<a href="{url}">{html.escape(article.url)}</a>')
        self.meta.setText(" · ".join(parts))

    def _set_direction(self, rtl: bool) -> None:
        direction = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        align = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        option = self.text.document().defaultTextOption()
        option.setTextDirection(direction)
        option.setAlignment(align | Qt.AlignmentFlag.AlignAbsolute)
        self.text.document().setDefaultTextOption(option)
        self.text.setLayoutDirection(direction)
        for label in (self.title, self.meta):
            label.setLayoutDirection(direction)
            label.setAlignment(align | Qt.AlignmentFlag.AlignAbsolute)
        # The metadata line (url, date) reads left to right whatever the article's script.
        self.meta.setLayoutDirection(Qt.LayoutDirection.LeftToRight)

    def zoom(self, steps: int) -> None:
        if steps > 0:
            self.text.zoomIn(steps)
        elif steps < 0:
            self.text.zoomOut(-steps)
        if steps and self.schema is not None:  # the tags' size and room follow the text's
            self.set_options()

    # ---- selection in code points --------------------------------------------------------

    def selection(self) -> tuple[int, int]:
        """The selection (or the cursor, as an empty range) in code points of the text."""
        cursor = self.text.textCursor()
        from_qt = self.geometry_.from_qt
        return from_qt(cursor.selectionStart()), from_qt(cursor.selectionEnd())

    def _cursor(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(self.geometry_.to_qt(start))
        cursor.setPosition(self.geometry_.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (code points) in the widget."""
        self.text.setTextCursor(self._cursor(start, end))

    def place_cursor(self, offset: int, *, keep_scroll: bool = False) -> None:
        """Move the caret; ``keep_scroll`` leaves the text where the annotator scrolled it
        (Qt would bring the caret into view)."""
        bars = (self.text.verticalScrollBar(), self.text.horizontalScrollBar())
        where = [bar.value() for bar in bars]
        cursor = self.text.textCursor()
        cursor.setPosition(self.geometry_.to_qt(offset))
        self.text.setTextCursor(cursor)
        if keep_scroll:
            for bar, value in zip(bars, where, strict=True):
                bar.setValue(value)

    def spans_at(self, offset: int) -> list[Span]:
        return self.model.spans_at(offset) if self.model is not None else []

    def _tooltip(self, position16: int) -> str:
        """What is under the mouse: the spans' labels, then the suggestions and their source."""
        if self.model is None:
            return ""
        offset = self.geometry_.from_qt(position16)
        tips = [s.label if s.layer == "entity" else s.layer for s in self.model.spans_at(offset)]
        tips += [
            f"suggested {sg.label if sg.layer == 'entity' else sg.layer} ({sg.source})"
            for sg in self.model.suggestions_at(offset)
        ]
        return " · ".join(tips)
