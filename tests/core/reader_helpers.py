"""Writing and reading test files for the tests of core.readers, shared by their modules."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from core.readers import Problem, RawRecord, read_file

ENCODING_HINT = "re-run with --encoding if the file uses another encoding"
UNSUPPORTED_TAIL = (
    "; use .jsonl, .ndjson, .json, .csv, .tsv, .txt or .conll, optionally gzipped (.gz)"
)


def read(path: Path, **options: object) -> list[RawRecord | Problem]:
    return list(read_file(path, **options))  # type: ignore[arg-type]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def jsonl(*objects: object) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects)
