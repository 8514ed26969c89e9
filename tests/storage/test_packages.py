"""Work packages: written per annotator, merged back for their owner only, atomically,
idempotently, refused when from another project or with labels the project lacks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.models import NewArticle
from core.query import ArticleFilter
from core.schema import Schema
from core.suggest.rules import Rule
from storage import Project, ProjectError, package_file_name

TEXTS = [
    "Joko Widodo tiba di Jakarta. 👨🏻‍🚒 Saksikan video di bawah ini:",
    "𠮷野 dan القاهرة disebut dalam laporan.\nBaca juga: harga beras",
    "Prabowo Subianto berbicara di Bandung.",
    "Sri Mulyani mengumumkan dana baru.",
    "Warga Surabaya menunggu bantuan banjir.",
    "Pasar Kyiv dibuka kembali pagi ini.",
]


def team_project(project: Project) -> dict[str, list[int]]:
    """Six articles shared between ana and budi (two of them held by both)."""
    project.imports.store_articles(NewArticle(text=t, title=t[:10]) for t in TEXTS)
    project.set_guidelines("# Pedoman\nTandai nama orang sebagai PER.")
    project.suggestions.add_rule(Rule("prefix", "Baca juga:"))
    project.team.assign(["ana", "budi"], overlap=0.34, per_overlap=2, seed=5)
    return {
        name: [a.id for a in project.list_articles(ArticleFilter(assigned_to=name))]
        for name in ("ana", "budi")
    }


def label(path: Path, annotator: str, article_id: int, **status: object) -> None:
    """What an annotator does in their package: a span, a stance, a status with time."""
    with Project.open(path) as mine:
        length = mine.text_length(article_id)
        mine.labels.add_span(
            article_id,
            annotator=annotator,
            layer="entity",
            label="PER",
            start=0,
            end=min(4, length),
        )
        mine.labels.set_doc_label(
            article_id, annotator=annotator, key="stance:main", value="neutral"
        )
        mine.labels.set_status(article_id, annotator=annotator, **status)  # type: ignore[arg-type]


def test_a_package_holds_the_annotators_articles_schema_guidelines_rules_and_identity(
    project: Project, tmp_path: Path
) -> None:
    queues = team_project(project)
    first = queues["ana"][0]
    project.suggestions.add_suggestions(first, [("entity", "PER", 0, 3, 0.9)], source="gazetteer")
    carried = [("stance:main", "favour", 0.5), ("stance:main", "against", 0.5)]
    project.suggestions.add_doc_suggestions(first, carried, source="near-duplicate")
    project.suggestions.reject_doc_suggestion(
        first, annotator="ana", key="stance:main", value="favour"
    )
    written = project.team.write_packages(tmp_path / "out")
    assert [w.annotator for w in written] == ["ana", "budi"]
    assert [w.path.name for w in written] == ["ana.tandai", "budi.tandai"]
    with Project.open(tmp_path / "out" / "ana.tandai") as pkg:
        info = pkg.team.package_info()
        assert info is not None and info.annotator == "ana"
        assert info.project_id == project.team.project_id() != pkg.team.project_id()
        assert list(pkg.article_ids()) == queues["ana"]
        for aid in queues["ana"]:
            assert pkg.article(aid).text == project.article(aid).text
        assert pkg.schema() == project.schema()
        assert pkg.guidelines() == project.guidelines()
        assert pkg.suggestions.rules() == [Rule("prefix", "Baca juga:")]
        assert pkg.team.assignment_counts() == {"ana": len(queues["ana"])}
        assert [s.source for s in pkg.suggestions.suggestions(first, annotator="ana")] == [
            "gazetteer"
        ]
        proposed = pkg.suggestions.doc_suggestions(first, annotator="ana")
        assert [(p.value, p.source) for p in proposed] == [("against", "near-duplicate")]
    assert project.team.package_info() is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ana.tandai", "budi.tandai"]


def test_merge_brings_back_the_owners_labels_status_note_and_time_once(
    project: Project, tmp_path: Path
) -> None:
    queues = team_project(project)
    project.team.write_packages(tmp_path)
    aid = queues["budi"][0]
    label(tmp_path / "budi.tandai", "budi", aid, status="done", note="cek ejaan", add_seconds=42)
    with Project.open(tmp_path / "budi.tandai") as pkg:  # someone else's label in it
        pkg.labels.add_span(aid, annotator="ana", layer="entity", label="ORG", start=5, end=8)
    report = project.team.merge_package(tmp_path / "budi.tandai")
    assert (report.annotator, report.changed, report.spans_added, report.statuses) == (
        "budi",
        1,
        1,
        1,
    )
    assert report.others_ignored == 1 and "ignored" in report.summary()
    assert [(s.label, s.start, s.end) for s in project.labels.spans(aid)] == [("PER", 0, 4)]
    assert project.labels.doc_labels(aid, annotator="budi") == {"stance:main": "neutral"}
    progress = project.labels.progress(aid, annotator="budi")
    assert (progress.status, progress.note, progress.seconds) == ("done", "cek ejaan", 42)
    again = project.team.merge_package(tmp_path / "budi.tandai")
    assert "nothing new" in again.summary() and again.changed == again.statuses == 0
    assert len(project.labels.spans(aid)) == 1
    assert project.labels.progress(aid, annotator="budi").seconds == 42


def test_a_later_package_replaces_the_owners_labels_on_its_articles_only(
    project: Project, tmp_path: Path
) -> None:
    queues = team_project(project)
    first, later = tmp_path / "first", tmp_path / "later"
    project.team.write_packages(first, annotators=["ana"])
    a0, a1 = queues["ana"][:2]
    label(first / "ana.tandai", "ana", a0, status="done", add_seconds=10)
    label(first / "ana.tandai", "ana", a1, status="flagged", add_seconds=5)
    project.team.merge_package(first / "ana.tandai")
    # Work done live on an article outside the next package must survive its merge.
    outside = next(i for i in project.article_ids() if i not in queues["ana"])
    project.labels.add_span(outside, annotator="ana", layer="entity", label="PER", start=0, end=3)
    project.team.write_packages(later, annotators=["ana"])
    with Project.open(later / "ana.tandai") as pkg:
        assert (
            len(pkg.labels.spans(a0, annotator="ana")) == 1
        )  # the package carries her work so far
        for span in pkg.labels.spans(a0, annotator="ana"):
            pkg.labels.delete_span(span.id)
        pkg.labels.add_span(
            a1, annotator="ana", layer="boilerplate", label="boilerplate", start=5, end=9
        )
        pkg.labels.set_status(a0, annotator="ana", status="skipped", add_seconds=3)
    report = project.team.merge_package(later / "ana.tandai")
    assert (report.changed, report.spans_added, report.spans_removed) == (2, 1, 1)
    assert project.labels.spans(a0, annotator="ana") == []
    assert [s.layer for s in project.labels.spans(a1, annotator="ana")] == ["entity", "boilerplate"]
    assert len(project.labels.spans(outside, annotator="ana")) == 1
    assert project.labels.progress(a0, annotator="ana").status == "skipped"
    assert project.labels.progress(a0, annotator="ana").seconds == 13


def test_a_package_of_another_project_is_refused_and_changes_nothing(
    project: Project, tmp_path: Path
) -> None:
    team_project(project)
    with Project.create(tmp_path / "other.tandai") as other:
        other.imports.store_articles([NewArticle(text=TEXTS[0])])
        other.team.assign(["ana"])
        other.team.write_packages(tmp_path / "o")
    with pytest.raises(ProjectError, match=r"another project .*other.tandai.*Nothing was merged"):
        project.team.merge_package(tmp_path / "o" / "ana.tandai")
    with pytest.raises(ProjectError, match="not a work package"):
        project.team.merge_package(tmp_path / "other.tandai")
    with pytest.raises(ProjectError, match="no such file"):
        project.team.merge_package(tmp_path / "missing.tandai")


def test_labels_the_project_lacks_are_listed_and_added_only_when_asked(
    project: Project, tmp_path: Path
) -> None:
    queues = team_project(project)
    project.team.write_packages(tmp_path)
    path = tmp_path / "ana.tandai"
    with Project.open(path) as pkg:
        data = pkg.schema().to_dict()
        data["entity_labels"].append({"name": "WEAPON", "colour": "#aa3300", "key": ""})
        data["stance_targets"][0]["options"].append({"value": "mixed", "key": ""})
        pkg.set_schema(Schema.from_dict(data))
        pkg.labels.add_span(
            queues["ana"][0], annotator="ana", layer="entity", label="WEAPON", start=0, end=3
        )
    with pytest.raises(ProjectError, match=r"lacks: WEAPON, stance:main=mixed.*--add-labels"):
        project.team.merge_package(path)
    assert project.schema().entity("WEAPON") is None
    assert project.labels.spans(queues["ana"][0]) == []
    report = project.team.merge_package(path, add_labels=True)
    assert report.labels_added == ["WEAPON", "stance:main=mixed"]
    assert project.schema().entity("WEAPON") is not None
    assert [s.label for s in project.labels.spans(queues["ana"][0])] == ["WEAPON"]


def test_merging_is_atomic_a_bad_label_anywhere_stores_nothing(
    project: Project, tmp_path: Path
) -> None:
    queues = team_project(project)
    project.team.write_packages(tmp_path, annotators=["ana"])
    path = tmp_path / "ana.tandai"
    good, bad = queues["ana"][0], queues["ana"][-1]
    label(path, "ana", good, status="done", add_seconds=4)
    # A damaged package: a span beyond its article's end (the app never writes one).
    con = sqlite3.connect(path)
    with con:
        con.execute(
            'INSERT INTO span (article_id, annotator_id, layer, label, start, "end", origin,'
            " created, updated) SELECT ?, id, 'entity', 'PER', 0, 99999, 'manual', '2026-01-01',"
            " '2026-01-01' FROM annotator WHERE name = 'ana'",
            (bad,),
        )
    con.close()
    with pytest.raises(ProjectError, match=r"ana.tandai: .*outside its text.*Nothing was merged"):
        project.team.merge_package(path)
    assert (
        project.labels.spans(good) == []
        and project.labels.progress(good, annotator="ana").status == "todo"
    )


def test_only_a_lead_assigns_and_merges_once_the_project_has_one(
    project_target: str, tmp_path: Path
) -> None:
    with Project.create(project_target) as project:
        team_project(project)
        project.team.write_packages(tmp_path)
        project.edits.set_role(project.edits.acting_as or "lead", "lead")
        lead = project.edits.acting_as or "lead"
    if not project_target.startswith("postgresql"):
        with Project.open(project_target, user="budi") as project:
            with pytest.raises(ProjectError, match="only a lead may assign"):
                project.team.assign(["ana", "budi"])
            with pytest.raises(ProjectError, match="only a lead may merge"):
                project.team.merge_package(tmp_path / "ana.tandai")
            with pytest.raises(ProjectError, match="only a lead may edit the schema"):
                project.set_schema(project.schema())
    with Project.open(project_target, user=lead) as project:
        assert project.team.merge_package(tmp_path / "ana.tandai").articles > 0


def test_package_file_names_are_safe() -> None:
    assert package_file_name("ana") == "ana.tandai"
    assert package_file_name("../ana b/c") == "ana_b_c.tandai"
    assert package_file_name("...") == "annotator.tandai"


@pytest.mark.postgres
def test_a_package_of_a_server_project_carries_no_password(tmp_path: Path) -> None:
    from tests.conftest import postgres_url_or_skip

    url = postgres_url_or_skip()
    with_password = url.replace("://postgres@", "://postgres:s3cr3t-pw@", 1)
    if with_password == url:
        pytest.skip("the test URL names no user to add a password to")
    with Project.create(with_password) as project:
        project.imports.store_articles([NewArticle(text=TEXTS[0])])
        project.team.assign(["ana"])
        written = project.team.write_packages(tmp_path)
        report_text = written[0].summary()
    with Project.open(tmp_path / "ana.tandai") as pkg:
        info = pkg.team.package_info()
        assert info is not None and info.project_name.startswith("postgresql://")
    assert "s3cr3t-pw" not in info.project_name + report_text
    assert b"s3cr3t-pw" not in (tmp_path / "ana.tandai").read_bytes()
