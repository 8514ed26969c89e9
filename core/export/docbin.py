"""spaCy's ``.spacy`` training files (``DocBin``), written without spaCy.

spaCy is hundreds of megabytes and has no place in a desktop app, but ``spacy train`` reads
its corpora as DocBin files. The format is small: a zlib-compressed MessagePack map holding
the token attributes as a ``uint64`` array, the trailing-space flags, the document lengths
and the strings whose hashes the array holds. Tandai writes three attributes per token:
``ORTH`` (the token text), ``ENT_IOB`` and ``ENT_TYPE`` (the entity tags), which is what an
NER pipeline trains on. Ids are spaCy's: a string spaCy knows as a symbol ("ORG", "DATE",
"NOUN", ... listed in :mod:`core.export.spacy_symbols`, checked against spaCy by a test) has
its fixed symbol id, any other string MurmurHash64A of its UTF-8 bytes, seed 1.

The tokens are :func:`core.tokens.spacy_tokens`, so a document's text is the
article's text exactly and every entity span starts and ends on a token. A test reads the
files back with the real spaCy (a development dependency only).
"""

from __future__ import annotations

import struct
import sys
import tempfile
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.export.bio import entity_cuts
from core.export.records import ExportSpan
from core.export.spacy_symbols import SYMBOLS
from core.tokens import spacy_tokens, token_range

