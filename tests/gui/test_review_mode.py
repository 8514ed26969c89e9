"""Review mode with real key presses: three annotators, 20 entities, 3 of them disputed,
settled into gold in a handful of keystrokes; every decision undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor

from core.models import NewArticle
from gui.article_view import DISPUTED_MARK, ReviewMark
from gui.review_mode import short_names
from storage import GOLD, Project

WORDS = [f"Nama{n}" for n in range(20)]
TEXT = "Berita 👨🏻‍🚒 hari ini: " + " dan ".join(WORDS) + ".\nBaca juga: banjir"
LABELS = ["PER", "ORG", "GPE"]


def _spans() -> list[tuple[int, int, str]]:
    out = []
    for n, word in enumerate(WORDS):
        start = TEXT.index(word + " ") if n < 19 else TEXT.index(word + ".")
        out.append((start, start + len(word), LABELS[n % 3]))
    return out


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """Article 1: 17 spans everyone has; span 17 only ana and budi, span 18 only citra,
    span 19 ana and citra. Article 2: a stance tie. Both wait in the review queue (as the
    agreement view's "most disputed" puts an article there; adjudication has its own tests)."""
    path = tmp_path / "review.tandai"
    spans = _spans()
    with Project.create(path) as project:
        project.imports.store_articles(
            [NewArticle(text=TEXT, title="Dua puluh nama"), NewArticle(text="Kedua. Jakarta")]
        )
        first, second = list(project.article_ids())
        holders = {17: {"ana", "budi"}, 18: {"citra"}, 19: {"ana", "citra"}}
        for name in ("ana", "budi", "citra"):
            for n, (start, end, label) in enumerate(spans):
                if name in holders.get(n, {name}):
                    project.labels.add_span(
                        first, annotator=name, layer="entity", label=label, start=start, end=end
                    )
            project.labels.set_doc_label(first, annotator=name, key="stance:main", value="neutral")
            project.labels.set_status(first, annotator=name, status="done")
        project.labels.set_status(second, annotator="ana", status="done")
        project.labels.set_status(second, annotator="budi", status="done")
        project.labels.set_doc_label(second, annotator="ana", key="stance:main", value="favour")
        project.labels.set_doc_label(second, annotator="budi", key="stance:main", value="against")
        project.agreement.set_review_state(first, "review")
        project.agreement.set_review_state(second, "review")
    return path


def _quiet(qtbot, ws) -> None:
    """A new entity string starts "label it everywhere" in the background (one job after
    another); let those end before the window does."""
    qtbot.waitUntil(lambda: not ws.suggestions.jobs and not ws.suggestions._queued, timeout=20_000)


def _gold(window) -> list[tuple[int, int, str, str]]:
    aid = 1
    return [
        (s.start, s.end, s.label, s.origin)
        for s in window.project.labels.spans(aid, annotator=GOLD)
        if s.layer == "entity"
    ]


def test_an_article_with_three_disputes_is_settled_in_under_ten_keystrokes(qtbot, window) -> None:
    ws = window.workspace
    assert ws.enter_review(1)
    review = ws.review
    assert review is not None and ws.session.annotator == GOLD
    assert len(review.review.items) == 21  # 20 entities and the stance
    assert len(review.review.disputed_items()) == 3
    text = ws.view.text
    keys = 0

    def press(key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        nonlocal keys
        keys += 1
        qtbot.keyClick(text, key, modifier)

    spans = _spans()
    assert review.review.items[review.current].start == spans[17][0]  # first dispute
    press(Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # accept every agreed item
    assert len(_gold(window)) == 17
    # Gold's new names start no "label it everywhere" scans (they would suggest review
    # decisions back to the annotators).
    assert not ws.suggestions.jobs and not ws.suggestions._queued
    assert window.project.labels.doc_labels(1, annotator=GOLD) == {"stance:main": "neutral"}
    press(Qt.Key.Key_Return)  # accept span 17 (ana and budi); on to the next dispute
    assert review.review.items[review.current].start == spans[18][0]
    press(Qt.Key.Key_X)  # reject citra's lone span 18
    assert review.review.items[review.current].start == spans[19][0]
    press(Qt.Key.Key_Return)  # accept span 19 (ana and citra)
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # settle, next in queue
    assert keys < 10
    gold = _gold(window)
    assert {(s, e, label) for s, e, label, _ in gold} == set(spans[:18]) | {spans[19]}
    assert {origin for *_, origin in gold} == {"review:ani"}
    assert window.project.agreement.review_item(1).state == "settled"
    assert window.project.labels.progress(1, annotator=GOLD).status == "done"
    assert ws.article_id == 2  # the next article in the review queue
    # Every decision is undoable: the settling first, then the accepted span.
    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.agreement.review_item(1).state != "settled"
    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (spans[19][0], spans[19][1], spans[19][2]) not in {
        (s, e, label) for s, e, label, _ in _gold(window)
    }
    _quiet(qtbot, ws)


def test_alt_n_makes_gold_annotator_ns_version_and_the_stance_tie_is_settled(qtbot, window) -> None:
    ws = window.workspace
    assert ws.enter_review()  # the queue starts with article 1
    assert ws.article_id == 1
    assert ws.enter_review(2)  # ana favour, budi against
    review = ws.review
    assert review is not None
    assert [(i.label, sorted(i.by)) for i in review.review.items] == [
        ("against", ["budi"]),
        ("favour", ["ana"]),
    ]
    qtbot.keyClick(ws.view.text, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # budi
    assert window.project.labels.doc_labels(2, annotator=GOLD) == {"stance:main": "against"}
    _quiet(qtbot, ws)
    qtbot.keyClick(ws.view.text, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # ana
    assert window.project.labels.doc_labels(2, annotator=GOLD) == {"stance:main": "favour"}
    qtbot.keyClick(ws.view.text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.labels.doc_labels(2, annotator=GOLD) == {"stance:main": "against"}
    _quiet(qtbot, ws)


def test_edit_as_usual_edits_gold_and_leaving_gives_the_window_back(qtbot, window) -> None:
    ws = window.workspace
    assert ws.enter_review(1)
    before = len(_gold(window))
    # The schema's key "1" labels PER: select a word that has no span and press it.
    start = TEXT.index("Berita")
    ws.view.select(start, start + len("Berita"))
    qtbot.keyClick(ws.view.text, Qt.Key.Key_1)
    assert len(_gold(window)) == before + 1
    assert "Berita" in [TEXT[s:e] for s, e, *_ in _gold(window)]
    qtbot.keyClick(
        ws.view.text,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert ws.review is None and ws.session.annotator == "ani"
    assert window.annotator == "ani"
    _quiet(qtbot, ws)


def test_the_keyboard_map_lists_the_review_keys_while_reviewing(qtbot, window) -> None:
    ws = window.workspace
    assert not any("review:" in does for _, does in ws.key_help())
    ws.enter_review(1)
    shown = dict(ws.key_help())
    assert shown["Shift+A"] == "review: accept every agreed item"
    assert shown["Alt+2"].startswith("review: gold becomes annotator 2's version")


def _red_pixels(image, rect) -> int:
    """Pixels of the disputed-mark red (or close to it) inside ``rect`` of ``image``."""
    mark = QColor(DISPUTED_MARK)
    count = 0
    for x in range(max(rect.left(), 0), min(rect.right(), image.width() - 1) + 1):
        for y in range(max(rect.top(), 0), min(rect.bottom(), image.height() - 1) + 1):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - mark.red())
                + abs(c.green() - mark.green())
                + abs(c.blue() - mark.blue())
                < 90
            ):
                count += 1
    return count


def test_the_text_marks_each_disputed_place_with_who_gave_which_label(qtbot, window) -> None:
    ws = window.workspace
    assert ws.enter_review(1)
    spans = _spans()
    marks = {(m.start, m.end): m for m in ws.view.marks}
    # Only the three disputed places are marked; the 17 agreed entities stay plain.
    assert set(marks) == {spans[n][:2] for n in (17, 18, 19)}
    assert marks[spans[17][:2]].tag == f"AB: {spans[17][2]}"
    assert marks[spans[18][:2]].tag == f"C: {spans[18][2]}"
    assert marks[spans[19][:2]].tag == f"AC: {spans[19][2]}"
    assert all(m.disputed for m in marks.values())
    # The marks are painted in the text (after the emoji: code points, not UTF-16 units):
    # red around and above a disputed name, none on an agreed one.
    view = ws.view
    view.text.viewport().repaint()
    image = view.text.viewport().grab().toImage()
    for n, red in ((17, True), (18, True), (5, False)):
        first, last = view.mark_rects(ReviewMark(*spans[n][:2], "", True))
        around = QRect(first.left() - 3, first.top() - 12, last.left() - first.left() + 6, 14)
        assert (_red_pixels(image, around) > 20) == red, n
    # Once settled, the place is still marked (it is disputed), and leaving takes marks away.
    qtbot.keyClick(view.text, Qt.Key.Key_Return)
    assert {(m.start, m.end) for m in view.marks} == set(marks)
    qtbot.keyClick(
        view.text,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert view.marks == []
    _quiet(qtbot, ws)


def test_annotators_sharing_an_initial_are_told_apart_in_the_marks() -> None:
    assert short_names(("ana", "andi", "budi")) == {"ana": "ANA", "andi": "AND", "budi": "BUD"}
    assert short_names(("ana", "budi")) == {"ana": "A", "budi": "B"}
    assert short_names(("abc1", "abc2")) == {"abc1": "1", "abc2": "2"}
