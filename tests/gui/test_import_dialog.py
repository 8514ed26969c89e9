"""The import dialog runs a real import in the background, shows progress, can be cancelled."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from gui.import_dialog import ImportDialog
from storage import Project

BODY = (
    "Pemerintah kota mengirim bantuan kepada warga desa yang terkena banjir besar pada hari "
    "Rabu, kata pejabat senior kepada wartawan."
)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "imp.tandai") as proj:
        yield proj


def finish(qtbot, dialog: ImportDialog, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: dialog.close_button.isVisible(), timeout=timeout)


def test_import_of_real_files_shows_progress_summary_and_problems(
    qtbot, project: Project, tmp_path: Path
) -> None:
    jsonl = tmp_path / "berita.jsonl"
    jsonl.write_text(
        json.dumps({"title": "Banjir 👨🏻‍🚒", "text": BODY}, ensure_ascii=False)
        + "\n{broken json\n"
        + json.dumps({"title": "no text"})
        + "\n",
        "utf-8",
    )
    csv = tmp_path / "news.csv"
    csv.write_text(
        "title,text,source\nFlood,The city sent aid to the villagers hit by the flood.,a.example\n"
        "bad,row\n",
        "utf-8",
    )
    txt = tmp_path / "artikel.txt"
    txt.write_text(
        "Judul 𠮷\n\nIsi artikel yang cukup panjang untuk dikenali bahasanya.\n", "utf-8"
    )
    dialog = ImportDialog(project, [jsonl, csv, txt])
    qtbot.addWidget(dialog)
    phases: list[str] = []
    messages: list[str] = []
    dialog.show()
    dialog.job.progressed.connect(lambda d, t, text: phases.append(text.split("\t")[0]))
    dialog.job.progressed.connect(lambda d, t, text: messages.append(text.split("\t")[1]))
    finish(qtbot, dialog)

    report = dialog.report
    assert report is not None and not report.cancelled
    assert report.imported == 3 and report.skipped_total == 3
    assert project.count_articles() == 3
    assert project.imports.pending_languages() == 0  # languages detected in the same job
    assert {"languages", "index"} <= set(phases)
    assert messages[-1].startswith("Indexing for search: 3 of 3")
    assert messages[-1].endswith("· 3 problems so far")
    assert dialog.summary_label.text() == report.summary()
    assert report.records == report.imported + report.duplicates + report.skipped_total == 6
    assert dialog.summary_label.text().startswith(
        "6 records read: 3 imported, 0 duplicates skipped, 3 skipped (3 files)"
    )
    problems = dialog.problems.toPlainText().splitlines()
    assert any(p.startswith(f"{jsonl}:2: ") and "JSON" in p for p in problems)
    assert any(p.startswith(f"{csv}:3: ") for p in problems)
    assert dialog.phase_label.text() == "Done."
    assert dialog.bar.value() == dialog.bar.maximum()


def test_cancel_stops_a_long_import_and_keeps_what_was_stored(
    qtbot, project: Project, tmp_path: Path
) -> None:
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as fh:
        for i in range(60_000):
            fh.write(json.dumps({"id": i, "title": f"t{i}", "text": f"{BODY} {i}"}) + "\n")
    # Many small commits, each a place where the Cancel is heard: on a loaded machine the
    # whole file could otherwise be stored in the second or two before the click lands.
    project.imports.commit_bytes = 256 << 10
    dialog = ImportDialog(project, [big])
    qtbot.addWidget(dialog)
    # the window keeps painting: a timer in the GUI thread keeps firing during the import
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.bar.value() > 0, timeout=30_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.phase_label.text().startswith("Stopping")
    finish(qtbot, dialog)
    timer.stop()

    report = dialog.report
    assert report is not None and report.cancelled
    assert report.imported < 60_000
    assert project.count_articles() == report.imported  # whole batches only
    assert "Stopped before the end" in dialog.summary_label.text()
    # The timer kept firing from start to finish (on a quiet machine the stopped import
    # lasts only a few ticks: what counts is that no gap between two is long).
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) >= 2 and max(gaps) < 0.5, f"GUI thread stalled {max(gaps):.2f} s"

    # running the same import again completes it
    again = ImportDialog(project, [big], detect=False)
    qtbot.addWidget(again)
    again.show()
    finish(qtbot, again, timeout=120_000)
    assert again.report.imported + report.imported == 60_000
    assert again.report.duplicates == report.imported
    assert project.count_articles() == 60_000


def test_closing_the_dialog_while_it_runs_cancels_instead_of_closing(
    qtbot, project: Project, tmp_path: Path
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(
        "".join(json.dumps({"text": f"{BODY} {i}"}) + "\n" for i in range(30_000)), "utf-8"
    )
    dialog = ImportDialog(project, [big], detect=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()  # Esc
    assert dialog.isVisible()
    finish(qtbot, dialog)
    assert dialog.report.cancelled
    dialog.close_button.click()
    assert not dialog.isVisible()
