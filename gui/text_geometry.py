"""The one place where stored offsets (code points) meet Qt's text positions (UTF-16 units).

Qt counts UTF-16 code units, so an emoji or a CJK Extension B character shifts every later
position by one; storage, core and the rest of gui/ count code points. Every conversion in
gui/ goes through :class:`TextGeometry` (built on :class:`core.text.Utf16Map`): the article
view for selections, the cursor, tooltips and suggestion marks, the highlighter for its
per-block index. A test checks that no other gui/ module touches ``Utf16Map``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.selection import LineIndex
from core.text import Utf16Map


@dataclass
class TextGeometry:
    """Per-article conversions between stored code points and the widget's blocks."""

    text: str
    utf16: Utf16Map
    lines: LineIndex
    # (start, end) -> block pieces: after a label key the highlight index is rebuilt for
    # every span of the article, and on a 1,000-span article recomputing them all cost more
    # than the rest of the repaint.
    _pieces: dict[tuple[int, int], list[tuple[int, int, int]]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def of(cls, text: str, lines: LineIndex | None = None) -> TextGeometry:
        return cls(text=text, utf16=Utf16Map(text), lines=lines or LineIndex(text))

    def to_qt(self, offset: int) -> int:
        """The widget position of code point ``offset``."""
        return self.utf16.to_utf16(offset)

    def from_qt(self, position: int) -> int:
        """The code point offset of widget position ``position``."""
        return self.utf16.to_code_point(position)

    def block_pieces(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """``(block, utf16 start in block, utf16 length)`` of ``[start, end)``, split at lines."""
        known = self._pieces.get((start, end))
        if known is not None:
            return known
        out = []
        to16 = self.utf16.to_utf16
        for line in range(self.lines.line_of(start), self.lines.line_of(max(start, end - 1)) + 1):
            ls, le = self.lines.line_range(line)
            s, e = max(start, ls), min(end, le)
            if e > s:
                base = to16(ls)
                out.append((line, to16(s) - base, to16(e) - to16(s)))
        self._pieces[(start, end)] = out
        return out
