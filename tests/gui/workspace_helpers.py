"""Texts and gestures shared by the workspace tests: mouse and keyboard input sent through
Qt's event system. The fixtures (a real project file, a real window) are in conftest.py."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow
from storage import Project

INDONESIAN = (
    "Tanjung Sekar, Kabarberita – Pemerintah Kota Tanjung Sekar resmi menaikkan tarif parkir "
    "mulai 1 Januari 2025. Kebijakan yang diteken Wali Kota Hendra Wiratama itu langsung "
    "menuai penolakan.\n\n"
    "Ketua paguyuban, Suryani Halim, menilai kebijakan tersebut dibuat tanpa mendengar warga.\n\n"
    "(luc/luc)\n\n"
    "Saksikan video di bawah ini:\n"
    "Video: Antrean Parkir Liar di Pasar Besar\n\n"
    "Next Article\n"
    "Tinggalkan komentar"
)
TRICKY = "Pemadam 👨🏻‍🚒 tiba. 𠮷野 bertemu مرحبا بالعالم di Kyïv, cafe\u0301 Jakarta."
ARABIC = "افتتح وزير المياه خالد العمري محطة تحلية جديدة.\n\nإعلان\nشارك هذا الخبر"
PLAIN = "Banjir merendam 1.200 rumah di Lembah Hijau pada Senin pagi."


def utf16(text: str, offset: int) -> int:
    """UTF-16 position of code point ``offset``, computed independently of the app."""
    return len(text[:offset].encode("utf-16-le")) // 2


def open_window(qtbot, path: Path, settings: QSettings, annotator: str = "ani") -> MainWindow:
    project = Project.open(path, exclusive=True)
    win = MainWindow(project, annotator, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.workspace.view.text.setFocus()
    return win


def point_at(win: MainWindow, position16: int) -> QPoint:
    """Viewport point of the caret position ``position16`` (UTF-16) in the text widget."""
    text = win.workspace.view.text
    cursor = QTextCursor(text.document())
    cursor.setPosition(position16)
    text.ensureCursorVisible()
    return text.cursorRect(cursor).center()


def drag_select(qtbot, win: MainWindow, start16: int, end16: int) -> None:
    """Press at one caret position, move with the button held, release at another."""
    text = win.workspace.view.text
    viewport = text.viewport()
    a, b = point_at(win, start16), point_at(win, end16)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(viewport, pos=b)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
    QApplication.processEvents()


def click_at(qtbot, win: MainWindow, position16: int) -> None:
    viewport = win.workspace.view.text.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point_at(win, position16))


def key(qtbot, win: MainWindow, k: str | Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(win.workspace.view.text, k, mods)


def selected_text(win: MainWindow) -> str:
    return win.workspace.view.text.textCursor().selectedText().replace("\u2029", "\n")


def painted_ranges(win: MainWindow) -> list[tuple[int, int, str]]:
    """``(utf16 start, utf16 end, background)`` of every format the highlighter painted; a
    span's last character, formatted apart to make room for its label tag, is counted with
    the rest of the span."""
    doc = win.workspace.view.text.document()
    out: list[tuple[int, int, str]] = []
    block = doc.begin()
    while block.isValid():
        for r in block.layout().formats():
            bg = r.format.background().color().name() if r.format.background().style() else ""
            start, end = block.position() + r.start, block.position() + r.start + r.length
            if r.format.fontLetterSpacing() > 0 and out and out[-1][1:] == (start, bg):
                start = out.pop()[0]
            out.append((start, end, bg))
        block = block.next()
    return out
