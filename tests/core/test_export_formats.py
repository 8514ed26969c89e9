"""Export formats on hard text: offsets, clean remapping, BIO agreement, lines."""

from __future__ import annotations

import json

from core.export.bio import bio_tags, spans_from_tags, tag_names
from core.export.clean import clean_text
from core.export.formats import Tally, line_labels, lines_of
from core.export.records import JSONL_FORMATS, ExportOptions, ExportRecord, ExportSpan

TEXT = (
    "Presiden Joko Widodo 👨🏻‍🚒 tiba di 𠮷野家.\n"
    "Saksikan video di bawah ini:\n"
    "قال مسؤول كبير في القاهرة\n"
    "Le café\u0301 de Paris est fermé.\n"
    "(luc/luc)"
)


def at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def record(**kw: object) -> ExportRecord:
    spans = [
        ExportSpan(*at(TEXT, "Joko Widodo"), "entity", "PER"),
        ExportSpan(*at(TEXT, "𠮷野家"), "entity", "ORG"),
        ExportSpan(*at(TEXT, "Saksikan video di bawah ini:"), "boilerplate", "boilerplate"),
        ExportSpan(*at(TEXT, "القاهرة"), "entity", "GPE"),
        ExportSpan(*at(TEXT, "café\u0301 de Paris"), "entity", "LOC"),
        ExportSpan(*at(TEXT, "(luc/luc)"), "boilerplate", "boilerplate"),
        ExportSpan(*at(TEXT, "luc/luc"), "entity", "MISC"),
    ]
    base = dict(
        article_id=1,
        uid="a-1",
        text=TEXT,
        title="t",
        url="",
        source="s",
        published="",
        lang="id",
        meta={},
        annotator="alice",
        status="done",
        spans=tuple(sorted(spans, key=lambda s: (s.start, s.end))),
        doc_labels={"stance:main": "favour"},
    )
    base.update(kw)
    return ExportRecord(**base)


def as_objects(lines: list) -> list[dict]:
    """Lines as objects; a pre-encoded line must be exactly what json.dumps would write."""
    out = []
    for line in lines:
        if isinstance(line, str):
            obj = json.loads(line)
            assert json.dumps(obj, ensure_ascii=False) == line
            line = obj
        out.append(line)
    return out


def test_every_format_writes_spans_whose_text_is_the_text_at_their_offsets() -> None:
    for fmt in JSONL_FORMATS:
        for clean in (False, True) if fmt != "boilerplate-lines" else (False,):
            options = ExportOptions(format=fmt, clean=clean, tokens=True)
            lines = as_objects(list(lines_of(record(), options, Tally())))
            assert lines, fmt
            for line in lines:
                for span in line.get("spans", []):
                    assert line["text"][span["start"] : span["end"]] == span["text"]
                for token in line.get("tokens", []):
                    if isinstance(token, dict):
                        assert line["text"][token["start"] : token["end"]] == token["text"]


def test_clean_text_remaps_surviving_entities_and_drops_those_cut_by_boilerplate() -> None:
    cleaned = clean_text(TEXT, record().spans)
    assert "Saksikan" not in cleaned.text and "(luc/luc)" not in cleaned.text
    assert "\n\n" not in cleaned.text  # whole boilerplate lines leave no blank line
    assert {cleaned.text[s.start : s.end] for s in cleaned.spans} == {
        "Joko Widodo",
        "𠮷野家",
        "القاهرة",
        "café\u0301 de Paris",
    }
    assert cleaned.dropped == 1  # MISC "luc/luc" sat inside the editor tag


def test_clean_text_drops_an_entity_that_only_partly_overlaps_boilerplate() -> None:
    text = "Kata Budi Santoso kemarin"
    spans = [ExportSpan(5, 17, "entity", "PER"), ExportSpan(10, 25, "boilerplate", "boilerplate")]
    cleaned = clean_text(text, spans)
    assert cleaned.text == "Kata Budi"
    assert cleaned.spans == () and cleaned.dropped == 1


