"""The Session is the GUI's one way to edit: commands pushed through it, a typed Change
broadcast only after the commit, for every article the edit touched."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from gui.main_window import MainWindow
from gui.session import Change, What
from storage import Project
from tests.gui.workspace_helpers import INDONESIAN, drag_select, key

ROOT = Path(__file__).resolve().parents[2]


def test_a_grouped_edit_is_broadcast_once_and_only_after_its_commit(
    qtbot, window: MainWindow
) -> None:
    """B on three lines is one transaction; a view that reads on the broadcast (here through
    a second connection, as another window would) must already see all three lines."""
    aid = window.workspace.article_id
    seen: list[tuple[Change, int]] = []
    with Project.open(window.project.target) as other:

        def on_change(change: Change) -> None:
            seen.append((change, len(other.spans(aid, annotator="ani", layer="boilerplate"))))

        window.session.changed.connect(on_change)
        drag_select(qtbot, window, INDONESIAN.index("video di bawah"), INDONESIAN.index("Liar"))
        key(qtbot, window, "b")
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        window.session.changed.disconnect(on_change)
    assert seen == [(Change.of(aid, What.SPANS), 2), (Change.of(aid, What.SPANS), 0)]


def test_a_change_names_its_articles_and_what_changed() -> None:
    change = Change.of([3, 5], What.SPANS) | Change.of(7, What.STATUS)
    assert change.article_ids == frozenset({3, 5, 7})
    assert change.touches(5) and change.touches(7, What.SPANS | What.DOC)
    assert not change.touches(4) and not change.touches(None)
    assert not Change.of(3, What.DOC).touches(3, What.SPANS)


def test_only_the_session_broadcasts_a_change() -> None:
    """No view, command or dialog emits ``session.changed`` itself (once two did)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "gui").glob("*.py"))
        if path.name != "session.py"
        and any(s in path.read_text("utf-8") for s in ("session.changed.emit", "emit(Change"))
    ]
    assert offenders == []


def test_offsets_are_converted_only_in_text_geometry() -> None:
    """UTF-16 <-> code points in one module of gui/ (Qt counts UTF-16 units)."""
    names = ("Utf16Map", "to_utf16", "to_code_point", "utf-16")
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "gui").glob("*.py"))
        if path.name != "text_geometry.py" and any(n in path.read_text("utf-8") for n in names)
    ]
    assert offenders == []


def test_a_refused_edit_is_neither_stacked_nor_broadcast_and_undo_redo_broadcast_again(
    qapp, project_path: Path
) -> None:
    import pytest

    from gui.session import Session
    from gui.undo_commands import AddSpan, CommandContext
    from storage import LabelError

    with Project.open(project_path) as project:
        aid = project.first_article_id()
        session = Session(project, "ani")
        ctx = CommandContext(session, show_article=lambda _aid: None, report=lambda _text: None)
        seen: list[Change] = []
        session.changed.connect(seen.append)
        session.push(AddSpan(ctx, aid, layer="entity", label="PER", start=0, end=7))
        with pytest.raises(LabelError):  # overlaps the PER span just stored
            session.push(AddSpan(ctx, aid, layer="entity", label="ORG", start=3, end=12))
        assert session.undo_stack.count() == 1
        assert seen == [Change.of(aid, What.SPANS)]
        session.undo_stack.undo()
        assert project.spans(aid, annotator="ani") == []
        session.undo_stack.redo()
        [span] = project.spans(aid, annotator="ani")
        assert (span.label, span.start, span.end, span.origin) == ("PER", 0, 7, "manual")
        assert seen == [Change.of(aid, What.SPANS)] * 3
        session.deleteLater()
