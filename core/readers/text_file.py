"""A ``.txt`` file: one article, title on the first line, kept verbatim for annotation.

Plain text has no fields to map, so this reader decides the layout itself, in one place.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

from core.readers.decoding import read_text
from core.readers.records import Problem, RawRecord
from core.text import normalise_text


def read_txt(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    """One article per file: the first non-blank line is the title, the rest the text.

    Blank lines around the text are dropped; everything between is kept verbatim, because
    boilerplate at the end of scraped pages ("Next Article", editor tags) is what annotators
    mark, and offsets into the text must match the file.
    """
    text = read_text(stream, origin, codec)
    if isinstance(text, Problem):
        yield text
        return
    lines = normalise_text(text).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        yield Problem(origin, "empty file")
        return
    start, end = first + 1, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    yield RawRecord(origin, {"title": lines[first].strip(), "text": "\n".join(lines[start:end])})
