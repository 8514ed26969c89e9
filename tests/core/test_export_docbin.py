"""The DocBin writer without spaCy: its hashes, symbol ids and MessagePack are spaCy's own
(checked against the real spaCy where the dev environment has it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.export.docbin import msgpack, murmurhash64a, string_hash, write_docbin
from core.export.records import ExportSpan

spacy = pytest.importorskip("spacy")


@pytest.mark.parametrize(
    "text", ["a", "abcdefgh", "abcdefghi", "Joko", "𠮷野家", "القاهرة", "👨🏻‍🚒", "x" * 100]
)
def test_hashes_are_spacy_s(text: str) -> None:
    from spacy.strings import hash_string

    assert string_hash(text) == hash_string(text)
    assert murmurhash64a(text.encode("utf-8")) == hash_string(text)


def test_the_symbol_table_is_spacy_s() -> None:
    from spacy.symbols import IDS

    for name, value in IDS.items():
        assert string_hash(name) == value, name


def test_msgpack_is_what_srsly_reads() -> None:
    import srsly

    value = {
        "s": "é" * 40,
        "b": b"\x00" * 300,
        "n": [0, 127, 128, 70_000, 2**40],
        "l": list(range(20)),
        "d": {str(i): i for i in range(20)},
        "t": True,
    }
    assert srsly.msgpack_loads(msgpack(value)) == value


def test_texts_and_entities_come_back_exactly(tmp_path: Path) -> None:
    from spacy.tokens import DocBin

    text = "Presiden  Joko Widodo\ttiba di 𠮷野家.\r ORG DATE\n"
    spans = (
        ExportSpan(text.index("Joko"), text.index("Joko") + 11, "entity", "PER"),
        ExportSpan(text.index("𠮷"), text.index("𠮷") + 3, "entity", "ORG"),
        ExportSpan(0, 8, "boilerplate", "boilerplate"),
    )
    write_docbin(tmp_path / "a.spacy", [(text, spans), ("", ())])
    nlp = spacy.blank("xx")
    docs = list(DocBin().from_disk(tmp_path / "a.spacy").get_docs(nlp.vocab))
    assert [d.text for d in docs] == [text, ""]
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Joko Widodo", "PER"), ("𠮷野家", "ORG")]
