"""The flow layout of the label bar and stance panel: buttons wrap, never shrink below their
text, and a right-to-left interface starts lines at the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from gui.flow_layout import FlowLabel, FlowLayout

NAMES = [
    "1  PER",
    "2  ORG",
    "3  GPE",
    "4  LOC",
    "5  EVENT",
    "6  DATE",
    "7  MISC",
    "Ω 𠮷 مرحبا 👨🏻‍🚒",
]


def row(qtbot, width: int) -> tuple[QWidget, list[QToolButton]]:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = FlowLayout(holder)
    buttons = []
    for name in NAMES:
        button = QToolButton()
        button.setText(name)
        layout.addWidget(button)
        buttons.append(button)
    holder.resize(width, layout.heightForWidth(width))
    holder.show()
    QApplication.processEvents()
    return holder, buttons


def lines(buttons: list[QToolButton]) -> int:
    return len({b.geometry().top() for b in buttons})


def test_buttons_share_a_line_when_there_is_room_and_wrap_when_there_is_not(qtbot) -> None:
    _wide, on_one = row(qtbot, 2000)
    assert lines(on_one) == 1
    narrow, wrapped = row(qtbot, 200)
    assert lines(wrapped) > 2
    layout = narrow.layout()
    assert layout.heightForWidth(200) > layout.heightForWidth(2000)
    widest = max(b.sizeHint().width() for b in wrapped)
    assert layout.minimumSize().width() == widest  # the widest button, not all of them
    for button in wrapped:
        assert button.width() == button.sizeHint().width()  # never elided
        assert narrow.rect().contains(button.geometry())
    for i, a in enumerate(wrapped):
        assert not any(a.geometry().intersects(b.geometry()) for b in wrapped[i + 1 :])


def test_a_right_to_left_interface_starts_each_line_at_the_right(qtbot) -> None:
    holder, buttons = row(qtbot, 300)
    holder.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    holder.layout().setGeometry(holder.rect())
    assert buttons[0].geometry().right() == holder.rect().right()
    assert buttons[1].geometry().right() < buttons[0].geometry().left()


def test_a_flow_label_keeps_one_line_when_it_fits_and_wraps_when_it_does_not(qtbot) -> None:
    label = FlowLabel("Stance · main (the article's main subject):")
    qtbot.addWidget(label)
    one_line = label.heightForWidth(label.sizeHint().width())
    assert one_line == label.sizeHint().height()
    assert label.heightForWidth(label.sizeHint().width() // 3) > one_line
    assert label.minimumSizeHint().width() < label.sizeHint().width()


def test_a_flow_label_keeps_the_room_of_the_longest_text_it_will_show(qtbot) -> None:
    label = FlowLabel(reserve="model: unrelated 100% · G accepts")
    qtbot.addWidget(label)
    empty = (label.sizeHint(), label.heightForWidth(80))
    label.setText("model: favour 51% · G accepts")
    assert (label.sizeHint(), label.heightForWidth(80)) == empty
    assert label.heightForWidth(80) > label.heightForWidth(label.sizeHint().width())
