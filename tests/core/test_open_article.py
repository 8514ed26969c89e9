"""The open article as a plain object: what a key means ("the suggestion under the cursor",
"the next one") decided on code points, without Qt."""

from __future__ import annotations

from core.edits import stance_key, stances
from core.models import Article, Span, Suggestion
from core.open_article import OpenArticle

TEXT = "Pemadam 👨🏻‍🚒 tiba di 𠮷野.\nBaca juga: Banjir\nBaca juga: Banjir"


def article(text: str = TEXT) -> Article:
    return Article(1, "", "t", text, "", "", "", "id", None, {})


def sg(
    start: int,
    end: int,
    *,
    layer: str = "boilerplate",
    label: str = "boilerplate",
    source: str = "lexicon",
) -> Suggestion:
    return Suggestion(0, 1, layer, label, start, end, source, 1.0)


def test_the_suggestion_under_the_cursor_is_the_shortest_and_next_wraps_round() -> None:
    first = TEXT.index("Baca")
    second = TEXT.index("Baca", first + 1)
    inner = sg(first + 11, first + 17, layer="entity", label="LOC", source="patterns")
    model = OpenArticle(
        article(),
        suggestions=[sg(first, first + 17), inner, sg(second, len(TEXT))],
    )
    assert model.suggestion_at(first + 12, first + 12) == inner
    assert model.suggestion_at(first, first + 17).layer == "boilerplate"  # exactly selected
    assert model.suggestion_at(0, 3) is None
    assert model.next_suggestion(0).start == first
    assert model.next_suggestion(second).start == first  # wraps round
    assert model.next_suggestion(first, inclusive=True).start == first
    assert model.next_suggestion(first, backwards=True).start == second  # wraps back
    assert [s.source for s in model.suggestions_at(first + 12)] == ["lexicon", "patterns"]


def test_sources_proposing_the_same_line_count_once() -> None:
    start = TEXT.index("Baca")
    model = OpenArticle(
        article(), suggestions=[sg(start, start + 17), sg(start, start + 17, source="shape")]
    )
    assert model.pending_count() == 1


def test_spans_entity_strings_lines_and_stance_on_code_points() -> None:
    start = TEXT.index("𠮷野")
    spans = [
        Span(1, 1, "ani", "entity", "GPE", start, start + 2),
        Span(2, 1, "ani", "boilerplate", "boilerplate", 0, 7),
    ]
    model = OpenArticle(article(), spans, stances({stance_key("main"): "favour", "x": "y"}))
    assert model.entity_strings() == {("𠮷野", "GPE")}
    assert [s.id for s in model.spans_at(start + 1)] == [1]
    assert [s.id for s in model.layer("boilerplate")] == [2]
    assert model.stance == {"main": "favour"}
    assert model.lines.touched_lines(start, start) == [(0, TEXT.index("\n"))]
