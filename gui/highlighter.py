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
from collections import defaultdict
from dataclasses import dataclass, field

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
Tag = tuple[int, str]  # utf16 end in block, label name


@dataclass
class Index:
    """What to paint per block: format pieces and label tags."""

    pieces: dict[int, list[Piece]] = field(default_factory=dict)
    tags: dict[int, list[Tag]] = field(default_factory=dict)


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
        return number

    def _add(self, fmt: QTextCharFormat) -> int:
        self.formats.append(fmt)
        return len(self.formats) - 1

    def of(self, span: Span) -> int:
        if span.layer == "boilerplate":
            return self.boilerplate
        return self.by_label.get(span.label, self.unknown)


def build_index(
    geometry: TextGeometry, spans: list[Span], formats: Formats, search_words: list[str] = ()
) -> Index:
    """Pieces per block, boilerplate first so that entities and matches paint over it, and a
    tag at the end of each entity span of a known label (when tags are on)."""
    pieces: dict[int, list[Piece]] = defaultdict(list)
    tags: dict[int, list[Tag]] = defaultdict(list)
    ordered = sorted(spans, key=lambda s: s.layer != "boilerplate")
    to16 = geometry.to_qt
    for span in ordered:
        fmt = formats.of(span)
        tagged = formats.tagged.get(span.label) if formats.tags and span.layer == "entity" else None
        parts = geometry.block_pieces(span.start, span.end)
        for i, (block, start, length) in enumerate(parts):
            if tagged is not None and i == len(parts) - 1:
                # The last code point carries the room for the tag.
                last = to16(span.end) - to16(span.end - 1)
                if length > last:
                    pieces[block].append((start, length - last, fmt))
                pieces[block].append((start + length - last, last, tagged))
                tags[block].append((start + length, span.label))
            else:
                pieces[block].append((start, length, fmt))
    pattern = highlight_pattern([w for w in search_words if w.strip()])
    if pattern is not None:
        for match in pattern.finditer(geometry.text):
            for block, start, length in geometry.block_pieces(match.start(), match.end()):
                pieces[block].append((start, length, formats.search))
    return Index(dict(pieces), dict(tags))


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
            if self._applied[number] != tuple(index.pieces.get(number, ())):
                block = doc.findBlockByNumber(number)
                if block.isValid():
                    self.ensure(block)

    def ensure(self, block: QTextBlock) -> None:
        """Give ``block`` the formats of its pieces, if it does not hold them yet."""
        number = block.blockNumber()
        pieces = tuple(self.index.pieces.get(number, ()))
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
