"""Spans, stance labels and progress: validated, durable, per annotator, undoable."""

from __future__ import annotations

import pytest

from core.models import NewArticle
from storage import LabelError, Project

TRICKY = "Pemadam 👨🏻‍🚒 𠮷野 bertemu مرحبا بالعالم di Kyïv e\u0301 Jakarta."


@pytest.fixture
def article_id(project: Project) -> int:
    project.store_articles([NewArticle(text=TRICKY, title="Uji")])
    return next(project.article_ids())


def test_span_offsets_are_code_points_of_the_stored_text(project: Project, article_id: int) -> None:
    text = project.article(article_id).text
    assert text == TRICKY
    for needle, label in (
        ("👨🏻‍🚒", "MISC"),
        ("𠮷野", "PER"),
        ("مرحبا", "ORG"),
        ("e\u0301", "MISC"),
        ("Jakarta", "GPE"),
    ):
        start = text.index(needle)
        project.add_span(
            article_id,
            annotator="ani",
            layer="entity",
            label=label,
            start=start,
            end=start + len(needle),
        )
    stored = project.spans(article_id, annotator="ani")
    assert [text[s.start : s.end] for s in stored] == [
        "👨🏻‍🚒",
        "𠮷野",
        "مرحبا",
        "e\u0301",
        "Jakarta",
    ]


def test_overlapping_entity_spans_are_refused_but_boilerplate_may_cover_them(
    project: Project, article_id: int
) -> None:
    project.add_span(article_id, annotator="ani", layer="entity", label="PER", start=0, end=7)
    with pytest.raises(LabelError, match="overlaps the PER span 0–7"):
        project.add_span(article_id, annotator="ani", layer="entity", label="ORG", start=5, end=9)
    project.add_span(article_id, annotator="budi", layer="entity", label="ORG", start=5, end=9)
    project.add_span(
        article_id, annotator="ani", layer="boilerplate", label="boilerplate", start=0, end=20
    )
    assert len(project.spans(article_id)) == 3


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (0, len(TRICKY) + 1), (9, 4)])
def test_spans_outside_the_text_are_refused(
    project: Project, article_id: int, start: int, end: int
) -> None:
    with pytest.raises(LabelError, match="outside its text"):
        project.add_span(
            article_id, annotator="ani", layer="entity", label="PER", start=start, end=end
        )
    assert project.spans(article_id) == []


def test_unknown_entity_label_is_refused(project: Project, article_id: int) -> None:
    with pytest.raises(LabelError, match="unknown entity label"):
        project.add_span(article_id, annotator="ani", layer="entity", label="NOPE", start=0, end=3)


def test_delete_returns_the_span_and_undo_restores_it_under_its_id(
    project: Project, article_id: int
) -> None:
    span = project.add_span(
        article_id, annotator="ani", layer="entity", label="PER", start=0, end=7
    )
    removed = project.delete_span(span.id)
    assert removed == span and project.spans(article_id) == []
    project.add_span(
        article_id,
        annotator=removed.annotator,
        layer=removed.layer,
        label=removed.label,
        start=removed.start,
        end=removed.end,
        span_id=removed.id,
    )
    assert project.spans(article_id) == [span]


def test_relabel_keeps_offsets_and_returns_the_old_label(project: Project, article_id: int) -> None:
    span = project.add_span(
        article_id, annotator="ani", layer="entity", label="PER", start=0, end=7
    )
    assert project.relabel_span(span.id, "ORG").label == "PER"
    assert project.spans(article_id)[0].label == "ORG"


def test_stance_is_one_value_per_target_and_annotator(project: Project, article_id: int) -> None:
    assert (
        project.set_doc_label(article_id, annotator="ani", key="stance:main", value="favour")
        is None
    )
    assert (
        project.set_doc_label(article_id, annotator="ani", key="stance:main", value="against")
        == "favour"
    )
    project.set_doc_label(article_id, annotator="budi", key="stance:main", value="neutral")
    assert project.doc_labels(article_id, annotator="ani") == {"stance:main": "against"}
    with pytest.raises(LabelError, match="not an option"):
        project.set_doc_label(article_id, annotator="ani", key="stance:main", value="maybe")
    project.set_doc_label(article_id, annotator="ani", key="stance:main", value=None)
    assert project.doc_labels(article_id, annotator="ani") == {}


