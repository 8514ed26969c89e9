"""Reading one file: open it, undo gzip, count bytes for progress, hand it to its format.

The per-format readers only see a byte stream; everything that is the same for every format
(choosing the reader, gzip, progress in bytes on disk, I/O errors) is done once, here.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from core.readers.conll import read_conll
from core.readers.delimited import read_csv, read_tsv
from core.readers.json_file import read_json
from core.readers.jsonl import read_jsonl
from core.readers.paths import cannot_read, format_of, unsupported
from core.readers.records import Problem, RawRecord
from core.readers.text_file import read_txt

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


#: ``on_bytes`` is called at least this often (in bytes of the file on disk), and at the end.
PROGRESS_STEP = 1 << 20
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
            gzip.GzipFile(fileobj=counter, mode="rb")
            if compressed
            else io.BufferedReader(counter, _LINE_BUFFER)
        )
        try:
            with stream:
                yield from _READERS[suffix](stream, origin, codec)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            yield Problem(origin, f"corrupt gzip file: {exc}")
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
