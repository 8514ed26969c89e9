"""The one write: edit sets stored in one transaction, reported item by item; roles and who
is editing, on SQLite (a claimed name) and PostgreSQL (the login)."""

from __future__ import annotations

from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

from core.edits import LEAD, EditSet, NewSpan, StatusEdit, restore, stance_key
from core.models import NewArticle
from storage import AccessDenied, LabelError, Project, ProjectError
from tests.conftest import postgres_url_or_skip

TEXT = "Joko Widodo bertemu Prabowo di Jakarta 👨🏻‍🚒 pada hari Senin."


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


def articles(project: Project, n: int = 2) -> list[int]:
    project.imports.store_articles(NewArticle(text=f"{TEXT} ({i})") for i in range(n))
    return list(project.article_ids())


def test_many_sets_go_in_one_transaction_and_each_refusal_is_reported(project: Project) -> None:
    one, two = articles(project)
    results = project.edits.apply_edit_sets(
        [
            EditSet(one, "ani", add=(NewSpan("entity", "PER", *at("Joko Widodo")),)),
            EditSet(
                one,
                "ani",
                add=(
                    NewSpan("entity", "ORG", *at("Widodo")),  # overlaps the set before
                    NewSpan("entity", "GPE", *at("Jakarta"), origin="imported"),
                ),
            ),
            EditSet(two, "budi", doc=((stance_key("main"), "favour"),), status=StatusEdit("done")),
            EditSet(999, "ani", add=(NewSpan("entity", "PER", 0, 4),)),
        ]
    )
    assert [len(r.added) for r in results] == [1, 1, 0, 0]
    assert [r.code for r in results[1].refused] == ["overlap"]
    assert results[3].refused[0].reason == "no article with id 999"
    assert results[2].doc_before == {"stance:main": None}
    assert results[2].status_before is not None and results[2].status_before.status == "todo"
    assert [(s.label, s.origin) for s in project.labels.spans(one)] == [
        ("PER", "manual"),
        ("GPE", "imported"),
    ]
    assert project.labels.progress(two, annotator="budi").status == "done"


def test_strict_refuses_the_whole_call_and_stores_nothing(project: Project) -> None:
    one, two = articles(project)
    with pytest.raises(LabelError, match="unknown entity label 'NOPE'"):
        project.edits.apply_edit_sets(
            [
                EditSet(one, "ani", add=(NewSpan("entity", "PER", 0, 4),)),
                EditSet(two, "ani", add=(NewSpan("entity", "NOPE", 0, 4),)),
            ],
            strict=True,
        )
    assert project.labels.spans(one) == [] and project.labels.spans(two) == []


def test_accept_delete_and_undo_bring_the_span_back_with_its_origin(project: Project) -> None:
    (aid,) = articles(project, 1)
    project.suggestions.add_suggestions(
        aid, [("entity", "GPE", *at("Jakarta"), 0.9)], source="model"
    )
    [sg] = project.suggestions.suggestions(aid, annotator="ani")
    accepted = project.suggestions.accept_suggestion(sg.id, annotator="ani")
    assert accepted.origin == "suggestion:model"
    removed = project.labels.delete_span(accepted.id)
    assert removed == accepted
    back = project.edits.apply_edits(restore(removed)).added
    assert back == [accepted] and project.labels.spans(aid) == [accepted]


def test_bulk_accept_and_its_undo_go_through_the_rule(project: Project) -> None:
    (aid,) = articles(project, 1)
    project.labels.add_span(aid, annotator="ani", layer="entity", label="PER", start=0, end=4)
    project.suggestions.add_suggestions(
        aid,
        [
            ("entity", "PER", *at("Joko Widodo"), 0.9),  # overlaps the stored span
            ("entity", "GPE", *at("Jakarta"), 0.9),
            ("entity", "LOC", *at("Prabowo"), 0.9),
        ],
        source="model",
    )
    result = project.suggestions.accept_all(annotator="ani", source="model")
    assert (result.done, result.skipped) == (2, 1)
    assert project.suggestions.remove_spans([*result.span_ids, 10_000]) == 2
    assert [s.label for s in project.labels.spans(aid)] == ["PER"]


def test_without_a_lead_the_project_is_open_to_every_edit(project_target: str) -> None:
    with Project.create(project_target) as project:
        (aid,) = articles(project, 1)
        assert project.edits.roles() == {}
        project.labels.add_span(aid, annotator="budi", layer="entity", label="PER", start=0, end=4)
        project.edits.set_role("ani", "annotator")  # roles without a lead still guard nothing
        project.labels.add_span(aid, annotator="cici", layer="entity", label="PER", start=0, end=4)


