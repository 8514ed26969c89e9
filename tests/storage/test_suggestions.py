"""Suggestions: stored apart from labels, validated, accepted or rejected one by one or in
bulk with undo, rejections remembered, sources switched off, suggesters run incrementally."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.models import NewArticle
from core.suggest.boilerplate import LineScore, score_lines
from core.suggest.rules import Rule
from storage import LabelError, Project
from storage.migrations import CURRENT_VERSION, migrate

TRICKY = "Pemadam 👨🏻‍🚒 𠮷野 bertemu مرحبا بالعالم di Kyïv e\u0301 Jakarta.\nBaca juga: Kursk"
GOLD = Path(__file__).resolve().parent.parent / "fixtures" / "boilerplate_gold.jsonl"
BODY = (
    "Pasukan {n} dilaporkan bergerak ke wilayah Kursk pada Rabu pagi, kata pejabat "
    "yang tidak mau disebut namanya kepada wartawan di ibu kota."
)
FOOTER = "Ikuti berita terkini Kabar Nusa di saluran kami setiap hari"


@pytest.fixture
def article_id(project: Project) -> int:
    project.imports.store_articles([NewArticle(text=TRICKY, title="Uji")])
    return next(project.article_ids())


def store(project: Project, *texts: str, source: str = "kabar.example") -> list[int]:
    before = set(project.article_ids())
    project.imports.store_articles([NewArticle(text=t, source=source) for t in texts])
    return sorted(set(project.article_ids()) - before)


def test_suggestions_are_stored_with_code_point_offsets(project: Project, article_id: int) -> None:
    start = TRICKY.index("Jakarta")
    line = TRICKY.index("Baca juga")
    stored = project.suggestions.add_suggestions(
        article_id,
        [
            ("entity", "GPE", start, start + 7, 0.9),
            ("boilerplate", "boilerplate", line, len(TRICKY), 1.0),
        ],
        source="test",
    )
    assert stored == 2
    got = project.suggestions.suggestions(article_id)
    assert [TRICKY[s.start : s.end] for s in got] == ["Jakarta", "Baca juga: Kursk"]
    assert got[0].score == pytest.approx(0.9)
    assert project.labels.spans(article_id) == []


def test_exact_duplicates_are_ignored_and_counted_out(project: Project, article_id: int) -> None:
    row = ("entity", "PER", 0, 7, 1.0)
    assert project.suggestions.add_suggestions(article_id, [row, row], source="model") == 1
    assert project.suggestions.add_suggestions(article_id, [row], source="model") == 0
    assert project.suggestions.add_suggestions(article_id, [row], source="other") == 1
    assert len(project.suggestions.suggestions(article_id)) == 2


def test_suggestions_outside_the_text_store_nothing(project: Project, article_id: int) -> None:
    good = ("entity", "PER", 0, 7, 1.0)
    with pytest.raises(LabelError, match="outside its text"):
        project.suggestions.add_suggestions(
            article_id, [good, ("entity", "PER", 5, len(TRICKY) + 1, 1.0)], source="m"
        )
    with pytest.raises(LabelError, match="unknown layer"):
        project.suggestions.add_suggestions(article_id, [("nope", "PER", 0, 3, 1.0)], source="m")
    assert project.suggestions.suggestions(article_id) == []


def test_accepting_makes_a_span_that_records_its_source_and_undo_brings_it_back(
    project: Project, article_id: int
) -> None:
    start = TRICKY.index("Jakarta")
    project.suggestions.add_suggestions(
        article_id, [("entity", "GPE", start, start + 7, 1.0)], source="m"
    )
    [sg] = project.suggestions.suggestions(article_id, annotator="ani")
    span = project.suggestions.accept_suggestion(sg.id, annotator="ani")
    assert (span.label, TRICKY[span.start : span.end], span.origin) == (
        "GPE",
        "Jakarta",
        "suggestion:m",
    )
    assert project.suggestions.suggestions(article_id, annotator="ani") == []
    assert len(project.suggestions.suggestions(article_id, annotator="budi")) == 1
    project.labels.delete_span(span.id)
    assert project.suggestions.suggestions(article_id, annotator="ani") == [sg]


def test_a_rejection_hides_the_suggestion_and_it_never_comes_back(
    project: Project, article_id: int
) -> None:
    row = ("entity", "PER", 0, 7, 1.0)
    project.suggestions.add_suggestions(article_id, [row], source="m")
    [sg] = project.suggestions.suggestions(article_id)
    rejection = project.suggestions.reject_suggestion(sg.id, annotator="ani")
    assert project.suggestions.suggestions(article_id, annotator="ani") == []
    assert project.suggestions.suggestions(article_id, annotator="budi") == [sg]
    project.suggestions.remove_rejections([rejection])
    assert project.suggestions.suggestions(article_id, annotator="ani") == [sg]
    project.suggestions.reject_suggestion(sg.id, annotator="ani")
    # Proposed again, by the same or another source: not stored.
    assert project.suggestions.add_suggestions(article_id, [row], source="m") == 0
    assert project.suggestions.add_suggestions(article_id, [row], source="other-model") == 0


def test_accept_all_in_an_article_takes_the_longest_and_skips_overlaps(
    project: Project,
) -> None:
    text = "Kim Jong Un bertemu Putin.\nTinggalkan komentar"
    [aid] = store(project, text)
    kim = text.index("Kim Jong Un")
    line = text.index("Tinggalkan")
    project.suggestions.add_suggestions(
        aid,
        [("entity", "PER", kim, kim + 3, 1.0), ("entity", "PER", kim, kim + 11, 1.0)],
        source="patterns",
    )
    for source in ("lexicon", "shape"):
        project.suggestions.add_suggestions(
            aid, [("boilerplate", "boilerplate", line, len(text), 1.0)], source=source
        )
    assert project.suggestions.count_pending(annotator="ani", article_id=aid) == 4
    result = project.suggestions.accept_all(annotator="ani", article_id=aid)
    assert (result.done, result.skipped) == (2, 2)
    spans = project.labels.spans(aid, annotator="ani")
    assert [text[s.start : s.end] for s in spans] == ["Kim Jong Un", "Tinggalkan komentar"]
    assert project.suggestions.count_pending(annotator="ani", article_id=aid) == 1  # "Kim" overlaps
    assert project.suggestions.remove_spans(result.span_ids) == 2
    assert project.labels.spans(aid, annotator="ani") == []


def test_one_source_is_accepted_or_rejected_across_the_project_with_a_count_and_undo(
    project: Project,
) -> None:
    ids = store(project, *(f"Berita {n}.\nBaca juga: Judul {n}" for n in range(5)))
    for aid in ids:
        text = project.article(aid).text
        start = text.index("Baca")
        project.suggestions.add_suggestions(
            aid, [("boilerplate", "boilerplate", start, len(text), 1.0)], source="rule:^Baca juga:"
        )
        project.suggestions.add_suggestions(aid, [("entity", "MISC", 0, 6, 1.0)], source="patterns")
    assert project.suggestions.count_pending(annotator="ani", source="rule:^Baca juga:") == 5
    result = project.suggestions.accept_all(annotator="ani", source="rule:^Baca juga:")
    assert result.done == 5
    assert all(
        [s.origin for s in project.labels.spans(aid, annotator="ani")]
        == ["suggestion:rule:^Baca juga:"]
        for aid in ids
    )
    assert result.article_ids == set(ids)  # the rows a list must refresh
    rejected = project.suggestions.reject_all(annotator="ani", source="patterns")
    assert rejected.done == 5 and len(rejected.rejection_ids) == 5
    assert rejected.article_ids == set(ids)
    assert project.suggestions.count_pending(annotator="ani") == 0
    project.suggestions.remove_rejections(rejected.rejection_ids)
    project.suggestions.remove_spans(result.span_ids)
    assert project.suggestions.count_pending(annotator="ani") == 10


def test_a_switched_off_source_is_neither_run_nor_shown(project: Project) -> None:
    [aid] = store(project, BODY.format(n=1) + "\n\nTinggalkan komentar")
    project.suggestions.run_suggesters()
    assert {s.source for s in project.suggestions.suggestions(aid, annotator="ani")} >= {"lexicon"}
    project.suggestions.set_source_enabled("lexicon", False)
    assert "lexicon" not in {
        s.source for s in project.suggestions.suggestions(aid, annotator="ani")
    }
    project.suggestions.set_source_enabled("shape", False)
    project.suggestions.run_suggesters()
    assert project.suggestions.suggestions(aid, annotator="ani") == []
    project.suggestions.set_source_enabled("lexicon", True)
    assert {s.source for s in project.suggestions.suggestions(aid, annotator="ani")} == {"lexicon"}


def test_a_line_keeps_its_sample_only_once_a_second_article_has_it(project: Project) -> None:
    """Lines of one article are stored without their text (most lines are); a line gets it
    when a second article brings it, in that counting or a later one."""
    store(project, f"{BODY.format(n=0)}\n\n{FOOTER}")
    project.suggestions.run_suggesters(only_new=True, sources=["repeated"])
    store(project, *(f"{BODY.format(n=n)}\n\n{FOOTER}" for n in (1, 2)))
    project.suggestions.run_suggesters(only_new=True, sources=["repeated"])
    assert project.suggestions.repeated_lines() == [("kabar.example", FOOTER, 3)]
    rows = project.db.execute_sql("SELECT articles, sample FROM repeated_line").fetchall()
    assert {(n, sample) for n, sample in rows if n > 1} == {(3, FOOTER)}
    assert [sample for n, sample in rows if n == 1] == [""] * (len(rows) - 1)


def test_repeated_lines_are_counted_as_articles_arrive_and_reach_older_articles(
    project: Project,
) -> None:
    first = store(project, *(f"{BODY.format(n=n)}\n\n{FOOTER}" for n in range(2)))
    project.suggestions.run_suggesters(only_new=True, sources=["repeated"])
    assert all(project.suggestions.suggestions(aid) == [] for aid in first)
    [third] = store(project, f"{BODY.format(n=3)}\n\n{FOOTER}")
    store(project, f"{BODY.format(n=4)}\n\n{FOOTER}", source="other.example")
    report = project.suggestions.run_suggesters(only_new=True, sources=["repeated"])
    assert report.articles == 4  # the two new ones and the two older ones
    for aid in [*first, third]:
        [sg] = project.suggestions.suggestions(aid)
        assert (sg.source, project.article(aid).text[sg.start : sg.end]) == ("repeated", FOOTER)
    assert project.suggestions.repeated_lines() == [("kabar.example", FOOTER, 3)]
    project.suggestions.set_repeated_min_articles(4)
    report = project.suggestions.run_suggesters(sources=["repeated"])
    assert report.removed == 3
    assert all(project.suggestions.suggestions(aid) == [] for aid in [*first, third])


def test_the_suggesters_reach_the_measured_quality_through_the_project(
    project: Project,
) -> None:
    gold = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    project.imports.store_articles(
        NewArticle(text=g["text"], title=g["title"], source=g["source"], external_id=g["id"])
        for g in gold
    )
    project.suggestions.run_suggesters()
    total = LineScore()
    by_external = {project.article(aid).external_id: aid for aid in project.article_ids()}
    for g in gold:
        found = project.suggestions.suggestions(
            by_external[g["id"]], layer="boilerplate", annotator="ani"
        )
        total.add(score_lines(g["text"], g["labels"], found))
    assert total.precision >= 0.95 and total.recall >= 0.90, total


def test_a_rule_from_an_example_is_counted_before_it_is_applied(project: Project) -> None:
    ids = store(
        project,
        *(f"{BODY.format(n=n)}\n\nBaca juga: Judul lain nomor {n}" for n in range(3)),
        "Berita tanpa tautan.",
    )
    rule = Rule("prefix", "Baca juga:")
    assert project.suggestions.count_rule_matches(rule) == (3, 3)
    assert project.suggestions.add_rule(rule) and not project.suggestions.add_rule(rule)
    project.suggestions.run_suggesters(sources=[rule.source])
    assert sum(len(project.suggestions.suggestions(aid, sources=[rule.source])) for aid in ids) == 3
    assert project.suggestions.accept_all(annotator="ani", source=rule.source).done == 3


def test_pattern_files_and_own_labels_suggest_entities_as_whole_words(project: Project) -> None:
    a, b = store(
        project,
        "Kim Jong Un tiba di Kursk.",
        "Pasukan Kim Jong Un di kursk dan Kimia Farma; KIM JONG UN hadir.",
    )
    added, problems = project.suggestions.load_patterns(
        [
            '{"label": "GPE", "pattern": "Kursk"}',
            '{"label": "GPE", "pattern": [{"lower": "kursk"}]}',
            '{"label": "PER", "pattern": [{"pos": "PROPN"}]}',
            "not json",
        ]
    )
    assert added == 2 and len(problems) == 2
    project.labels.add_span(a, annotator="ani", layer="entity", label="PER", start=0, end=11)
    project.suggestions.run_suggesters(sources=["patterns", "own-labels"])
    text = project.article(b).text
    got = {(s.source, s.label, text[s.start : s.end]) for s in project.suggestions.suggestions(b)}
    assert got == {("own-labels", "PER", "Kim Jong Un"), ("patterns", "GPE", "kursk")}
    in_a = {(s.source, s.label) for s in project.suggestions.suggestions(a, annotator="ani")}
    assert ("own-labels", "PER") not in in_a  # already her span
    assert ("patterns", "GPE") in in_a


def test_a_version_3_project_gains_the_repeated_line_index(tmp_path: Path) -> None:
    from storage.database import open_database

    path = tmp_path / "old.tandai"
    db = open_database(str(path), must_exist=False)
    migrate(db, name="old", upto=3)
    db.close()
    with Project.open(path) as project:
        assert CURRENT_VERSION >= 4
        assert "repeated_line" in project.db.get_tables()
        assert project.suggestions.repeated_lines() == []


def test_a_new_label_is_suggested_at_once_wherever_its_string_occurs_as_whole_words(
    project: Project,
) -> None:
    a, b, c = store(
        project,
        "Kim Jong Un tiba.",
        "Pertemuan Kim Jong Un dan Putin; kim jong un.",
        "Kim Jong Unggul bukan orangnya.",
    )
    # The label that teaches it (nothing is suggested from a string no label teaches).
    project.labels.add_span(a, annotator="ani", layer="entity", label="PER", start=0, end=11)
    assert project.suggestions.suggest_from_label("Kim Jong Un", "PER") == 2  # a itself and b
    assert [s.start for s in project.suggestions.suggestions(a)] == [0]
    text = project.article(b).text
    assert [(s.label, text[s.start : s.end]) for s in project.suggestions.suggestions(b)] == [
        ("PER", "Kim Jong Un")
    ]
    assert project.suggestions.suggestions(c) == []
    project.suggestions.set_source_enabled("own-labels", False)
    assert project.suggestions.suggest_from_label("Putin", "PER") == 0


def test_a_new_label_finds_indexed_and_not_yet_indexed_articles_alike(project: Project) -> None:
    a, b = store(project, "Kim Jong Un tiba.", "Pertemuan Kim Jong-Un dan Putin.")
    project.imports.index_pending()  # a and b through the full-text index on SQLite
    (c,) = store(project, "Lagi-lagi Kim Jong Un.")  # c only by scanning
    (d,) = store(project, "国境で𠮷野家の店主が話した。")  # no spaces: never through the index
    project.labels.add_span(a, annotator="ani", layer="entity", label="PER", start=0, end=11)
    project.labels.add_span(d, annotator="ani", layer="entity", label="ORG", start=3, end=6)
    assert project.suggestions.suggest_from_label("Kim Jong Un", "PER") == 2
    assert [len(project.suggestions.suggestions(x)) for x in (a, b, c)] == [1, 0, 1]
    assert project.suggestions.suggest_from_label("𠮷野家", "ORG") == 1
    text = project.article(d).text
    assert [text[s.start : s.end] for s in project.suggestions.suggestions(d)] == ["𠮷野家"]


def test_bulk_accept_skips_entity_labels_the_schema_does_not_know(project: Project) -> None:
    [aid] = store(project, "Kim Jong Un tiba di Kursk.")
    project.suggestions.add_suggestions(
        aid,
        [("entity", "PERSON", 0, 11, 1.0), ("entity", "GPE", 20, 25, 1.0)],
        source="model",
    )
    result = project.suggestions.accept_all(annotator="ani", article_id=aid)
    assert (result.done, result.skipped) == (1, 1)
    [span] = project.labels.spans(aid, annotator="ani")
    assert (span.id, span.label, span.origin) == (result.span_ids[0], "GPE", "suggestion:model")
