"""Long articles cut into chunks: whole sentences, never inside a span, every span kept and
traced back to the article by its offset."""

from __future__ import annotations

import json

import pytest

from core.export.chunks import chunk_ranges, chunks_of, sentence_ranges
from core.export.formats import Tally, lines_of
from core.export.records import ChunkMode, ExportOptions, ExportSpan
from core.tokens import token_offsets
from tests.core.test_export_formats import TEXT, record


def _spans_back(lines: list) -> set[tuple[int, int, str]]:
    out = set()
    for line in lines:
        obj = json.loads(line) if isinstance(line, str) else line
        for span in obj["spans"]:
            assert obj["text"][span["start"] : span["end"]] == span["text"]
            out.add((span["start"] + obj["offset"], span["end"] + obj["offset"], span["label"]))
    return out


@pytest.mark.parametrize("mode", ["sentences", "tokens:3", "tokens:12", "tokens:1000"])
def test_every_span_survives_chunking_at_its_article_offsets(mode: str) -> None:
    rec = record()
    lines = list(lines_of(rec, ExportOptions(format="spans", chunk=mode), Tally()))
    assert _spans_back(lines) == {(a, b, label) for a, b, _, label in rec.spans}
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == [f"a-1#{n}" for n in range(len(lines))]
    assert {json.loads(line)["article"] for line in lines} == {"a-1"}


def test_token_chunks_respect_the_limit_except_to_keep_a_span_whole() -> None:
    text = "Satu dua tiga. Empat lima enam tujuh delapan sembilan sepuluh. Sebelas."
    spans = (ExportSpan(text.index("lima"), text.index("tujuh") + 5, "entity", "ORG"),)
    ranges = chunk_ranges(text, spans, ChunkMode("tokens", 4))
    for start, end in ranges:
        inside = start <= spans[0].start and spans[0].end <= end
        assert len(token_offsets(text[start:end])) <= 4 or inside
    for start, end in ranges:
        assert not (start < spans[0].start < end < spans[0].end)  # never cut
    assert "".join(text[a:b] for a, b in ranges).replace(" ", "") == text.replace(" ", "")


def test_sentences_do_not_end_inside_a_span() -> None:
    text = "Dr. Retno bertemu A.S. kemarin. Lalu pulang."
    spans = (ExportSpan(text.index("A.S."), text.index("A.S.") + 4, "entity", "GPE"),)
    found = [text[a:b] for a, b in sentence_ranges(text, spans)]
    assert "A.S. kemarin." in " ".join(found)
    assert all("A.S." not in s or "A.S. kemarin" in s for s in found)


def test_ner_bio_chunks_carry_article_and_offset() -> None:
    options = ExportOptions(format="ner-bio", chunk="sentences", tag_strings=True)
    lines = list(lines_of(record(), options, Tally()))
    assert len(lines) == len([x for x in TEXT.split("\n") if x.strip()])
    for line in lines:
        assert isinstance(line, dict)
        assert TEXT[line["offset"] : line["offset"] + len(line["text"])] == line["text"]


def test_chunking_is_refused_for_per_article_formats() -> None:
    with pytest.raises(ValueError, match="--chunk goes with"):
        ExportOptions(format="stance", chunk="sentences").validate()
    with pytest.raises(ValueError, match="tokens:N"):
        ExportOptions(format="spans", chunk="tokens:0").validate()
    assert chunks_of("", (), ChunkMode("sentences")) == []
