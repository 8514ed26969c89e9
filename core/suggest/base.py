"""What every suggester returns, and the line helpers the boilerplate suggesters share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from core.text import UNSPACED

#: Source names of the built-in boilerplate suggesters (a user rule is ``rule:<pattern>``).
BOILERPLATE_SOURCES = ("lexicon", "repeated", "shape")
BOILERPLATE_LABEL = "boilerplate"

_SENTENCE_END = frozenset(".!?…。！？؟")
_CLOSERS = "\"'”’»)]}›*_ "


@dataclass(frozen=True, slots=True)
class Proposal:
    """A span a suggester proposes; offsets are code points of the article text."""

    layer: str
    label: str
    start: int
    end: int
    source: str
    score: float = 1.0

    def row(self) -> tuple[str, str, int, int, float]:
        """The row shape ``Project.add_suggestions`` takes."""
        return (self.layer, self.label, self.start, self.end, self.score)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a text: its stripped content and where that content lies."""

    index: int
    start: int
    end: int
    text: str

    @property
    def empty(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[Line]:
    """Every line of ``text`` (split on ``\\n``), with offsets of its non-blank content.

    Boilerplate is proposed over a line's content without its outer spaces, so an accepted
    suggestion covers exactly the visible words.
    """
    lines: list[Line] = []
    pos = 0
    for index, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        start = pos + lead
        lines.append(Line(index, start, start + len(stripped), stripped))
        pos += len(raw) + 1
    return lines


#: Lines remembered by :func:`normalise_line` and :func:`word_count`: the suggesters ask
#: both about the same line one after another (the repeated lines, the lexicon, the shape
#: rules), so the article at hand is enough; a line's text is hashed once anyway.
_LINE_MEMO = 4096


@lru_cache(maxsize=_LINE_MEMO)
def normalise_line(text: str) -> str:
    """Case-folded, single-spaced form of a line, for comparing lines and phrases."""
    # str.split() splits on exactly the characters re's \s matches in a str pattern (both
    # are str.isspace()), and is 3x faster than the regex on long paragraphs.
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=_LINE_MEMO)
def word_count(text: str) -> int:
    """Words of a line; in scripts without spaces every two characters count as one word,
    so that length rules mean roughly the same in Japanese as in Indonesian."""
    if not UNSPACED.search(text):
        return len(text.split())
    count = 0
    for token in text.split():
        unspaced = len(UNSPACED.findall(token))
        count += max(1, unspaced // 2) if unspaced else 1
    return count


def ends_sentence(text: str) -> bool:
    """True if a line ends like a sentence (closing quotes and brackets looked through)."""
    core = text.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_END


def looks_like_title(text: str, *, max_words: int = 25) -> bool:
    """A headline-like line: short, with words, not ending in a full stop.

    Used for the line after a marker such as "Next Article": what follows is the linked
    article's title, never a body paragraph (which is longer or ends in a full stop).
    """
    if not text or word_count(text) > max_words or not any(ch.isalpha() for ch in text):
        return False
    core = text.rstrip(_CLOSERS)
    return not core.endswith(".") or core.endswith("...")


def boilerplate(line: Line, source: str, *, score: float = 1.0) -> Proposal:
    return Proposal("boilerplate", BOILERPLATE_LABEL, line.start, line.end, source, score)
