"""Reading news datasets from files into raw records, with a problem for every bad record.

A scraped dataset always has a few broken records: a truncated JSON line, a CSV row with a stray
delimiter, a file saved in Latin-1. An import must not stop at the first one, so every reader
yields :class:`RawRecord` or :class:`Problem` items and goes on; the caller decides what to do
with problems (the importer reports them with file and line and skips the record).

Readers stream wherever the format allows it (JSONL, gzip) so that a multi-gigabyte file never
has to fit in memory, and they report progress in bytes of the file on disk so a progress bar
can be drawn over the total size of all files. Nothing here knows what an article is: mapping
fields to an article is :mod:`core.fields`' job.

This package is the public face; callers import from ``core.readers`` only. Inside it:
``records`` (the yielded types), ``paths`` (which files to read), ``reading`` (one file: gzip,
progress, choosing the format), ``decoding`` (bytes to text, line splitting) and one module
per format: ``jsonl``, ``json_file``, ``delimited`` (CSV, TSV), ``text_file``, ``conll``.
"""

from __future__ import annotations

from core.readers.json_file import RECORD_LIST_KEYS
from core.readers.paths import FORMAT_SUFFIXES, SUPPORTED_SUFFIXES, expand_paths
from core.readers.reading import PROGRESS_STEP, ProgressCallback, read_file
from core.readers.records import Problem, RawRecord, json_kind

__all__ = [
    "FORMAT_SUFFIXES",
    "PROGRESS_STEP",
    "RECORD_LIST_KEYS",
    "SUPPORTED_SUFFIXES",
    "Problem",
    "ProgressCallback",
    "RawRecord",
    "expand_paths",
    "json_kind",
    "read_file",
]
