"""PySide6 6.12.0 aborts Python 3.11 after a few thousand calls of void-returning methods
(`Fatal Python error: none_dealloc`); 6.11.3 does not. This keeps us off a broken pin."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_fifty_thousand_void_qt_calls_do_not_crash_the_interpreter() -> None:
    # In a child process: the failure mode is an abort of the whole interpreter.
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtGui import QTextCursor, QTextDocument
        from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit
        app = QApplication([])
        doc = QTextDocument("x" * 200)
        cursor = QTextCursor(doc)
        editor = QPlainTextEdit()
        selection = QTextEdit.ExtraSelection()
        for i in range(25_000):
            cursor.setPosition(i % 200)
            editor.setExtraSelections([selection])
        print("ok", sys.getrefcount(None) > 0)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok True"
