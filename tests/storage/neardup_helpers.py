"""Articles of the rewrite fixtures written to a file and found again by their ids, shared by
the near-duplicate and propagation tests."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Project


def write_texts(path: Path, texts: list[str], prefix: str) -> Path:
    """``texts`` as a JSONL file, ids ``prefix0``, ``prefix1``, ..."""
    with path.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": f"{prefix}{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


def by_external_id(project: Project) -> dict[str, int]:
    return {s.external_id: s.id for s in project.list_articles(limit=10_000)}
