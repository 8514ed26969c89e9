"""Reading one file: open it, undo gzip, count bytes for progress, hand it to its format.

The per-format readers only see a byte stream; everything that is the same for every format
(choosing the reader, gzip, progress in bytes on disk, I/O errors) is done once, here.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from core.readers.conll import read_conll
from core.readers.delimited import read_csv, read_tsv
from core.readers.json_file import read_json
from core.readers.jsonl import read_jsonl
from core.readers.paths import STDIN, cannot_read, format_of, unsupported
from core.readers.records import Problem, RawRecord
from core.readers.text_file import read_txt

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


#: ``on_bytes`` is called at least this often (in bytes of the file on disk), and at the end.
PROGRESS_STEP = 1 << 20
#: A gzip file may expand this many times its compressed size ...
MAX_RATIO = 100
#: ... once this much has come out of it.
RATIO_FLOOR = 16 << 20
_LINE_BUFFER = 1 << 16

ProgressCallback = Callable[[int], None]


def read_file(
    path: Path,
    *,
    encoding: str = "utf-8",
    on_bytes: ProgressCallback | None = None,
) -> Iterator[RawRecord | Problem]:
    """Records of one file, in file order, with a problem for each bad record or the file.

    The reader is chosen by suffix. ``on_bytes(n)`` receives the number of bytes of the file
    on disk (compressed bytes for ``.gz``) consumed so far, at least every
    :data:`PROGRESS_STEP` bytes and once at the end with the file's size.

    An unknown ``encoding`` is the caller's mistake, not the file's, so it raises
    :class:`ValueError` at once rather than becoming a problem for every file.
    """
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    return _read(Path(path), codec, on_bytes)


def _read(
    path: Path, codec: codecs.CodecInfo, on_bytes: ProgressCallback | None
) -> Iterator[RawRecord | Problem]:
    origin = str(path)
    if origin == STDIN:
        yield from _read_stdin(codec)
        return
    found = format_of(path)
    if found is None:
        yield Problem(origin, unsupported(path))
        return
    suffix, compressed = found
    try:
        raw = path.open("rb", buffering=0)
    except OSError as exc:
        yield Problem(origin, cannot_read(exc))
        return
    with raw:
        size = os.fstat(raw.fileno()).st_size
        counter = _CountingReader(raw, on_bytes)
        stream: IO[bytes] = (
            io.BufferedReader(
                _BoundedGzip(gzip.GzipFile(fileobj=counter, mode="rb"), counter), _LINE_BUFFER
            )
            if compressed
            else io.BufferedReader(counter, _LINE_BUFFER)
        )
        try:
            with stream:
                yield from _READERS[suffix](stream, origin, codec)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            yield Problem(origin, f"corrupt gzip file: {exc}")
        except _Bomb as exc:
            yield Problem(origin, str(exc))
        except OSError as exc:
            yield Problem(origin, cannot_read(exc))
    if on_bytes is not None:
        on_bytes(max(size, counter.consumed))


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from the file on disk and reports them now and then.

    It sits below gzip's decompressor, so the count is in compressed bytes and matches the
    file sizes a caller adds up for its progress bar.
    """

    def __init__(self, raw: io.FileIO, on_bytes: ProgressCallback | None) -> None:
        super().__init__()
        self._raw = raw
        self._on_bytes = on_bytes
        self._reported = 0
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._raw.readinto(buffer) or 0
        self.consumed += count
        if self._on_bytes is not None and self.consumed - self._reported >= PROGRESS_STEP:
            self._reported = self.consumed
            self._on_bytes(self.consumed)
        return count


class _Bomb(Exception):
    """A compressed file expands far more than text does: the rest is not read."""


class _BoundedGzip(io.RawIOBase):
    """Decompressed bytes, stopped once they outgrow the compressed bytes read by far.

    Text compresses 3–10 times; a file that expands :data:`MAX_RATIO` times past the first
    :data:`RATIO_FLOOR` bytes is a decompression bomb (1 MB becoming 1 GB) or not text at
    all, and reading on would only fill the memory.
    """

    def __init__(self, inner: gzip.GzipFile, counter: _CountingReader) -> None:
        super().__init__()
        self._inner = inner
        self._counter = counter
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._inner.readinto(buffer)
        self.produced += count
        if self.produced > max(RATIO_FLOOR, MAX_RATIO * self._counter.consumed):
            raise _Bomb(
                f"decompresses to more than {MAX_RATIO} times its size (a decompression bomb?);"
                f" the rest of the file was not read"
            )
        return count

    def close(self) -> None:
        self._inner.close()
        super().close()


def _read_stdin(codec: codecs.CodecInfo) -> Iterator[RawRecord | Problem]:
    """Standard input, read as JSON Lines (the one stream that may be read: named by -)."""
    stream = io.BufferedReader(_StdinReader(), _LINE_BUFFER)
    yield from read_jsonl(stream, "<stdin>", codec)


class _StdinReader(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        stdin: Any = sys.stdin.buffer  # a BufferedReader; typed as BinaryIO
        return stdin.readinto(buffer) or 0


_Reader = Callable[[IO[bytes], str, codecs.CodecInfo], Iterator[RawRecord | Problem]]

_READERS: dict[str, _Reader] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".txt": read_txt,
    ".conll": read_conll,
}