def test_on_sqlite_an_annotator_edits_only_their_own_labels_once_there_is_a_lead(
    tmp_path,
) -> None:
    path = tmp_path / "team.tandai"
    with Project.create(path, user="lea") as project:
        (aid,) = articles(project, 1)
        span = project.labels.add_span(
            aid, annotator="budi", layer="entity", label="PER", start=0, end=4
        )
        project.edits.set_role("lea", LEAD)
        project.edits.set_role("ani", "annotator")
        assert project.edits.roles() == {"ani": "annotator", "lea": "lead"}
    with Project.open(path, user="ani") as project:
        assert project.edits.acting_as == "ani" and project.edits.role("ani") == "annotator"
        own = project.labels.add_span(
            aid, annotator="ani", layer="entity", label="ORG", start=0, end=4
        )
        project.labels.set_doc_label(aid, annotator="ani", key="stance:main", value="favour")
        with pytest.raises(AccessDenied, match="ani may not change budi's labels"):
            project.labels.delete_span(span.id)
        with pytest.raises(AccessDenied):
            project.labels.relabel_span(span.id, "ORG")
        with pytest.raises(AccessDenied):
            project.labels.set_status(aid, annotator="budi", status="done")
        with pytest.raises(AccessDenied, match="only a lead may"):
            project.edits.set_role("ani", LEAD)
        project.edits.act_as(None)
        with pytest.raises(AccessDenied, match="who is editing is unknown"):
            project.labels.delete_span(own.id)
        project.edits.act_as("lea")  # a claim nothing checks on a desktop file (see README)
        project.labels.relabel_span(span.id, "ORG")
        project.labels.delete_span(own.id)
        project.edits.set_role("lea", None)  # the last lead leaves: the project is open again
        project.edits.act_as("budi")
        project.labels.add_span(aid, annotator="cici", layer="entity", label="PER", start=0, end=4)
    with Project.open(path) as project:
        assert [(s.annotator, s.label) for s in project.labels.spans(aid)] == [
            ("budi", "ORG"),
            ("cici", "PER"),
        ]


def _login_url(url: str, user: str) -> str:
    parts = urlparse(url)
    netloc = f"{user}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunparse(parts._replace(netloc=netloc))


def _pg_user(url: str, name: str) -> str:
    """A login role of the test server, allowed to use the (freshly made) tables."""
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE ROLE "{name}" LOGIN')
            cur.execute(f'GRANT ALL ON SCHEMA public TO "{name}"')
            cur.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"')
            cur.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{name}"')
    finally:
        conn.close()
    return _login_url(url, name)


@pytest.mark.postgres
def test_on_postgresql_the_login_is_who_edits_and_cannot_be_claimed_otherwise() -> None:
    url = postgres_url_or_skip()
    ana, lea = "tandai_editpath_ana", "tandai_editpath_lea"
    with Project.create(url) as project:
        (aid,) = articles(project, 1)
        span = project.labels.add_span(
            aid, annotator="budi", layer="entity", label="PER", start=0, end=4
        )
        project.annotator_id(ana)
        project.annotator_id(lea)
    ana_url, lea_url = _pg_user(url, ana), _pg_user(url, lea)
    with Project.open(lea_url) as project:
        assert project.edits.acting_as == lea
        project.edits.set_role(lea, LEAD)
        project.edits.set_role(ana, "annotator")
    with pytest.raises(ProjectError, match="on a server you edit as the user you log in as"):
        Project.open(ana_url, user=lea)
    with Project.open(ana_url) as project:
        assert project.edits.acting_as == ana
        with pytest.raises(ProjectError, match="log in as"):
            project.edits.act_as(lea)
        project.labels.add_span(aid, annotator=ana, layer="entity", label="ORG", start=0, end=4)
        with pytest.raises(AccessDenied, match=f"{ana} may not change budi's labels"):
            project.labels.relabel_span(span.id, "ORG")
    with Project.open(lea_url) as project:
        project.labels.relabel_span(span.id, "ORG")
        assert {(s.annotator, s.label) for s in project.labels.spans(aid)} == {
            ("budi", "ORG"),
            (ana, "ORG"),
        }


def test_bulk_accept_and_labelled_import_into_someone_elses_labels_are_refused_whole(
    tmp_path,
) -> None:
    path = tmp_path / "team.tandai"
    with Project.create(path, user="lea") as project:
        (aid,) = articles(project, 1)
        project.suggestions.add_suggestions(
            aid, [("entity", "GPE", *at("Jakarta"), 0.9)], source="model"
        )
        project.edits.set_role("lea", LEAD)
    labelled = tmp_path / "l.jsonl"
    labelled.write_text('{"text": "Budi datang.", "label": [[0, 4, "PER"]]}\n', encoding="utf-8")
    with Project.open(path, user="ani") as project:
        with pytest.raises(AccessDenied):
            project.suggestions.accept_all(annotator="budi")
        with pytest.raises(AccessDenied):
            project.imports.import_labelled([labelled], annotator="budi", detect=False)
        assert project.count_articles() == 1  # refused before anything was stored
        assert project.suggestions.accept_all(annotator="ani").done == 1
        assert [s.annotator for s in project.labels.spans(aid)] == ["ani"]


def test_a_bulk_write_without_spans_back_stores_the_same_spans_and_counts_them(
    project: Project,
) -> None:
    a, b = articles(project)
    spans = (
        NewSpan("entity", "GPE", *at("Jakarta"), origin="adjudicated:ana+budi"),
        NewSpan("entity", "GPE", *at("Jakarta"), origin="adjudicated:ana+budi"),  # a copy
        NewSpan("boilerplate", "boilerplate", 0, 5, origin="adjudicated:ana+budi"),
    )
    quick = project.edits.apply_edit_sets([EditSet(a, "gold", add=spans)], spans_back=False)
    full = project.edits.apply_edit_sets([EditSet(b, "gold", add=spans)])
    assert quick[0].added == [] and quick[0].stored == 2 == full[0].stored == len(full[0].added)
    assert [r.code for r in quick[0].refused] == [r.code for r in full[0].refused] == ["duplicate"]

    def stored(aid: int) -> list[tuple[str, str, int, int, str]]:
        return sorted(
            (s.layer, s.label, s.start, s.end, s.origin)
            for s in project.labels.spans(aid, annotator="gold")
        )

    assert stored(a) == stored(b) and len(stored(a)) == 2
