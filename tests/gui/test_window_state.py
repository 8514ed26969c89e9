"""The window comes back where it was, with its docks where the annotator put them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from gui.window_state import restore_window, save_window


def make_window(qtbot) -> tuple[QMainWindow, QDockWidget, QDockWidget]:
    window = QMainWindow()
    window.setCentralWidget(QLabel("article"))
    docks = []
    for name in ("articles", "stance"):
        dock = QDockWidget(name.title(), window)
        dock.setObjectName(f"{name}_dock")
        dock.setWidget(QLabel(name))
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        docks.append(dock)
    qtbot.addWidget(window)
    return window, docks[0], docks[1]


def settings_in(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "tandai.ini"), QSettings.Format.IniFormat)


def test_size_position_and_dock_layout_are_restored_in_a_new_window(qtbot, tmp_path: Path) -> None:
    window, articles, stance = make_window(qtbot)
    window.resize(640, 480)
    window.move(40, 30)
    window.show()
    qtbot.waitExposed(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, stance)
    articles.hide()
    save_window(window, settings_in(tmp_path))
    window.close()

    again, articles2, stance2 = make_window(qtbot)
    assert restore_window(again, settings_in(tmp_path)) is True
    again.show()
    qtbot.waitExposed(again)

    assert again.size() == window.size()
    assert again.pos() == window.pos()
    assert again.dockWidgetArea(stance2) == Qt.DockWidgetArea.RightDockWidgetArea
    assert articles2.isHidden() and not stance2.isHidden()


def test_a_first_start_keeps_the_window_defaults(qtbot, tmp_path: Path) -> None:
    window, articles, _ = make_window(qtbot)
    window.resize(700, 500)
    assert restore_window(window, settings_in(tmp_path)) is False
    assert window.size().width() == 700
    assert window.dockWidgetArea(articles) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_a_layout_saved_by_another_layout_version_is_ignored(qtbot, tmp_path: Path) -> None:
    window, _, stance = make_window(qtbot)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, stance)
    save_window(window, settings_in(tmp_path), version=1)

    again, _, stance2 = make_window(qtbot)
    assert restore_window(again, settings_in(tmp_path), version=2) is False
    assert again.dockWidgetArea(stance2) == Qt.DockWidgetArea.LeftDockWidgetArea
