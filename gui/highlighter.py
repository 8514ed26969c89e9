"""Painting spans: character formats set on the layouts of the blocks on screen, and label
name tags drawn over the span ends.

The index maps block number -> [(utf16 start in block, utf16 length, format)], built once per
article (or per change) from code-point spans through :class:`gui.text_geometry.TextGeometry`.
Formats go to each block's ``QTextLayout`` only (as ``QSyntaxHighlighter`` does), so the
document text, and every offset, stays exactly the stored text.

Why not ``QSyntaxHighlighter``: it formats every block of the document when the text is set,
a Python call per block; on a 20,000-word article that was most of the 150-400 ms an opening
took (issue #13). ``QPlainTextEdit`` lays out lazily, and so does this: a block gets its
formats when it is first painted (:meth:`SpanHighlighter.ensure`, called by the text widget
before each paint) or, for the first screenful, at once when the text is set. A change
re-formats only the blocks whose pieces differ, and only if they were formatted before.

A tag, the label's name in small letters, sits at the end of each entity span, in room made
by widening the span's last character (letter spacing: the text and its offsets stay as they
are). :class:`Formats` says whether tags are on and whether colours are high-contrast.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
    QTextLayout,
)

from core.models import Span
from core.palette import readable_colours
from core.schema import Schema
from gui.text_geometry import TextGeometry
from storage import highlight_pattern

BOILERPLATE_BG = "#eeeeee"
BOILERPLATE_FG = "#8a8a8a"
SEARCH_UNDERLINE = "#e65100"
UNKNOWN_BG = "#cccccc"
#: The tag's size against the text's.
TAG_SCALE = 0.62

Piece = tuple[int, int, int]  # utf16 start in block, utf16 length, format number
#: utf16 end of the span in its block, the widened character's utf16 range (empty: none),
#: whether that character is whitespace, the label name.
Tag = tuple[int, int, int, bool, str]


def _right_to_left(text: str, end: int, start: int) -> bool:
    """True if the span ``[start, end)`` ends in a right-to-left letter (combining marks
    after it included): Arabic letters join, and letter spacing on the last one would cut it
    from its word."""
    i = end - 1
    while i > start and unicodedata.bidirectional(text[i]) == "NSM":
        i -= 1
    return unicodedata.bidirectional(text[i]) in ("R", "AL")


class Index:
    """What to paint per block, worked out for a block only when it is asked for: on a
    1,000-span article, converting every span to UTF-16 pieces up front was a third of the
    time to open it, and only a screenful is shown. Spans are sorted into the lines (blocks)
    they touch once, which is two bisects each."""

    def __init__(
        self,
        geometry: TextGeometry | None = None,
        spans: Sequence[Span] = (),
        formats: Formats | None = None,
        search_words: Sequence[str] = (),
    ) -> None:
        self.geometry = geometry
        # line -> (start, end, format, tag format or -1, label), in painting order.
        self._by_line: dict[int, list[tuple[int, int, int, int, str]]] = defaultdict(list)
        self._pieces: dict[int, tuple[Piece, ...]] = {}
        self._tags: dict[int, list[Tag]] = {}
        self.room: dict[str, int] = formats.room if formats is not None else {}
        if geometry is None or formats is None:
            return
        line_of = geometry.lines.line_of
        by_line = self._by_line
        for span in sorted(spans, key=lambda s: s.layer != "boilerplate"):
            tagged = formats.tagged.get(span.label, -1) if formats.tags else -1
            entry = (
                span.start,
                span.end,
                formats.of(span),
                tagged if span.layer == "entity" else -1,
                span.label,
            )
            for line in range(line_of(span.start), line_of(max(span.start, span.end - 1)) + 1):
                by_line[line].append(entry)
        pattern = highlight_pattern([w for w in search_words if w.strip()])
        if pattern is not None:
            for match in pattern.finditer(geometry.text):
                a, b = match.span()
                entry = (a, b, formats.search, -1, "")
                for line in range(line_of(a), line_of(max(a, b - 1)) + 1):
                    by_line[line].append(entry)

    def pieces(self, block: int) -> tuple[Piece, ...]:
        """``(utf16 start in block, utf16 length, format)`` of what block ``block`` shows."""
        known = self._pieces.get(block)
        if known is None:
            known = self._work_out(block)
        return known

    def tags(self, block: int) -> list[Tag]:
        """``(utf16 end in block, label)`` of the spans ending in block ``block``."""
        if block not in self._tags:
            self._work_out(block)
        return self._tags.get(block, [])

    def _work_out(self, block: int) -> tuple[Piece, ...]:
        entries = self._by_line.get(block)
        if not entries or self.geometry is None:
            self._pieces[block], self._tags[block] = (), []
            return ()
        lines, to16, text = self.geometry.lines, self.geometry.to_qt, self.geometry.text
        ls, le = lines.line_range(block)
        base = to16(ls)
        out: list[Piece] = []
        tags: list[Tag] = []
        rooms: list[Piece] = []
        for start, end, fmt, tagged, label in entries:
            s, e = max(start, ls), min(end, le)
            if e <= s:
                continue
            a, b = to16(s) - base, to16(e) - base
            if tagged < 0 or e != end:
                out.append((a, b - a, fmt))
            elif not _right_to_left(text, end, start):
                # The last code point carries the room for the tag.
                last = b - (to16(end - 1) - base)
                if b - a > last:
                    out.append((a, b - a - last, fmt))
                out.append((b - last, last, tagged))
                tags.append((b, b - last, b, False, label))
            else:
                # A right-to-left ending keeps its letters joined: the character after the
                # span (a space, a comma) makes the room; at a line's end there is room.
                out.append((a, b - a, fmt))
                if end < le:
                    after = to16(end + 1) - base - b
                    rooms.append((b, after, self.room[label]))
                    tags.append((b, b, b + after, text[end].isspace(), label))
                else:
                    tags.append((b, b, b, False, label))
        out.extend(rooms)
        pieces = tuple(out)
        self._pieces[block], self._tags[block] = pieces, tags
        return pieces


class Formats:
    """Character formats for one schema: a colour per entity label (never one that looks like
    a selection colour, core.palette), one for boilerplate, one for search matches, and with
    tags on, a variant of each label's format that makes room for its tag. Numbered so the
    index stores small ints."""

    def __init__(
        self,
        schema: Schema,
        *,
        selections: tuple[str, ...] = (),
        font: QFont | None = None,
        tags: bool = True,
        high_contrast: bool = False,
    ) -> None:
        self.tags = tags
        self.high_contrast = high_contrast
        self.colours = readable_colours(
            {e.name: e.colour for e in schema.entity_labels}, selections
        )
        self.tag_font = QFont(font) if font is not None else QFont()
        size = self.tag_font.pointSizeF()
        if size > 0:
            self.tag_font.setPointSizeF(max(5.0, size * TAG_SCALE))
        self.tag_font.setBold(True)
        metrics = QFontMetricsF(self.tag_font)
        self.formats: list[QTextCharFormat] = []
        self.by_label: dict[str, int] = {}
        self.tagged: dict[str, int] = {}
        self.room: dict[str, int] = {}
        self.tag_width: dict[str, float] = {}
        self.tag_colour: dict[str, QColor] = {}
        for name, colour in self.colours.items():
            self._label(name, colour, metrics)
        self.unknown = self._label("", UNKNOWN_BG, metrics, unknown=True)
        boiler = QTextCharFormat()
        boiler.setBackground(QColor(BOILERPLATE_BG))
        boiler.setForeground(QColor("#555555" if high_contrast else BOILERPLATE_FG))
        boiler.setFontStrikeOut(True)
        self.boilerplate = self._add(boiler)
        search = QTextCharFormat()
        search.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        search.setUnderlineColor(QColor(SEARCH_UNDERLINE))
        search.setFontUnderline(True)
        search.setFontWeight(700)
        self.search = self._add(search)

    def _label(self, name: str, colour: str, metrics: QFontMetricsF, unknown: bool = False) -> int:
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(colour))
        ink = QColor(colour).darker(260)
        if self.high_contrast:
            # Black on the colour, and a solid line in the colour's dark ink under it: the
            # span's edges read without telling light tints apart.
            fmt.setForeground(QColor("#000000"))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(ink)
            fmt.setFontUnderline(True)
            ink = QColor("#000000")
        elif unknown:
            fmt.setFontUnderline(True)
        number = self._add(fmt)
        if not unknown:
            self.by_label[name] = number
            self.tag_colour[name] = ink
            width = metrics.horizontalAdvance(name) + 4
            self.tag_width[name] = width
            tagged = QTextCharFormat(fmt)
            tagged.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
            tagged.setFontLetterSpacing(width)
            self.tagged[name] = self._add(tagged)
            room = QTextCharFormat()  # the same room, on a character outside the span
            room.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
            room.setFontLetterSpacing(width)
            self.room[name] = self._add(room)
        return number

    def _add(self, fmt: QTextCharFormat) -> int:
        self.formats.append(fmt)
        return len(self.formats) - 1

    def of(self, span: Span) -> int:
        if span.layer == "boilerplate":
            return self.boilerplate
        return self.by_label.get(span.label, self.unknown)


def build_index(
    geometry: TextGeometry, spans: list[Span], formats: Formats, search_words: Sequence[str] = ()
) -> Index:
    """The spans (boilerplate first, so that entities and matches paint over it) and search
    matches of a text, to be painted block by block; a tag at the end of each entity span of
    a known label when tags are on."""
    return Index(geometry, spans, formats, list(search_words))


def format_ranges(pieces: list[Piece], formats: list[QTextCharFormat]) -> list:
    """The layout's format ranges for one block's pieces; where pieces overlap (an entity in
    boilerplate, a search match in an entity) formats merge so that both stay visible."""
    out = []
    ordered = sorted(pieces)
    if all(ordered[i][0] >= ordered[i - 1][0] + ordered[i - 1][1] for i in range(1, len(ordered))):
        for start, length, fmt in ordered:
            out.append(_range(start, length, formats[fmt]))
        return out
    cuts = sorted({p for s, n, _ in pieces for p in (s, s + n)})
    for a, b in itertools.pairwise(cuts):
        merged = QTextCharFormat()
        for s, n, fmt in pieces:
            if s <= a and b <= s + n:
                merged.merge(formats[fmt])
        if merged.properties():
            out.append(_range(a, b - a, merged))
    return out


def _range(start: int, length: int, fmt: QTextCharFormat) -> QTextLayout.FormatRange:
    r = QTextLayout.FormatRange()
    r.start, r.length, r.format = start, length, fmt
    return r


class SpanHighlighter:
    """Sets the index's formats on block layouts, lazily (see the module docstring)."""

    #: UTF-16 units formatted at once when a text is set: more than a screenful.
    EAGER = 6000

    def __init__(self, document: QTextDocument) -> None:
        self.document = document
        self.index = Index()
        self._formats: list[QTextCharFormat] = []
        # Block number -> the pieces its layout holds now (blocks never formatted: absent;
        # None: formatted with formats since replaced).
        self._applied: dict[int, tuple[Piece, ...] | None] = {}

    def load(self, index: Index, formats: Formats) -> None:
        """Take the index of a text about to be set (its blocks hold no formats yet)."""
        self.index, self._formats = index, formats.formats
        self._applied = {}

    def text_set(self) -> None:
        """Format the first screenful of the text just set, before it is first painted."""
        block, seen = self.document.begin(), 0
        while block.isValid() and seen < self.EAGER:
            self.ensure(block)
            seen += block.length()
            block = block.next()

    def set_index(self, index: Index, formats: Formats) -> None:
        """Take a new index for the text on show; re-format the blocks formatted before whose
        pieces changed (the others get theirs when first painted)."""
        if formats.formats is not self._formats:
            self._formats = formats.formats
            self._applied = dict.fromkeys(self._applied)
        self.index = index
        doc = self.document
        for number in sorted(self._applied):
            if self._applied[number] != index.pieces(number):
                block = doc.findBlockByNumber(number)
                if block.isValid():
                    self.ensure(block)

    def ensure(self, block: QTextBlock) -> None:
        """Give ``block`` the formats of its pieces, if it does not hold them yet."""
        number = block.blockNumber()
        pieces = self.index.pieces(number)
        if number in self._applied:
            if self._applied[number] == pieces:
                return
        elif not pieces:  # never formatted, nothing to format
            self._applied[number] = pieces
            return
        self._applied[number] = pieces
        block.layout().setFormats(format_ranges(list(pieces), self._formats))
        self.document.markContentsDirty(block.position(), block.length())

    def formatted(self, number: int) -> bool:
        """True once block ``number`` holds its formats (for tests and the tag painter)."""
        return number in self._applied
