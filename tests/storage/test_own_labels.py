"""What an annotator's labels teach the own-labels suggester lasts as long as the labels:
undo (delete), relabel and reject take it back across the project in the same write, and a
rejected string is never suggested again for that label — checked in the file, on SQLite
and PostgreSQL."""

from __future__ import annotations

from core.edits import EditSet
from core.models import NewArticle
from storage import Project

TEXTS = [
    "Presiden Donald Trump tiba di Jakarta, Rabu (18/12/2024) pagi.",
    "Trump bertemu menteri, Rabu (18/12/2024) siang.",
    "Kata Trump kepada wartawan: Trump tidak hadir.",
]


def setup(project: Project) -> list[int]:
    project.store_articles([NewArticle(text=t, source="uji") for t in TEXTS])
    return sorted(project.article_ids())


def own(project: Project, label: str | None = None) -> list[tuple[int, str, str]]:
    """(article, string, label) of every stored own-labels suggestion."""
    out = []
    for aid in project.article_ids():
        text = project.article(aid).text
        for s in project.suggestions(aid, sources=["own-labels"]):
            if label is None or s.label == label:
                out.append((aid, text[s.start : s.end], s.label))
    return sorted(out)


def label(project: Project, aid: int, phrase: str, lab: str, annotator: str = "ani"):
    start = project.article(aid).text.index(phrase)
    span = project.add_span(
        aid, annotator=annotator, layer="entity", label=lab, start=start, end=start + len(phrase)
    )
    project.suggest_from_label(phrase, lab)
    return span


def test_deleting_the_only_teacher_takes_its_suggestions_back_everywhere(
    project: Project,
) -> None:
    ids = setup(project)
    span = label(project, ids[0], "Trump", "PER")
    assert len(own(project)) == 4  # every "Trump", the labelled one included
    project.delete_span(span.id)
    assert own(project) == []
    project.run_suggesters(sources=["own-labels"])
    assert own(project) == []  # the project-wide run learns only from labels that exist


def test_a_second_teacher_keeps_the_suggestions_until_it_goes_too(project: Project) -> None:
    ids = setup(project)
    first = label(project, ids[0], "Trump", "PER")
    second = label(project, ids[2], "Trump", "PER", annotator="budi")
    project.delete_span(first.id)
    assert len(own(project)) == 4
    project.delete_span(second.id)
    assert own(project) == []


def test_relabelling_takes_back_the_old_label_only(project: Project) -> None:
    ids = setup(project)
    span = label(project, ids[0], "Trump", "ORG")
    project.relabel_span(span.id, "PER")
    assert own(project, "ORG") == []
    project.suggest_from_label("Trump", "PER")
    assert {lab for _a, _s, lab in own(project)} == {"PER"}


def test_one_bulk_undo_takes_back_every_string_in_one_write(project: Project) -> None:
    ids = setup(project)
    a = label(project, ids[0], "Trump", "PER")
    b = label(project, ids[0], "Rabu", "ORG")
    assert own(project, "ORG") != []
    project.apply_edit_sets([EditSet(ids[0], "ani", delete=(a.id, b.id))])
    assert own(project) == []


def test_a_rejected_string_is_never_suggested_again_for_that_label(project: Project) -> None:
    ids = setup(project)
    label(project, ids[0], "Rabu", "ORG")
    before = own(project)
    assert [(a, s) for a, s, _l in before] == [(ids[0], "Rabu"), (ids[1], "Rabu")]
    other = next(s for s in project.suggestions(ids[1], sources=["own-labels"]))
    rejection = project.reject_suggestion(other.id, annotator="ani")
    assert own(project) == []  # in every article, at once
    assert project.suggest_from_label("Rabu", "ORG") == 0
    project.run_suggesters(sources=["own-labels"])
    assert own(project) == []
    with Project.open(project.target) as again:  # kept in the project
        assert ("ORG", "Rabu") in again.rejected_phrases()
    project.remove_rejections([rejection])  # undo of the reject
    assert [(a, s) for a, s, _l in own(project)] == [
        (ids[0], "Rabu"),
        (ids[1], "Rabu"),
    ]


def test_a_late_background_search_stores_nothing_once_the_label_is_gone(
    project: Project,
) -> None:
    ids = setup(project)
    start = TEXTS[0].index("Trump")
    span = project.add_span(
        ids[0], annotator="ani", layer="entity", label="PER", start=start, end=start + 5
    )
    project.delete_span(span.id)  # undone before the background search ran
    assert project.suggest_from_label("Trump", "PER") == 0
    assert own(project) == []


def many(project: Project, n: int) -> list[int]:
    """``n`` short articles naming Trump: more than one page of a project-wide run."""
    project.store_articles([NewArticle(text=f"Berita {i}: Trump tiba.") for i in range(n)])
    return sorted(project.article_ids())


def test_a_run_started_before_a_label_was_undone_does_not_store_what_it_taught(
    project: Project,
) -> None:
    ids = many(project, 300)  # two pages
    span = project.add_span(ids[0], annotator="ani", layer="entity", label="PER", start=10, end=15)
    undone = []

    def meanwhile(progress) -> None:  # after the first page: another window undoes the label
        if progress.phase == "suggest" and not undone:
            with Project.open(project.target) as other:
                other.delete_span(span.id)
            undone.append(True)

    project.run_suggesters(sources=["own-labels"], on_progress=meanwhile)
    assert undone
    assert own(project) == []


def test_a_run_keeps_what_a_label_made_meanwhile_taught(project: Project) -> None:
    ids = many(project, 300)
    made = []

    def meanwhile(progress) -> None:  # after the first page: another window labels Trump
        if progress.phase == "suggest" and not made:
            with Project.open(project.target) as other:
                other.add_span(
                    ids[-1], annotator="ani", layer="entity", label="PER", start=12, end=17
                )
                made.append(other.suggest_from_label("Trump", "PER"))

    project.run_suggesters(sources=["own-labels"], on_progress=meanwhile)
    assert made == [300]
    assert len(own(project)) == 300
