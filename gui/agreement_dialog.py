"""Project ▸ Agreement: how far the annotators agree, and adjudication into gold.

The figures are computed in the background (the same ``Project.agreement.agreement`` as
``tandai agreement``) with progress and Cancel; the dialog only draws them: a table per layer,
label and pair, a heat map of pairwise kappa (stance, boilerplate) or F1 (entity), the stance
confusion of a pair, and the most disputed articles (activating one asks the main window to
open it). "Adjudicate into gold" runs ``Project.agreement.adjudicate`` the same way.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.agreement_report import AgreementReport, AlphaFigures
from gui.job_dialog import JobDialog
from gui.workers import JobControl
from storage import GOLD, AdjudicationReport, JudgementProgress, Project


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def heat_colour(value: float | None) -> QColor:
    """Red (0 or below) through yellow to green (1); grey when there is no figure."""
    if value is None:
        return QColor("#e0e0e0")
    v = max(0.0, min(1.0, value))
    red = 230 if v < 0.5 else int(230 - (v - 0.5) * 2 * 140)
    green = int(110 + v * 2 * 110) if v < 0.5 else 220
    return QColor(red, green, 110)


class AgreementDialog(JobDialog[object]):
    """Non-modal; ``open_article`` carries the id of an article to show."""

    open_article = Signal(int)

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.report: AgreementReport | None = None
        self.adjudication: AdjudicationReport | None = None
        self.error: str | None = None
        self.setWindowTitle(f"Agreement — {project.name}")
        self.resize(760, 560)

        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.figures = QTreeWidget()
        self.figures.setHeaderLabels(["layer / pair", "units", "agreement", "kappa", "alpha / F1"])
        self.figures.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.heat_choice = QComboBox()
        self.heat_choice.currentIndexChanged.connect(self._draw_heat)
        self.heat = QTableWidget()
        heat_page = QWidget()
        heat_layout = QVBoxLayout(heat_page)
        heat_layout.addWidget(self.heat_choice)
        heat_layout.addWidget(self.heat, 1)

        self.confusion_target = QComboBox()
        self.confusion_pair = QComboBox()
        self.confusion_target.currentIndexChanged.connect(self._draw_confusion)
        self.confusion_pair.currentIndexChanged.connect(self._draw_confusion)
        self.confusion = QTableWidget()
        confusion_page = QWidget()
        confusion_layout = QVBoxLayout(confusion_page)
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Target"))
        choose.addWidget(self.confusion_target, 1)
        choose.addWidget(QLabel("Pair"))
        choose.addWidget(self.confusion_pair, 1)
        confusion_layout.addLayout(choose)
        confusion_layout.addWidget(self.confusion, 1)

        self.disputed = QListWidget()
        self.disputed.itemActivated.connect(self._activate)
        self.disputed.itemClicked.connect(self._activate)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.figures, "Figures")
        self.tabs.addTab(heat_page, "Heat map")
        self.tabs.addTab(confusion_page, "Stance confusion")
        self.tabs.addTab(self.disputed, "Most disputed")

        self.phase_label = QLabel("")
        self.phase_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.refresh_button = QPushButton("Recompute")
        self.refresh_button.clicked.connect(self.start)
        self.adjudicate_button = QPushButton(f"Adjudicate into {GOLD}")
        self.adjudicate_button.setToolTip(
            "Store what more than half of each article's finishers agree on as gold; "
            "articles with anything undecided go to the review queue"
        )
        self.adjudicate_button.clicked.connect(self.adjudicate)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.adjudicate_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.phase_label)
        layout.addLayout(buttons)

    # ---- jobs ----------------------------------------------------------------------------

    def _progress(self, control: JobControl) -> Any:
        def on_progress(p: JudgementProgress) -> None:
            control.progress(p.done, max(p.total, 1), "")

        return on_progress

    def start(self) -> None:
        """Compute the figures in the background."""
        if self.is_running():
            return
        project = self.project

        def work(control: JobControl) -> AgreementReport:
            return project.agreement.agreement(
                on_progress=self._progress(control), should_stop=lambda: control.cancelled
            )

        self._begin("Reading finished articles…")
        self.run_job(work, cleanup=project.end_thread)

    def adjudicate(self) -> None:
        if self.is_running():
            return
        project = self.project

        def work(control: JobControl) -> AdjudicationReport:
            return project.agreement.adjudicate(
                into=GOLD,
                on_progress=self._progress(control),
                should_stop=lambda: control.cancelled,
            )

        self._begin("Adjudicating…")
        self.run_job(work, cleanup=project.end_thread)

    def _begin(self, text: str) -> None:
        self.error = None
        self.refresh_button.setEnabled(False)
        self.adjudicate_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.phase_label.setText(text)
        self.bar.setRange(0, 0)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if not self.cancel_button.isEnabled():
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _on_done(self, result: object) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        if isinstance(result, AdjudicationReport):
            self.adjudication = result
            self.phase_label.setText(result.summary())
            return
        assert isinstance(result, AgreementReport)
        self.phase_label.setText("")
        self.show_report(result)

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.phase_label.setText(f"Failed: {message}")

    def _on_finished(self) -> None:
        self.refresh_button.setEnabled(True)
        self.adjudicate_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")

    # ---- drawing -------------------------------------------------------------------------

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        self.summary_label.setText(
            f"Annotators: {', '.join(report.annotators) or 'none'}. "
            f"{report.articles:,} articles finished (done) by two or more of them count."
        )
        self.figures.clear()
        for target, fig in (report.stance or {}).items():
            self._alpha_rows(f"stance: {target}", fig, "articles")
        if report.boilerplate is not None:
            self._alpha_rows("boilerplate lines", report.boilerplate, "lines")
        if report.entity is not None:
            ent = report.entity
            top = QTreeWidgetItem(["entity (F1 exact / overlap)", "", "", "", _num(ent.f1)])
            self.figures.addTopLevelItem(top)
            for p in ent.pairs:
                row = QTreeWidgetItem(
                    [f"{p.a} / {p.b}", f"{p.articles:,} articles", "", "", _num(p.f1)]
                )
                row.setToolTip(4, f"overlap F1 {_num(p.overlap_f1)}")
                for label, f1 in p.per_label.items():
                    row.addChild(QTreeWidgetItem([label, "", "", "", _num(f1)]))
                top.addChild(row)
        self.figures.expandToDepth(0)
        self.heat_choice.blockSignals(True)
        self.heat_choice.clear()
        for target in report.stance or {}:
            self.heat_choice.addItem(f"kappa: stance {target}", ("stance", target))
        if report.boilerplate is not None:
            self.heat_choice.addItem("kappa: boilerplate lines", ("boilerplate", ""))
        if report.entity is not None:
            self.heat_choice.addItem("F1: entities", ("entity", ""))
        self.heat_choice.blockSignals(False)
        self._draw_heat()
        for combo, items in (
            (self.confusion_target, list(report.stance or {})),
            (
                self.confusion_pair,
                [
                    f"{a} / {b}"
                    for i, a in enumerate(report.annotators)
                    for b in report.annotators[i + 1 :]
                ],
            ),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(items)
            combo.blockSignals(False)
        self._draw_confusion()
        self.disputed.clear()
        for d in report.disputed:
            item = QListWidgetItem(f"article {d.article_id}: {d.items} disputed items")
            item.setData(Qt.ItemDataRole.UserRole, d.article_id)
            self.disputed.addItem(item)

    def _alpha_rows(self, name: str, fig: AlphaFigures, unit: str) -> None:
        top = QTreeWidgetItem([name, f"{fig.units:,} {unit}", "", "", _num(fig.alpha)])
        self.figures.addTopLevelItem(top)
        for p in fig.pairs:
            top.addChild(
                QTreeWidgetItem(
                    [f"{p.a} / {p.b}", f"{p.units:,}", _pct(p.agreement), _num(p.kappa), ""]
                )
            )

    def heat_values(self) -> dict[tuple[str, str], float | None]:
        """The pairwise figure the heat map shows now, for both orders of each pair."""
        report = self.report
        choice = self.heat_choice.currentData()
        if report is None or choice is None:
            return {}
        layer, target = choice
        values: dict[tuple[str, str], float | None] = {}
        if layer == "entity":
            assert report.entity is not None
            for e in report.entity.pairs:
                values[e.a, e.b] = values[e.b, e.a] = e.f1
        else:
            fig = (report.stance or {})[target] if layer == "stance" else report.boilerplate
            assert fig is not None
            for p in fig.pairs:
                values[p.a, p.b] = values[p.b, p.a] = p.kappa
        return values

    def _draw_heat(self) -> None:
        names = self.report.annotators if self.report else []
        values = self.heat_values()
        self.heat.clear()
        self.heat.setRowCount(len(names))
        self.heat.setColumnCount(len(names))
        self.heat.setHorizontalHeaderLabels(names)
        self.heat.setVerticalHeaderLabels(names)
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                value = 1.0 if a == b else values.get((a, b))
                item = QTableWidgetItem("" if a == b else _num(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(heat_colour(value)))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.heat.setItem(i, j, item)

    def confusion_counts(self) -> tuple[list[str], list[list[int]]]:
        """Values and counts (rows: the pair's first annotator) of the chosen target and pair."""
        report = self.report
        target = self.confusion_target.currentText()
        pair = self.confusion_pair.currentText()
        if report is None or not report.stance or target not in report.stance or not pair:
            return [], []
        a, b = pair.split(" / ")
        found = next(p for p in report.stance[target].pairs if (p.a, p.b) == (a, b))
        values = sorted({v for row in found.confusion.values() for v in row} | set(found.confusion))
        counts = [[found.confusion.get(va, {}).get(vb, 0) for vb in values] for va in values]
        return values, counts

    def _draw_confusion(self) -> None:
        values, counts = self.confusion_counts()
        pair = self.confusion_pair.currentText().split(" / ")
        self.confusion.clear()
        self.confusion.setRowCount(len(values))
        self.confusion.setColumnCount(len(values))
        if len(pair) == 2:
            self.confusion.setHorizontalHeaderLabels([f"{pair[1]}: {v}" for v in values])
            self.confusion.setVerticalHeaderLabels([f"{pair[0]}: {v}" for v in values])
        top = max((n for row in counts for n in row), default=0) or 1
        for i, row in enumerate(counts):
            for j, n in enumerate(row):
                item = QTableWidgetItem(str(n))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                shade = 255 - int(120 * n / top)
                item.setBackground(
                    QBrush(QColor(shade, 255, shade) if i == j else QColor(255, shade, shade))
                )
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.confusion.setItem(i, j, item)

    def _activate(self, item: QListWidgetItem) -> None:
        self.open_article.emit(int(item.data(Qt.ItemDataRole.UserRole)))
