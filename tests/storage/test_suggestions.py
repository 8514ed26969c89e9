"""Suggestions: stored apart from labels, validated, never duplicated, rejections remembered."""

from __future__ import annotations

import pytest

from core.models import NewArticle
from storage import LabelError, Project

TRICKY = "Pemadam 👨🏻‍🚒 𠮷野 bertemu مرحبا بالعالم di Kyïv e\u0301 Jakarta.\nBaca juga: Kursk"


@pytest.fixture
def article_id(project: Project) -> int:
    project.store_articles([NewArticle(text=TRICKY, title="Uji")])
    return next(project.article_ids())


def test_suggestions_are_stored_with_code_point_offsets(project: Project, article_id: int) -> None:
    start = TRICKY.index("Jakarta")
    line = TRICKY.index("Baca juga")
    stored = project.add_suggestions(
        article_id,
        [
            ("entity", "GPE", start, start + 7, 0.9),
            ("boilerplate", "boilerplate", line, len(TRICKY), 1.0),
        ],
        source="test",
    )
    assert stored == 2
    got = project.suggestions(article_id)
    assert [TRICKY[s.start : s.end] for s in got] == ["Jakarta", "Baca juga: Kursk"]
    assert got[0].score == pytest.approx(0.9)
    assert project.spans(article_id) == []


def test_exact_duplicates_are_ignored_and_counted_out(project: Project, article_id: int) -> None:
    row = ("entity", "PER", 0, 7, 1.0)
    assert project.add_suggestions(article_id, [row, row], source="model") == 1
    assert project.add_suggestions(article_id, [row], source="model") == 0
    assert project.add_suggestions(article_id, [row], source="other") == 1
    assert len(project.suggestions(article_id)) == 2


def test_suggestions_outside_the_text_store_nothing(project: Project, article_id: int) -> None:
    good = ("entity", "PER", 0, 7, 1.0)
    with pytest.raises(LabelError, match="outside its text"):
        project.add_suggestions(
            article_id, [good, ("entity", "PER", 5, len(TRICKY) + 1, 1.0)], source="m"
        )
    with pytest.raises(LabelError, match="unknown layer"):
        project.add_suggestions(article_id, [("nope", "PER", 0, 3, 1.0)], source="m")
    assert project.suggestions(article_id) == []
