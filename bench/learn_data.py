"""Readers of the shared evaluation sets for bench_learn.py (never used by the app or tests)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from core.learn.entity import EntityExample, flat_spans


def nerp_prosa(shared: Path) -> list[EntityExample]:
    """All 840 sentences of NER-Prosa's test file (BIO, lower-cased), each as an article."""
    path = (
        shared
        / "ner-id-indonlu"
        / "original"
        / "dataset"
        / "nerp_ner-prosa"
        / "test_preprocess.txt"
    )
    out: list[EntityExample] = []
    words: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if not words:
            return
        text, spans, pos = "", [], 0
        open_span: list | None = None
        for word, tag in zip(words, tags, strict=True):
            start = pos + (1 if text else 0)
            text = f"{text} {word}" if text else word
            pos = len(text)
            if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                if open_span:
                    spans.append(tuple(open_span))
                open_span = [tag[2:], start, pos]
            elif tag.startswith("I-") and open_span is not None:
                open_span[2] = pos
            else:
                if open_span:
                    spans.append(tuple(open_span))
                open_span = None
        if open_span:
            spans.append(tuple(open_span))
        out.append(EntityExample(text, "id", tuple(spans)))
        words.clear()
        tags.clear()

    for raw in path.read_text("utf-8").splitlines():
        if not raw.strip():
            flush()
            continue
        word, tag = raw.split("\t")
        words.append(word)
        tags.append(tag)
    flush()
    return out


def gum_sentences(shared: Path) -> list[EntityExample]:
    """The 416 sentences of the 12 GUM Wikinews articles, each as an article, with the named
    entity spans inside it (nested ones flattened, longest kept: what a BIO model can hold)."""
    folder = shared / "ner-en-gum-wikinews"
    docs = {}
    for line in (folder / "gum_news.jsonl").read_text("utf-8").splitlines():
        d = json.loads(line)
        docs[d["id"]] = d
    out: list[EntityExample] = []
    for path in sorted((folder / "original" / "dep").glob("*.conllu.gz")):
        doc_id = path.name.split(".")[0]
        doc = docs[doc_id]
        text = doc["text"]
        spans = [(s["label"], s["start"], s["end"]) for s in doc["spans"]]
        pos = 0
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        for raw in lines:
            if not raw.startswith("# text = "):
                continue
            sentence = raw[len("# text = ") :]
            start = text.find(sentence, pos)
            if start < 0:
                continue
            end = start + len(sentence)
            pos = end
            inside = [(lab, s - start, e - start) for lab, s, e in spans if start <= s and e <= end]
            out.append(EntityExample(sentence, "en", flat_spans(inside)))
    return out


def stance_set(shared: Path, name: str) -> list[tuple[str, str, str, str]]:
    """``(target, text, lang, label)`` of one stance set's JSONL."""
    rows = []
    for line in (shared / name / "stance.jsonl").read_text("utf-8").splitlines():
        d = json.loads(line)
        rows.append((d["target"], d["text"], d.get("lang") or "und", d["label"]))
    return rows
