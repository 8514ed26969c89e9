"""The one place where stored offsets (code points) meet Qt's text positions (UTF-16 units).

Qt counts UTF-16 code units, so an emoji or a CJK Extension B character shifts every later
position by one; storage, core and the rest of gui/ count code points. Every conversion in
gui/ goes through :class:`TextGeometry` (built on :class:`core.text.Utf16Map`): the article
view for selections, the cursor, tooltips and suggestion marks, the highlighter for its
per-block index. A test checks that no other gui/ module touches ``Utf16Map``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.selection import LineIndex
from core.text import Utf16Map


@dataclass
class TextGeometry:
    """Per-article conversions between stored code points and the widget's blocks."""

    text: str
    utf16: Utf16Map
    lines: LineIndex

    @classmethod
    def of(cls, text: str, lines: LineIndex | None = None) -> TextGeometry:
        return cls(text=text, utf16=Utf16Map(text), lines=lines or LineIndex(text))

    def to_qt(self, offset: int) -> int:
        """The widget position of code point ``offset``."""
        return self.utf16.to_utf16(offset)

    def from_qt(self, position: int) -> int:
        """The code point offset of widget position ``position``."""
        return self.utf16.to_code_point(position)
