"""The schema editor: edits round-trip into the project; bad schemas are refused inline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.models import NewArticle
from gui.schema_editor import COLOUR, DESCRIPTION, KEY, NAME, SchemaEditorDialog
from storage import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "schema.tandai") as proj:
        proj.imports.store_articles(
            [NewArticle(text="Joe Biden bertemu 👨🏻‍🚒 di Kyiv.", title="t")]
        )
        yield proj


@pytest.fixture
def editor(qtbot, project: Project) -> SchemaEditorDialog:
    dialog = SchemaEditorDialog(project)
    qtbot.addWidget(dialog)
    return dialog


def row_of(editor: SchemaEditorDialog, name: str) -> int:
    for row in range(editor.labels.rowCount()):
        if editor.labels.item(row, NAME).text() == name:
            return row
    raise AssertionError(name)


def test_edits_are_saved_into_the_project_and_shown_again(
    qtbot, editor: SchemaEditorDialog, project: Project
) -> None:
    editor.set_colour(row_of(editor, "PER"), "#123456")
    editor.labels.item(row_of(editor, "ORG"), KEY).setText("o")
    editor.labels.setCurrentCell(row_of(editor, "MISC"), NAME)
    editor.remove_label()
    editor.add_label()
    new = editor.labels.rowCount() - 1
    editor.labels.item(new, NAME).setText("PRODUCT")
    editor.labels.item(new, KEY).setText("8")
    editor.labels.item(new, DESCRIPTION).setText("Barang: iPhone, 𠮷野家")
    editor.labels.setCurrentCell(row_of(editor, "GPE"), NAME)
    editor.move_label(-1)
    editor.boilerplate_key.setText("x")
    editor.snap.setChecked(False)
    editor.stance.setCurrentItem(editor.stance.topLevelItem(0))
    editor.add_option()
    option = editor.stance.currentItem()
    option.setText(0, "mixed")
    option.setText(1, "t")
    editor.add_target()
    editor.stance.currentItem().setText(0, "Ukraine")

    editor.ok_button.click()
    assert editor.result() == SchemaEditorDialog.DialogCode.Accepted
    schema = project.schema()
    assert [e.name for e in schema.entity_labels] == [
        "PER", "GPE", "ORG", "LOC", "EVENT", "DATE", "PRODUCT",
    ]  # fmt: skip
    assert schema.entity("PER").colour == "#123456"
    assert schema.entity("ORG").key == "o"
    assert schema.entity("PRODUCT").description == "Barang: iPhone, 𠮷野家"
    assert schema.boilerplate_key == "x" and not schema.snap_to_words
    assert [o.value for o in schema.stance_target("main").options][-1] == "mixed"
    assert [o.value for o in schema.stance_target("Ukraine").options] == [
        "favour", "against", "neutral",
    ]  # fmt: skip

    again = SchemaEditorDialog(project)
    qtbot.addWidget(again)
    assert again.labels.item(row_of(again, "PER"), COLOUR).text() == "#123456"
    assert again.schema_from_widgets() == schema


def test_an_invalid_schema_is_shown_inline_and_not_saved(
    editor: SchemaEditorDialog, project: Project
) -> None:
    before = project.schema()
    editor.labels.item(row_of(editor, "ORG"), NAME).setText("PER")
    editor.ok_button.click()
    assert editor.result() != SchemaEditorDialog.DialogCode.Accepted
    assert editor.error_label.isVisibleTo(editor)
    assert editor.error_label.text() == "entity label 'PER' appears twice"
    assert project.schema() == before
    # fixing it clears the message and saves
    editor.labels.item(row_of(editor, "PER"), NAME).setText("ORGANISASI")
    editor.ok_button.click()
    assert editor.result() == SchemaEditorDialog.DialogCode.Accepted
    assert project.schema().entity("ORGANISASI") is not None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda e: e.labels.item(row_of(e, "LOC"), KEY).setText("ab"), "one character"),
        (lambda e: e.labels.item(row_of(e, "LOC"), KEY).setText("1"), "key '1' appears twice"),
        (lambda e: e.labels.item(row_of(e, "LOC"), KEY).setText("q"), "both for a label"),
        (lambda e: e.boilerplate_key.setText(""), "boilerplate needs a key"),
        (lambda e: e.set_colour(row_of(e, "LOC"), "merah"), "not #rrggbb"),
    ],
)
def test_keys_and_colours_that_would_not_work_are_refused(
    editor: SchemaEditorDialog, edit, message: str
) -> None:
    edit(editor)
    assert not editor.validate()
    assert message in editor.error_label.text()


def test_a_label_with_spans_cannot_be_renamed_or_removed_but_an_unused_one_can(
    qtbot, project: Project
) -> None:
    aid = next(project.article_ids())
    project.labels.add_span(aid, annotator="ani", layer="entity", label="PER", start=0, end=9)
    editor = SchemaEditorDialog(project)
    qtbot.addWidget(editor)
    editor.labels.item(row_of(editor, "PER"), NAME).setText("PERSON")
    assert not editor.validate()
    assert "'PER' is used by 1 span" in editor.error_label.text()
    editor.labels.item(row_of(editor, "PERSON"), NAME).setText("PER")
    editor.labels.setCurrentCell(row_of(editor, "PER"), NAME)
    editor.remove_label()
    assert not editor.validate()
    editor.labels.item(0, NAME).setText("X")  # ORG is first now; unused: may be renamed
    editor.add_label()
    editor.labels.item(editor.labels.rowCount() - 1, NAME).setText("PER")
    assert editor.validate()
    editor.ok_button.click()
    assert project.schema().entity("PER") is not None and project.schema().entity("X")
    assert project.labels.spans(aid)[0].label == "PER"


def test_a_stance_option_in_use_cannot_be_removed(qtbot, project: Project) -> None:
    aid = next(project.article_ids())
    project.labels.set_doc_label(aid, annotator="ani", key="stance:main", value="against")
    editor = SchemaEditorDialog(project)
    qtbot.addWidget(editor)
    target = editor.stance.topLevelItem(0)
    against = next(
        target.child(i) for i in range(target.childCount()) if target.child(i).text(0) == "against"
    )
    editor.stance.setCurrentItem(against)
    editor.remove_stance_item()
    assert not editor.validate()
    assert "'main' = 'against' is used by 1 article" in editor.error_label.text()
    # removing an unused option is fine
    editor2 = SchemaEditorDialog(project)
    qtbot.addWidget(editor2)
    target = editor2.stance.topLevelItem(0)
    editor2.stance.setCurrentItem(target.child(target.childCount() - 1))  # "unrelated"
    editor2.remove_stance_item()
    assert editor2.validate()