# spaCy's attribute ids (spacy/attrs.pxd; fixed since v2) and its IOB codes.
ORTH, ENT_IOB, ENT_TYPE = 65, 77, 78
_IOB_I, _IOB_O, _IOB_B = 1, 2, 3
_MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A (Austin Appleby), as spaCy's ``hash_string`` computes it."""
    m, r = 0xC6A4A7935BD1E995, 47
    h = (seed ^ (len(data) * m)) & _MASK
    whole = len(data) // 8 * 8
    for (k,) in struct.iter_unpack("<Q", data[:whole]):
        k = (k * m) & _MASK
        k ^= k >> r
        k = (k * m) & _MASK
        h ^= k
        h = (h * m) & _MASK
    tail = data[whole:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & _MASK
    h ^= h >> r
    h = (h * m) & _MASK
    h ^= h >> r
    return h


def string_hash(text: str) -> int:
    """The id spaCy's StringStore gives ``text``: its symbol id, else its hash ("" is 0)."""
    if not text:
        return 0
    symbol = SYMBOLS.get(text)
    return symbol if symbol is not None else murmurhash64a(text.encode("utf-8"))


class DocBinWriter:
    """Collects documents and writes one ``.spacy`` file with flat memory: the token array
    goes to a temporary file as it is made and is streamed through zlib at the end, so a
    split of a million articles never sits in memory (only its distinct strings do)."""

    def __init__(self, scratch: Path | None = None) -> None:
        # Closed by write() or close(); beside the output, where the space for it is.
        self._tokens = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115
        self._spaces = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115
        self.lengths = array("i")
        self.strings: set[str] = set()

    def add(self, text: str, spans: Sequence[ExportSpan]) -> int:
        """Add one document; returns how many entity spans could not be placed (none, as
        the tokens are cut at every entity edge, unless a span covers only spaces)."""
        entities = sorted(s for s in spans if s[2] == "entity")
        tokens = spacy_tokens(text, entity_cuts(entities))
        starts = [t.start for t in tokens]
        ends = [t.end for t in tokens]
        iob = [_IOB_O] * len(tokens)
        kind = [0] * len(tokens)
        dropped = 0
        for start, end, _, label in entities:
            found = token_range(starts, ends, start, end)
            if found is None or any(iob[i] != _IOB_O for i in range(found[0], found[1] + 1)):
                dropped += 1
                continue
            self.strings.add(label)
            first, last = found
            for i in range(first, last + 1):
                iob[i] = _IOB_B if i == first else _IOB_I
                kind[i] = string_hash(label)
        values = array("Q")
        for token, tag, type_id in zip(tokens, iob, kind, strict=True):
            self.strings.add(token.text)
            values.extend((string_hash(token.text), tag, type_id))
        if sys.byteorder != "little":
            values.byteswap()
        self._tokens.write(values.tobytes())
        self._spaces.write(bytes(1 if t.ws else 0 for t in tokens))
        self.lengths.append(len(tokens))
        return dropped

    def write(self, path: Path) -> None:
        """Write the ``.spacy`` file (a zlib stream of one MessagePack map) and forget."""
        n = len(self.lengths)
        lengths = array("i", self.lengths)
        if sys.byteorder != "little":
            lengths.byteswap()
        packer = zlib.compressobj()
        with path.open("wb") as out:

            def emit(data: bytes) -> None:
                out.write(packer.compress(data))

            def stream(source: IO[bytes]) -> None:
                source.seek(0)
                while chunk := source.read(1 << 20):
                    emit(chunk)

            emit(b"\x89")  # a map of nine entries
            emit(msgpack("version") + msgpack("0.1"))
            emit(msgpack("attrs") + msgpack([ORTH, ENT_IOB, ENT_TYPE]))
            emit(msgpack("tokens") + _bin_header(self._tokens.tell()))
            stream(self._tokens)
            emit(msgpack("spaces") + _bin_header(self._spaces.tell()))
            stream(self._spaces)
            emit(msgpack("lengths") + msgpack(lengths.tobytes()))
            emit(msgpack("strings") + msgpack(sorted(self.strings)))
            emit(msgpack("cats") + msgpack([{} for _ in range(n)]))
            emit(msgpack("flags") + msgpack([{"has_unknown_spaces": False} for _ in range(n)]))
            emit(msgpack("span_groups") + msgpack([b"" for _ in range(n)]))
            out.write(packer.flush())
        self.close()

    def close(self) -> None:
        self._tokens.close()
        self._spaces.close()


@dataclass(frozen=True, slots=True)
class DocLine:
    """What the ``spacy`` format makes of a record: a document for the split's DocBin."""

    text: str
    spans: tuple[ExportSpan, ...]


class DocBinFile:
    """A split's ``.spacy`` output, written like the JSONL files are: items in, then
    :meth:`close` writes ``path`` (the export's ``.partial`` name) in one go."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = DocBinWriter(path.parent)
        self.dropped = 0

    def write(self, item: DocLine | str) -> None:
        if isinstance(item, DocLine):
            self.dropped += self.writer.add(item.text, item.spans)

    def close(self) -> None:
        self.writer.write(self.path)


def _bin_header(n: int) -> bytes:
    out = bytearray()
    _header(n, out, fix=None, small=0xC4, mid=0xC5, big=0xC6)
    return bytes(out)


def msgpack(value: object) -> bytes:
    """MessagePack of the few types a DocBin holds (str, bytes, int >= 0, bool, list, dict)."""
    out = bytearray()
    _pack(value, out)
    return bytes(out)


def _pack(value: object, out: bytearray) -> None:
    if isinstance(value, bool):
        out.append(0xC3 if value else 0xC2)
    elif isinstance(value, int):
        if value < 0:
            raise ValueError("negative integers are not needed here")
        if value < 0x80:
            out.append(value)
        elif value <= 0xFF:
            out += b"\xcc" + struct.pack(">B", value)
        elif value <= 0xFFFF:
            out += b"\xcd" + struct.pack(">H", value)
        elif value <= 0xFFFFFFFF:
            out += b"\xce" + struct.pack(">I", value)
        else:
            out += b"\xcf" + struct.pack(">Q", value)
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        _header(len(data), out, fix=(0xA0, 32), small=0xD9, mid=0xDA, big=0xDB)
        out += data
    elif isinstance(value, bytes):
        _header(len(value), out, fix=None, small=0xC4, mid=0xC5, big=0xC6)
        out += value
    elif isinstance(value, list):
        _header(len(value), out, fix=(0x90, 16), small=None, mid=0xDC, big=0xDD)
        for item in value:
            _pack(item, out)
    elif isinstance(value, dict):
        _header(len(value), out, fix=(0x80, 16), small=None, mid=0xDE, big=0xDF)
        for key, item in value.items():
            _pack(key, out)
            _pack(item, out)
    else:
        raise TypeError(f"cannot pack {type(value).__name__}")


def _header(
    n: int, out: bytearray, *, fix: tuple[int, int] | None, small: int | None, mid: int, big: int
) -> None:
    if fix is not None and n < fix[1]:
        out.append(fix[0] | n)
    elif small is not None and n <= 0xFF:
        out += bytes([small, n])
    elif n <= 0xFFFF:
        out += bytes([mid]) + struct.pack(">H", n)
    else:
        out += bytes([big]) + struct.pack(">I", n)


def write_docbin(path: Path, docs: Iterable[tuple[str, Sequence[ExportSpan]]]) -> None:
    """One ``.spacy`` file from ``(text, spans)`` pairs."""
    writer = DocBinWriter()
    for text, spans in docs:
        writer.add(text, spans)
    writer.write(path)
