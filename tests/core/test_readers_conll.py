"""CoNLL files: documents split at -DOCSTART-, sentences at blank lines, tag in the last
column; a bad line spoils only its document."""

from __future__ import annotations

from pathlib import Path

from core.readers import Problem, RawRecord
from tests.core.reader_helpers import read, write

CONLL_2003 = """-DOCSTART- -X- -X- O

Joko NNP B-NP B-PER
bertemu VB B-VP O
𠮷野 NNP B-NP B-ORG

di IN B-PP O
القاهرة NNP B-NP B-GPE

-DOCSTART- -X- -X- O

Kyiv NNP B-NP B-GPE
"""


def test_documents_become_records_with_their_sentences_on_lines(tmp_path: Path) -> None:
    records = read(write(tmp_path / "ner.conll", CONLL_2003.replace("\n", "\r\n")))
    assert [type(r) for r in records] == [RawRecord, RawRecord]
    first, second = records
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert first.fields == {
        "text": "Joko bertemu 𠮷野\ndi القاهرة",
        "tokens": ["Joko", "bertemu", "𠮷野", "di", "القاهرة"],
        "ner_tags": ["B-PER", "O", "B-ORG", "O", "B-GPE"],
    }
    assert first.origin.endswith("ner.conll:3")
    assert second.fields["tokens"] == ["Kyiv"]


def test_without_docstart_each_sentence_is_a_record(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conll.gz", "A B-PER\nb O\n\nC B-LOC\n")
    records = read(path)
    assert [r.fields["tokens"] for r in records if isinstance(r, RawRecord)] == [["A", "b"], ["C"]]


def test_a_line_without_a_tag_spoils_only_its_document(tmp_path: Path) -> None:
    text = "-DOCSTART- O\n\nJoko B-PER\nbroken\n\n-DOCSTART- O\n\nKyiv B-GPE\n"
    records = read(write(tmp_path / "bad.conll", text))
    assert isinstance(records[0], Problem) and records[0].origin.endswith("bad.conll:4")
    assert "token and a tag" in records[0].reason
    assert isinstance(records[1], RawRecord) and records[1].fields["tokens"] == ["Kyiv"]
