"""CoNLL (``.conll``): one token a line, its NER tag in the last column, as CoNLL-2003 and
Label Studio's CoNLL export write it.

``-DOCSTART-`` lines separate documents; a document becomes one record whose sentences
(separated by blank lines) are joined by newlines, so an article keeps its sentence breaks.
A file without ``-DOCSTART-`` has one record per sentence. The record carries ``tokens``,
``ner_tags`` and the ``text`` they were joined into; :mod:`core.labelled` turns the tags
into spans. A line with one column (no tag) is a problem that spoils only its document.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

from core.readers.decoding import byte_lines, splits_lines_in_bytes, text_lines
from core.readers.records import Problem, RawRecord


def read_conll(
    stream: IO[bytes], origin: str, codec: codecs.CodecInfo
) -> Iterator[RawRecord | Problem]:
    lines = byte_lines if splits_lines_in_bytes(codec) else text_lines
    doc = _Document()
    saw_docstart = False
    for number, line in lines(stream, origin, codec):
        if isinstance(line, Problem):
            doc.problem = doc.problem or line
            continue
        cells = line.split()
        if cells and cells[0] == "-DOCSTART-":
            saw_docstart = True
            yield from doc.finish(origin)
            doc = _Document()
            continue
        if not cells:
            doc.end_sentence()
            if not saw_docstart:
                yield from doc.finish(origin)
                doc = _Document()
            continue
        if doc.start == 0:
            doc.start = number
        if len(cells) < 2:
            doc.problem = doc.problem or Problem(
                f"{origin}:{number}", "a CoNLL line needs a token and a tag"
            )
            continue
        doc.add(cells[0], cells[-1])
    yield from doc.finish(origin)


class _Document:
    """The sentences of one record, gathered line by line."""

    def __init__(self, start: int = 0) -> None:
        self.start = start
        self.sentences: list[list[tuple[str, str]]] = [[]]
        self.problem: Problem | None = None

    def add(self, token: str, tag: str) -> None:
        self.sentences[-1].append((token, tag))

    def end_sentence(self) -> None:
        if self.sentences[-1]:
            self.sentences.append([])

    def finish(self, origin: str) -> Iterator[RawRecord | Problem]:
        if self.problem is not None:
            yield self.problem
            return
        sentences = [s for s in self.sentences if s]
        if not sentences:
            return
        tokens = [token for sentence in sentences for token, _ in sentence]
        tags = [tag for sentence in sentences for _, tag in sentence]
        text = "\n".join(" ".join(token for token, _ in sentence) for sentence in sentences)
        yield RawRecord(
            f"{origin}:{self.start}", {"text": text, "tokens": tokens, "ner_tags": tags}
        )