def test_bio_tags_agree_with_the_spans_token_by_token() -> None:
    rec = record()
    tagged = bio_tags(rec.text, rec.spans)
    rebuilt = spans_from_tags(tagged.tags)
    got = {(tagged.tokens[a].start, tagged.tokens[b - 1].end, label) for a, b, label in rebuilt}
    want = {(s.start, s.end, s.label) for s in rec.spans if s.layer == "entity"}
    assert got == want and tagged.dropped == 0
    assert all(t == "O" or t[2:] in {"PER", "ORG", "GPE", "LOC", "MISC"} for t in tagged.tags)


def test_tag_names_start_with_o_and_pair_b_and_i_in_schema_order() -> None:
    assert tag_names(["PER", "ORG"]) == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]


def test_spans_from_tags_reads_bioes_and_a_stray_inside_tag() -> None:
    assert spans_from_tags(["S-PER", "O", "B-ORG", "E-ORG", "I-LOC", "I-LOC"]) == [
        (0, 1, "PER"),
        (2, 4, "ORG"),
        (4, 6, "LOC"),
    ]


def test_boilerplate_lines_are_labelled_by_what_covers_most_of_them() -> None:
    found = line_labels(TEXT, record().spans)
    lines, labels = found.lines, found.labels
    assert lines[1] == "Saksikan video di bawah ini:" and labels[1] == 1
    assert labels == [0, 1, 0, 0, 1]
    assert [TEXT[a:b] for a, b in zip(found.starts, found.ends, strict=True)] == lines


def test_stance_format_writes_one_line_per_target_with_clean_text_on_request() -> None:
    lines = list(lines_of(record(), ExportOptions(format="stance", clean=True), Tally()))
    assert [(x["id"], x["target"], x["label"]) for x in lines] == [("a-1", "main", "favour")]
    assert "Saksikan" not in lines[0]["text"]


def test_spans_with_tokens_give_inclusive_token_indices_that_cover_each_span() -> None:
    (line,) = as_objects(
        list(lines_of(record(), ExportOptions(format="spans", tokens=True), Tally()))
    )
    tokens = line["tokens"]
    for span in line["spans"]:
        if span["layer"] != "entity":
            continue
        first, last = tokens[span["token_start"]], tokens[span["token_end"]]
        assert (first["start"], last["end"]) == (span["start"], span["end"])


def test_conll_blocks_have_one_sentence_per_line_and_a_tag_per_token() -> None:
    (block,) = lines_of(record(), ExportOptions(format="conll"), Tally())
    assert isinstance(block, str)
    header, *sentences = block.rstrip("\n").split("\n\n")
    assert header == "-DOCSTART- -X- O O"
    assert len(sentences) == len([line for line in TEXT.split("\n") if line.strip()])
    rows = [row.split(" ") for sentence in sentences for row in sentence.split("\n")]
    assert all(len(row) == 4 and row[1:3] == ["-X-", "_"] for row in rows)
    tagged = [(row[0], row[3]) for row in rows if row[3] != "O"]
    assert tagged[:2] == [("Joko", "B-PER"), ("Widodo", "I-PER")]


def test_the_card_warns_of_labels_missing_from_a_split_or_skewed() -> None:
    import datetime as dt

    from core.export.card import render

    train, test = Tally(), Tally()
    train.spans.update({("entity", "PER"): 40, ("entity", "GPE"): 40, ("entity", "ORG"): 5})
    test.spans.update({("entity", "PER"): 18, ("entity", "GPE"): 2})
    card = render(
        project="p",
        options=ExportOptions(split=(("train", 0.8), ("test", 0.2))),
        files={"train": "train.jsonl", "test": "test.jsonl"},
        tallies={"train": train, "test": test},
        articles=10,
        groups=None,
        when=dt.datetime(2026, 1, 1),
        label_definitions={"PER": "a person", "GPE": ""},
    )
    assert "- Warning: `ORG` does not occur in `test` (5 in all)" in card
    assert "- Warning: `GPE` is skewed in `test`: 10.0% of its labels" in card
    assert "`PER` is skewed" not in card  # 90 % of test against 55 % overall: under 2x
    assert "- `PER`: a person" in card
