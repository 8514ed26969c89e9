"""The article's text widget: a read-only ``QPlainTextEdit`` (DESIGN.md: the fastest Qt
text widget) that keeps mouse and keyboard selection, hands key presses to the workspace
before its own handling, and paints each entity span's label name small in the room its last
character leaves.

It exists apart from the article view because painting a tag is its own craft: it follows
where Qt lays out each glyph (run direction, line ends, the room letter spacing made), and
knows nothing of articles, spans or code points. Everything here is in Qt's positions (UTF-16
units); :mod:`gui.article_view` composes the widget with the header and converts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextBlock,
    QTextLine,
)
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from gui.highlighter import Formats, SpanHighlighter

#: Selection colour of the article text: dark, far from every light label colour.
SELECTION = "#263238"


class AnnotText(QPlainTextEdit):
    """The text widget: read-only, selectable, and handing key presses to the workspace
    before its own handling (so label keys are never swallowed)."""

    mouseReleased = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        # The selection is dark ink, not the platform's blue: no label colour (ORG's light
        # blue was one) may be mistaken for "selected".
        palette = self.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, QColor(SELECTION))
            palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        self.setPalette(palette)
        self.key_handler: Callable[[QKeyEvent], bool] | None = None
        self.tooltip_for: Callable[[int], str] | None = None  # Qt position -> text
        self.highlighter: SpanHighlighter | None = None
        self.formats: Formats | None = None
        #: ``(utf16 position of the span end, label)`` of every tag the last paint drew.
        self.painted_tags: list[tuple[int, str]] = []
        #: Paints over the text after Qt has drawn it (the review marks).
        self.overlay: Callable[[QPainter, QRect], None] | None = None

    def visible_blocks(self) -> list[QTextBlock]:
        """The blocks on screen now, top to bottom."""
        out = []
        block, offset = self.firstVisibleBlock(), self.contentOffset()
        bottom = self.viewport().height()
        while block.isValid():
            if self.blockBoundingGeometry(block).translated(offset).top() > bottom:
                break
            if block.isVisible():
                out.append(block)
            block = block.next()
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        # Blocks get their formats when first shown (gui.highlighter: lazy, so a long
        # article opens without formatting every paragraph).
        highlighter = self.highlighter
        blocks = self.visible_blocks() if highlighter is not None else []
        for block in blocks:
            assert highlighter is not None
            highlighter.ensure(block)
        super().paintEvent(event)
        self._paint_tags(blocks)
        if self.overlay is not None:
            painter = QPainter(self.viewport())
            try:
                self.overlay(painter, event.rect())
            finally:
                painter.end()

    def _paint_tags(self, blocks: list[QTextBlock]) -> None:
        """Each entity span's label name, small, in the room its last character leaves."""
        self.painted_tags = []
        formats, highlighter = self.formats, self.highlighter
        if formats is None or highlighter is None or not formats.tags:
            return
        painter = QPainter(self.viewport())
        painter.setFont(formats.tag_font)
        offset = self.contentOffset()
        rtl = self.document().defaultTextOption().textDirection() == Qt.LayoutDirection.RightToLeft
        for block in blocks:
            tags = highlighter.index.tags(block.blockNumber())
            if not tags:
                continue
            layout = block.layout()
            origin = self.blockBoundingGeometry(block).translated(offset).topLeft()
            origin += layout.position()
            for end, lo, hi, space, label in tags:
                line = layout.lineForTextPosition(max(0, end - 1))
                if not line.isValid():
                    continue
                width = formats.tag_width.get(label, 0.0)
                left = _tag_left(line, end, lo, hi, space, width, rtl)
                rect = QRectF(origin.x() + left, origin.y() + line.y(), width, line.height())
                painter.setPen(formats.tag_colour.get(label, QColor("#000000")))
                painter.drawText(
                    rect.adjusted(1, 0, -1, 0),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    label,
                )
                self.painted_tags.append((block.position() + end, label))
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.key_handler is not None and self.key_handler(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Tab would move the focus by Qt's own chain; the key table says where it goes.
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and self.key_handler is not None
            and self.key_handler(event)
        ):
            return True
        # Keys such as Ctrl+Z or Delete would otherwise be claimed by the text control's
        # shortcut override; the workspace decides what they do.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.key_handler is not None
        ):
            key = event.key()
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                event.accept()
                return True
        return super().event(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        self.mouseReleased.emit()

    def viewportEvent(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ToolTip
            and isinstance(event, QHelpEvent)
            and self.tooltip_for is not None
        ):
            cursor = self.cursorForPosition(event.pos())
            tip = self.tooltip_for(cursor.position())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


def _cursor_x(line: QTextLine, position: int) -> float:
    # PySide6 returns the pair (x, position) here; its stub says only ``object``.
    x, _position = cast(tuple[float, int], line.cursorToX(position))
    return x


def _tag_left(
    line: QTextLine, end: int, lo: int, hi: int, space: bool, width: float, rtl: bool
) -> float:
    """Where a tag starts (layout x): in the room letter spacing made on the widened
    character ``[lo, hi)`` (gui.highlighter), on the side that faces the span; the
    character's run direction comes from where Qt puts its two edges."""
    x_end = _cursor_x(line, end)
    if lo == hi:  # a right-to-left span at a line's end: the room is the free line end
        return x_end - width if rtl else x_end
    if hi == end:  # the span's own last character, widened after its glyph
        forward = x_end >= _cursor_x(line, lo)
        return x_end - width if forward else x_end
    x_hi = _cursor_x(line, hi)  # the character after the span
    forward = x_hi >= x_end
    if space:  # a blank: the tag sits against the span
        return x_end if forward else x_end - width
    return x_hi - width if forward else x_hi  # punctuation: after it
