"""A layout that places its items left to right and wraps them onto the next line when the
width runs out, so a row of buttons never truncates its labels to "…" on a small screen.

It follows Qt's Flow Layout example (``examples/widgets/layouts/flowlayout``): the height
depends on the width (``heightForWidth``), so the widget holding it grows a line taller
instead of demanding the width of all its buttons side by side. Its minimum width is that of
its widest item. An item wider than a whole line (a long description) gets the line's width
and, if it can (a word-wrapped label), the height it needs at that width.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QStyle, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(
        self, parent: QWidget | None = None, *, spacing: int = 4, line_spacing: int = 2
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    # ---- the item list QLayout asks for --------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insertWidget(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # ---- sizes ---------------------------------------------------------------------------

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QSize:
        """All items on one line: what the layout would like."""
        shown = self._shown()
        width = sum(i.sizeHint().width() for i in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:
        """One item per line at worst: the widest item's minimum, never the sum of all."""
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    # ---- placing -------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); returns the height used. Items
        of one line are centred on it (a label beside taller buttons)."""
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        lines: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        x = area.x()
        for item in self._shown():
            hint = item.sizeHint()
            size = QSize(min(hint.width(), max(area.width(), 1)), hint.height())
            if size.width() < hint.width() and item.hasHeightForWidth():
                size.setHeight(item.heightForWidth(size.width()))
            if lines[-1] and x + size.width() > area.right() + 1:  # wrap onto the next line
                lines.append([])
                x = area.x()
            lines[-1].append((item, size))
            x += size.width() + self._spacing
        # A right-to-left interface starts its lines at the right, as Qt's own layouts do.
        parent = self.parentWidget()
        direction = parent.layoutDirection() if parent else None
        y = area.y()
        for line in lines:
            height = max((size.height() for _item, size in line), default=0)
            x = area.x()
            for item, size in line:
                if move:
                    top = y + (height - size.height()) // 2
                    place = QRect(QPoint(x, top), size)
                    if direction is not None:
                        place = QStyle.visualRect(direction, area, place)
                    item.setGeometry(place)
                x += size.width() + self._spacing
            y += height + self._line_spacing
        used = y - self._line_spacing if lines[0] else y
        return used - rect.y() + margins.bottom()


class FlowLabel(QLabel):
    """A label for a flow layout: it asks for its text on one line, and wraps (growing
    taller) only when a line is narrower than that. A plain word-wrapped ``QLabel`` asks for
    a "pleasant" shape instead and would break a short caption in two beside free space.

    ``reserve``: the longest text it will show. Its room is kept while a shorter text, or
    none, is shown, so a count or a proposal that comes and goes never moves what follows
    (the article text below must stay where the annotator is about to click)."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, reserve: str = "") -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.reserve = reserve

    def _extra(self) -> int:
        margins = self.contentsMargins()
        return 2 * self.margin() + margins.left() + margins.right()

    def sizeHint(self) -> QSize:
        longest = max(self._width_of(self.text()), self._width_of(self.reserve))
        width = longest + self._extra() + 2
        return QSize(width, max(self.heightForWidth(width), 0))

    def heightForWidth(self, width: int) -> int:
        height = super().heightForWidth(width)
        if self.reserve:
            inner = max(1, width - self._extra())
            flags = int(Qt.TextFlag.TextWordWrap)
            box = self.fontMetrics().boundingRect(QRect(0, 0, inner, 100_000), flags, self.reserve)
            margins = self.contentsMargins()
            height = max(
                height, box.height() + 2 * self.margin() + margins.top() + margins.bottom()
            )
        return height

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self.sizeHint().width(), 60), super().minimumSizeHint().height())

    def _width_of(self, text: str) -> int:
        return self.fontMetrics().horizontalAdvance(text) if text else 0