def test_status_keeps_the_note_and_adds_up_time(project: Project, article_id: int) -> None:
    before = project.set_status(
        article_id, annotator="ani", status="flagged", note="typo?", add_seconds=12.5
    )
    assert before.status == "todo"
    project.set_status(article_id, annotator="ani", status="done", add_seconds=2.5)
    progress = project.progress(article_id, annotator="ani")
    assert (progress.status, progress.seconds) == ("done", 15.0)
    with pytest.raises(LabelError, match="unknown status"):
        project.set_status(article_id, annotator="ani", status="finished")


def test_labels_survive_closing_and_reopening(project_target: str) -> None:
    with Project.create(project_target) as project:
        project.store_articles([NewArticle(text=TRICKY)])
        aid = next(project.article_ids())
        project.add_span(aid, annotator="ani", layer="entity", label="GPE", start=0, end=7)
        project.set_doc_label(aid, annotator="ani", key="stance:main", value="neutral")
    with Project.open(project_target) as project:
        assert [(s.label, s.start, s.end) for s in project.spans(aid)] == [("GPE", 0, 7)]
        assert project.doc_labels(aid, annotator="ani") == {"stance:main": "neutral"}


def test_operations_in_one_transaction_are_kept_together_or_not_at_all(
    project: Project, article_id: int
) -> None:
    with project.transaction():
        project.add_span(
            article_id, annotator="ani", layer="boilerplate", label="boilerplate", start=0, end=7
        )
        project.add_span(
            article_id, annotator="ani", layer="boilerplate", label="boilerplate", start=8, end=10
        )
    assert len(project.spans(article_id)) == 2
    with pytest.raises(LabelError), project.transaction():
        project.add_span(article_id, annotator="ani", layer="entity", label="PER", start=0, end=7)
        project.add_span(article_id, annotator="ani", layer="entity", label="ORG", start=3, end=9)
    assert len(project.spans(article_id)) == 2  # the first entity went with the second


def test_an_exact_copy_of_a_stored_boilerplate_span_is_refused(
    project: Project, article_id: int
) -> None:
    project.add_span(
        article_id, annotator="ani", layer="boilerplate", label="boilerplate", start=0, end=7
    )
    with pytest.raises(LabelError, match="already labelled"):
        project.add_span(
            article_id, annotator="ani", layer="boilerplate", label="boilerplate", start=0, end=7
        )
    assert len(project.spans(article_id)) == 1


def test_a_boilerplate_kind_the_schema_does_not_have_is_refused(
    project: Project, article_id: int
) -> None:
    with pytest.raises(LabelError, match="unknown boilerplate kind 'advert'"):
        project.add_span(
            article_id, annotator="ani", layer="boilerplate", label="advert", start=0, end=7
        )
    span = project.add_span(
        article_id, annotator="ani", layer="boilerplate", label="boilerplate", start=0, end=7
    )
    with pytest.raises(LabelError, match="unknown boilerplate kind 'advert'"):
        project.relabel_span(span.id, "advert")
    assert [s.label for s in project.spans(article_id)] == ["boilerplate"]


def test_a_span_whose_id_another_writer_took_is_restored_under_a_new_id(
    project: Project, article_id: int
) -> None:
    first = project.add_span(
        article_id, annotator="ani", layer="entity", label="PER", start=0, end=7
    )
    last = project.add_span(
        article_id, annotator="ani", layer="entity", label="GPE", start=8, end=10, origin="m"
    )
    removed = project.delete_span(last.id)
    # Another window, another annotator: on SQLite it may be given the id just freed.
    other = project.add_span(
        article_id, annotator="budi", layer="entity", label="ORG", start=11, end=13
    )
    back = project.add_span(
        article_id,
        annotator=removed.annotator,
        layer=removed.layer,
        label=removed.label,
        start=removed.start,
        end=removed.end,
        origin=removed.origin,
        span_id=removed.id,
    )
    assert back.id not in (first.id, other.id)
    assert (back.label, back.start, back.end, back.origin) == ("GPE", 8, 10, "m")
    assert sorted(s.id for s in project.spans(article_id)) == sorted({first.id, other.id, back.id})
