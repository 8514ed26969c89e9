"""Labels and stances carried to near-duplicates (``storage/propagation.py``,
``storage/stance_proposals.py``): stored as suggestions and proposals, accepted with their
origin or rejected like any other, never twice."""

from __future__ import annotations

from pathlib import Path

from storage import Project
from tests.fixtures.rewrites import corpus
from tests.storage.neardup_helpers import by_external_id, write_texts


def test_labels_carry_to_near_duplicates_as_suggestions_accepted_or_rejected_like_any(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(6, stories=1, rewrites=(4, 4), reports=(1, 1), background=3)
    path = write_texts(tmp_path / "c.jsonl", [a.text for a in articles], "c")
    project.imports.import_files([path], detect=False)
    ids = by_external_id(project)
    original = next(a for a in articles if a.kind == "original")
    source_id = ids[f"c{original.index}"]
    for start, end, label in original.spans:
        project.labels.add_span(
            source_id, annotator="ani", layer="entity", label=label, start=start, end=end
        )
    report = project.near_duplicates.propagate_labels(annotator="ani")
    assert report.sources == 1 and report.targets == 4
    assert report.placed > 0 and report.stored == report.placed
    # a span is placed, or not; two placed on one spot count once
    assert report.placed + report.unplaced <= 4 * len(original.spans)
    assert report.placed + report.unplaced >= 4 * len(original.spans) - 5
    assert "could not be placed" in report.summary()
    report_row = next(a for a in articles if a.kind == "report")
    assert (
        project.suggestions.suggestions(ids[f"c{report_row.index}"]) == []
    )  # same event, not a rewrite
    rewrite = next(a for a in articles if a.kind in ("light", "spinner"))
    target = ids[f"c{rewrite.index}"]
    carried = project.suggestions.suggestions(target, annotator="ani")
    assert carried and {s.source for s in carried} == {"near-duplicate"}
    gold = {(s, e, label) for s, e, label in rewrite.spans}
    assert all((s.start, s.end, s.label) in gold for s in carried)
    span = project.suggestions.accept_suggestion(carried[0].id, annotator="ani")
    assert span.origin == "suggestion:near-duplicate"
    project.suggestions.reject_suggestion(carried[1].id, annotator="ani")
    again = project.near_duplicates.propagate_labels(annotator="ani", article_ids=[source_id])
    assert again.stored == 0  # stored ones are not stored twice, the rejected one stays out
    pending = project.suggestions.suggestions(target, annotator="ani")
    assert len(pending) == len(carried) - 2


def test_a_stance_carries_as_a_proposal_accepted_with_its_origin_or_rejected(
    project: Project, tmp_path: Path
) -> None:
    articles = corpus(7, stories=1, rewrites=(3, 3), reports=(1, 1), background=3)
    # Hard text in every article: emoji, CJK Extension B, right-to-left, CRLF line ends.
    hard = "👩🏽‍🔬 𠮷野 مرحبا بالعالم\r\n"
    path = write_texts(tmp_path / "c.jsonl", [hard + a.text for a in articles], "c")
    project.imports.import_files([path], detect=False)
    ids = by_external_id(project)
    original = next(a for a in articles if a.kind == "original")
    source_id = ids[f"c{original.index}"]
    project.near_duplicates.update_near_duplicates()
    group = next(g for g in project.near_duplicates.near_duplicate_groups() if source_id in g)
    assert len(group) == 4
    project.labels.set_doc_label(source_id, annotator="ani", key="stance:main", value="against")
    report = project.near_duplicates.propagate_labels(annotator="ani")
    assert report.sources == 1 and report.targets == 3 and report.placed == 0
    assert report.stances == 3 and report.stances_stored == 3
    assert "3 stances carried (3 new)" in report.summary()
    others = [g for g in group if g != source_id]
    for target in others:
        (proposal,) = project.suggestions.doc_suggestions(target, annotator="ani")
        assert (proposal.key, proposal.value, proposal.source, proposal.score) == (
            "stance:main",
            "against",
            "near-duplicate",
            1.0,
        )
        shown = project.learning.stance_proposals(target, annotator="ani")
        assert shown == {"main": proposal}
    report_row = next(a for a in articles if a.kind == "report")
    assert project.suggestions.doc_suggestions(ids[f"c{report_row.index}"]) == []

    accepted, rejected, left = others
    (sg,) = project.suggestions.doc_suggestions(accepted, annotator="ani")
    assert project.suggestions.accept_doc_suggestion(sg, annotator="ani") is None
    assert project.labels.doc_labels(accepted, annotator="ani") == {"stance:main": "against"}
    assert project.labels.doc_label_origins(accepted, annotator="ani") == {
        "stance:main": "suggestion:near-duplicate"
    }
    assert project.suggestions.doc_suggestions(accepted, annotator="ani") == []  # decided
    assert project.suggestions.doc_suggestions(accepted, annotator="budi") != []  # not theirs
    rejection = project.suggestions.reject_doc_suggestion(
        rejected, annotator="ani", key="stance:main", value="against"
    )
    assert project.learning.stance_proposals(rejected, annotator="ani") == {}
    again = project.near_duplicates.propagate_labels(annotator="ani", article_ids=[source_id])
    assert again.stances == 3 and again.stances_stored == 0  # nothing twice, none rejected
    assert project.suggestions.doc_suggestions(rejected, annotator="ani") == []
    project.suggestions.remove_doc_rejections([rejection])  # undo of the reject
    assert len(project.suggestions.doc_suggestions(rejected, annotator="ani")) == 1
    # The proposal is one: a manual stance on another rewrite halves its share and adds
    # the other value beside it.
    project.labels.set_doc_label(accepted, annotator="ani", key="stance:main", value="neutral")
    assert project.labels.doc_label_origins(accepted, annotator="ani") == {"stance:main": "manual"}
    project.near_duplicates.propagate_labels(annotator="ani")
    pending = project.suggestions.doc_suggestions(left, annotator="ani")
    assert sorted((p.value, p.score) for p in pending) == [("against", 0.5), ("neutral", 0.5)]


def test_a_stance_proposal_with_an_unknown_target_or_option_stores_nothing(
    project: Project,
) -> None:
    from core.models import NewArticle
    from storage import LabelError

    project.imports.store_articles([NewArticle(text="one two three")])
    (aid,) = project.article_ids()
    for key, value in (("stance:nope", "against"), ("stance:main", "maybe")):
        try:
            project.suggestions.add_doc_suggestions(
                aid, [("stance:main", "favour", 1.0), (key, value, 1.0)], source="near-duplicate"
            )
        except LabelError as exc:
            assert key in str(exc) or value in str(exc)
        else:
            raise AssertionError("a bad proposal was stored")
    assert project.suggestions.doc_suggestions(aid) == []


def test_stance_labels_of_a_version_9_project_are_manual_after_the_migration(
    tmp_path: Path,
) -> None:
    from storage.database import open_database
    from storage.migrations import migrate

    path = tmp_path / "old.tandai"
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=9)  # the version before document-label suggestions
    db.execute_sql(
        "INSERT INTO article (external_id, content_hash, title, url, source, published,"
        " meta, created) VALUES ('a1', 'h1', 'Lama', '', 'x', '', '{}', '2024-01-01')"
    )
    db.execute_sql("INSERT INTO article_text (article_id, text) VALUES (1, 'Kabar lama 𠮷')")
    db.execute_sql("INSERT INTO annotator (name, created) VALUES ('ani', '2024-01-01')")
    db.execute_sql(
        "INSERT INTO doc_label (article_id, annotator_id, key, value, created, updated)"
        " VALUES (1, 1, 'stance:main', 'favour', '2024-01-01', '2024-01-01')"
    )
    db.close()
    with Project.open(path) as project:
        assert project.labels.doc_label_origins(1, annotator="ani") == {"stance:main": "manual"}
        assert project.suggestions.add_doc_suggestions(
            1, [("stance:main", "against", 0.5)], source="near-duplicate"
        )
        assert [s.value for s in project.suggestions.doc_suggestions(1)] == ["against"]
