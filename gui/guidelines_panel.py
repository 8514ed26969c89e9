"""The project's annotation guidelines in a side panel: rendered Markdown, editable in place.

Guidelines live in the project (``Project.guidelines``) so that every annotator of a project
reads the same rules. Rendering with ``QTextBrowser.setMarkdown`` is fine here: this is prose
for people, not annotated text with offsets.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from storage import Project

EMPTY = (
    "*No guidelines yet.* Press **Edit** to write them in Markdown: what each label covers, "
    "hard cases, examples."
)


class GuidelinesDock(QDockWidget):
    """Shows the guidelines; Edit switches to the Markdown source, Save stores it."""

    saved = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__("Guidelines", parent)
        self.setObjectName("guidelinesDock")
        self.project = project
        self._stored = project.guidelines()

        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("# Guidelines\n\nMarkdown: headings, lists, **bold**…")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.browser)
        self.stack.addWidget(self.editor)

        self.edit_button = QPushButton("Edit")
        self.edit_button.setCheckable(True)
        self.save_button = QPushButton("Save")
        self.revert_button = QPushButton("Revert")
        self.state_label = QLabel()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for widget in (self.edit_button, self.save_button, self.revert_button):
            buttons.addWidget(widget)
        buttons.addWidget(self.state_label, 1)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        self.setWidget(body)

        self.edit_button.toggled.connect(self.set_editing)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.editor.textChanged.connect(self._update_state)
        self.editor.setPlainText(self._stored)
        self._render()
        self._update_state()

    def markdown(self) -> str:
        """The text being shown or edited (saved or not)."""
        return self.editor.toPlainText()

    def is_modified(self) -> bool:
        return self.markdown() != self._stored

    def set_editing(self, editing: bool) -> None:
        """Edit the source, or go back to the rendered view (of the text as edited)."""
        if self.edit_button.isChecked() != editing:
            self.edit_button.setChecked(editing)  # re-enters through toggled
            return
        if not editing:
            self._render()
        self.stack.setCurrentWidget(self.editor if editing else self.browser)
        if editing:
            self.editor.setFocus()

    def save(self) -> None:
        """Store the guidelines in the project (one committed write) and show them."""
        text = self.markdown()
        self.project.set_guidelines(text)
        self._stored = text
        self.set_editing(False)
        self._render()
        self._update_state()
        self.saved.emit()

    def revert(self) -> None:
        self.editor.setPlainText(self._stored)
        self._render()

    def reload(self) -> None:
        """Read the guidelines from the project again (another window may have saved)."""
        self._stored = self.project.guidelines()
        self.editor.setPlainText(self._stored)
        self._render()

    def _render(self) -> None:
        self.browser.setMarkdown(self.markdown().strip() or EMPTY + "\n\n" + self._schema_keys())

    def _schema_keys(self) -> str:
        """Until the project has guidelines: its labels and stance keys, with what each label
        is for (the schema's descriptions), so a first start has something to read."""
        schema = self.project.schema()
        lines = ["**Labels**", ""]
        for e in schema.entity_labels:
            key = f"`{e.key.upper()}` " if e.key else ""
            lines.append(f"- {key}**{e.name}**" + (f": {e.description}" if e.description else ""))
        for target in schema.stance_targets:
            keys = ", ".join(f"`{o.key.upper()}` {o.value}" for o in target.options if o.key)
            about = f" ({target.description})" if target.description else ""
            lines += ["", f"**Stance toward “{target.name}”**{about}: {keys}"]
        return "\n".join(lines)

    def _update_state(self) -> None:
        modified = self.is_modified()
        self.save_button.setEnabled(modified)
        self.revert_button.setEnabled(modified)
        self.state_label.setText("unsaved changes" if modified else "")
