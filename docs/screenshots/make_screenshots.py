"""Screenshots of the workspace at the two small-screen sizes the README shows.

    .venv/bin/python docs/screenshots/make_screenshots.py            # writes docs/*.png
    .venv/bin/python docs/screenshots/make_screenshots.py --show 1024x600   # a window to look at

The real main window on the sample project (built in a temporary folder, with temporary
settings: a person's own profile is never read or written), the first article with a few
labels and a stance, once the background has detected the languages. Offscreen
(``QT_QPA_PLATFORM=offscreen``) it grabs the window as Qt paints it; ``--show`` leaves the
window open at that size instead, for /work/shared/tools/screenshot or a person.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.first_start import ensure_default_project  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from storage import Project  # noqa: E402

SIZES = ((1024, 600), (1366, 768))
ANNOTATOR = "ani"
LABELLED = (("Tanjung Sekar", "LOC"), ("Hendra Wiratama", "PER"), ("Kabarberita", "ORG"))


def sample_project(folder: Path) -> Path:
    """The sample project with a few of the first article's names labelled."""
    path = ensure_default_project(folder / "sample.tandai")
    with Project.open(path) as project:
        first = project.navigation.first_article_id()
        assert first is not None
        text = project.article(first).text
        project.edits.act_as(ANNOTATOR)
        names = {e.name for e in project.schema().entity_labels}
        for word, label in LABELLED:
            at = text.find(word)
            if at >= 0 and label in names:
                project.labels.add_span(
                    first,
                    annotator=ANNOTATOR,
                    layer="entity",
                    label=label,
                    start=at,
                    end=at + len(word),
                )
    return path


def settle(app: QApplication, window: MainWindow, seconds: float = 20.0) -> None:
    """Let the background catch-up finish (languages, suggestions) and the window repaint."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        job = window.catch_up.job if window.catch_up is not None else None
        if job is None or not job.is_running():
            break
        time.sleep(0.05)
    for _ in range(20):
        app.processEvents()


def open_window(app: QApplication, folder: Path, width: int, height: int) -> MainWindow:
    settings = QSettings(str(folder / f"settings-{width}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Project.open(folder / "sample.tandai"), ANNOTATOR, settings=settings)
    window.resize(width, height)
    window.show()
    settle(app, window)
    window.resize(width, height)  # after the first show's dock sizing
    settle(app, window, 1.0)
    return window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", metavar="WxH", help="leave a window of this size open")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    app = QApplication([sys.argv[0]])
    QStandardPaths.setTestModeEnabled(True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample_project(folder)
        if args.show:
            width, height = (int(n) for n in args.show.split("x"))
            window = open_window(app, folder, width, height)
            code = app.exec()
            window.project.close()
            return code
        for width, height in SIZES:
            window = open_window(app, folder, width, height)
            image = window.grab().toImage()
            # A UI needs few colours: 8-bit indexed keeps the PNG small for the repository.
            image = image.convertToFormat(QImage.Format.Format_Indexed8)
            target = args.out / f"workspace-{width}x{height}.png"
            image.save(str(target), "PNG")
            print(f"{target}: {window.width()}x{window.height()}, {target.stat().st_size:,} bytes")
            window.close()
            window.project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
