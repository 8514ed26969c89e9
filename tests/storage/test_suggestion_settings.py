"""The project's own suggestion settings: rules removed with their suggestions, and lexicon
entries added, checked and removed — seen through what the suggesters then store."""

from __future__ import annotations

import pytest

from core.models import NewArticle
from core.suggest.lexicon import LexiconError
from core.suggest.rules import Rule
from storage import Project

PROMO = "📣 Dukung Kabar Nusa lewat Trakteer 👨🏻‍🚒"
BODY = (
    "Warga 𠮷野 di tepi sungai mengungsi ke balai desa sejak Senin, kata kepala desa kepada "
    "wartawan. Dukung Kabar Nusa lewat Trakteer kalimat ini tidak, karena ia badan berita."
)
TEXT = f"{BODY}\n\nمرحبا بالعالم cafe\u0301\n\n{PROMO}\n\nBaca juga: Banjir di Hilir"


@pytest.fixture
def article_id(project: Project) -> int:
    project.imports.store_articles([NewArticle(text=TEXT, title="Banjir", source="kabar.example")])
    return next(project.article_ids())


def lexicon_lines(project: Project, aid: int) -> list[str]:
    return [
        TEXT[s.start : s.end] for s in project.suggestions.suggestions(aid, sources=["lexicon"])
    ]


def test_an_added_prefix_is_suggested_on_its_line_and_gone_after_removal_and_a_rerun(
    project: Project, article_id: int
) -> None:
    project.suggestions.run_suggesters(sources=["lexicon"])
    assert PROMO not in lexicon_lines(project, article_id)
    assert project.suggestions.add_lexicon_entry("prefixes", "  Dukung Kabar Nusa  ")
    assert project.suggestions.user_lexicon() == {"prefixes": ["Dukung Kabar Nusa"]}
    project.suggestions.run_suggesters(sources=["lexicon"])
    assert PROMO in lexicon_lines(project, article_id)  # emoji before and inside the line
    assert BODY not in lexicon_lines(project, article_id)  # a body line does not start so
    assert project.suggestions.remove_lexicon_entry("prefixes", "Dukung Kabar Nusa")
    assert project.suggestions.user_lexicon() == {}
    report = project.suggestions.run_suggesters(sources=["lexicon"])
    assert report.removed == 1
    assert PROMO not in lexicon_lines(project, article_id)
    assert "Baca juga: Banjir di Hilir" in lexicon_lines(project, article_id)  # bundled stays


def test_an_entry_added_twice_is_kept_once_and_removing_a_missing_one_says_so(
    project: Project,
) -> None:
    assert project.suggestions.add_lexicon_entry("lines", "Dukung kami")
    assert not project.suggestions.add_lexicon_entry("lines", "Dukung kami")
    assert project.suggestions.user_lexicon() == {"lines": ["Dukung kami"]}
    assert not project.suggestions.remove_lexicon_entry("lines", "Tidak ada")
    assert not project.suggestions.remove_lexicon_entry("prefixes", "Dukung kami")


def test_a_bad_pattern_an_unknown_list_or_empty_text_is_refused_and_nothing_is_kept(
    project: Project,
) -> None:
    with pytest.raises(LexiconError, match="bad pattern"):
        project.suggestions.add_lexicon_entry("patterns", "^(Dukung")
    with pytest.raises(LexiconError, match="unknown lexicon list"):
        project.suggestions.add_lexicon_entry("phrases", "Dukung")
    with pytest.raises(LexiconError, match="needs text"):
        project.suggestions.add_lexicon_entry("lines", "   ")
    assert project.suggestions.user_lexicon() == {}


def test_a_pattern_entry_is_searched_in_each_line_case_insensitively(
    project: Project, article_id: int
) -> None:
    project.suggestions.add_lexicon_entry("patterns", r"lewat\s+TRAKTEER\W*$")
    project.suggestions.run_suggesters(sources=["lexicon"])
    assert PROMO in lexicon_lines(project, article_id)
    assert BODY not in lexicon_lines(project, article_id)  # the phrase is not at its end


def test_removing_a_rule_drops_its_suggestions_but_keeps_accepted_spans(
    project: Project, article_id: int
) -> None:
    rule = Rule("prefix", "Baca juga:")
    other = Rule("exact", "مرحبا بالعالم cafe\u0301")
    assert project.suggestions.apply_rule(rule) == 1
    assert project.suggestions.apply_rule(other) == 1
    project.suggestions.set_source_enabled(rule.source, False)
    accepted = project.suggestions.accept_all(annotator="ani", source=other.source)
    assert accepted.done == 1

    assert project.suggestions.remove_rule(rule) == 1
    assert project.suggestions.rules() == [other]
    assert project.suggestions.suggestions(article_id, sources=[rule.source]) == []
    assert rule.source not in project.suggestions.disabled_sources()
    project.suggestions.run_suggesters()  # it does not come back
    assert project.suggestions.suggestions(article_id, sources=[rule.source]) == []

    assert project.suggestions.remove_rule(other) == 1
    spans = project.labels.spans(article_id, annotator="ani")
    assert [(TEXT[s.start : s.end], s.origin) for s in spans] == [
        ("مرحبا بالعالم cafe\u0301", f"suggestion:{other.source}")
    ]
