"""Carrying spans to a rewrite: exact text and surroundings, or not at all."""

from __future__ import annotations

from core.propagate import carry, place
from tests.fixtures.rewrites import corpus


def test_a_span_lands_where_its_text_and_surroundings_are_in_code_points() -> None:
    source = "Pemadam 👨🏻‍🚒 tiba. Presiden Joko Widodo tiba di 𠮷野 pada Senin pagi.\nما هذا"
    target = "JAKARTA, BeritaKita.id – 🔥🔥 Intro baru.\r\nPresiden Joko Widodo tiba di 𠮷野 pada Senin pagi."
    start = source.index("Joko Widodo")
    at = place(source, target, start, start + len("Joko Widodo"))
    assert at is not None and target[at : at + 11] == "Joko Widodo"
    cjk = source.index("𠮷野")
    where = place(source, target, cjk, cjk + 2)
    assert where is not None and target[where : where + 2] == "𠮷野"


def test_a_span_whose_surroundings_were_rewritten_or_are_ambiguous_is_not_placed() -> None:
    source = "Kemarin Joko Widodo berkata bahwa harga beras naik lagi."
    rewritten = "Lusa kata Joko Widodo: biaya padi melonjak."
    start = source.index("Joko Widodo")
    assert place(source, rewritten, start, start + 11) is None
    twice = "dan Joko Widodo pun; dan Joko Widodo pun;"
    assert place("x dan Joko Widodo pun; y", twice, 6, 17) is None
    assert place(source, "Tidak ada nama di sini.", start, start + 11) is None
    result = carry(
        source, rewritten, [(start, start + 11, "entity", "PER"), (0, 7, "entity", "DATE")]
    )
    assert result.placed == [] and len(result.unplaced) == 2


def test_a_cluster_of_ten_gets_most_of_its_spans_and_none_wrong() -> None:
    # One original labelled, nine rewrites (light and spinner) to carry to.
    articles = corpus(8, stories=6, rewrites=(9, 9), reports=(0, 0), background=0)
    gold_total = right = wrong = 0
    for original in (a for a in articles if a.kind == "original"):
        spans = [(s, e, "entity", label) for s, e, label in original.spans]
        for other in (a for a in articles if a.family == original.family and a is not original):
            gold = {(s, e, "entity", label) for s, e, label in other.spans}
            placed = carry(original.text, other.text, spans).placed
            gold_total += len(gold)
            right += sum(p in gold for p in placed)
            wrong += sum(p not in gold for p in placed)
    assert gold_total > 500
    assert wrong <= gold_total * 0.002
    assert right / gold_total >= 0.6
