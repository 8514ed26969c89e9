"""Opening an article in review mode: judgements of every finisher, gold, the lanes and the
highlighted text, on the agreement benchmark's articles (~3,000 characters, ~35 entities and
a few boilerplate lines per annotator, three annotators).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_review.py [--articles N] [--rounds N]

Uses (and if needed builds, via bench_agreement.py) bench/out/agreement-N-3000.tandai, copied
aside so the benchmark's gold labels stay out of it; times ``show_article`` in review mode
(read, draw, paint once) for ``rounds`` articles. Goal from the issue: 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.bench_agreement import OUT, build_project  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.workers import running_jobs  # noqa: E402
from storage import Project  # noqa: E402


def settle(app: QApplication, window: MainWindow) -> None:
    """Let the window's background jobs (the catch-up after opening) finish."""
    while any(job.is_running() for job in running_jobs()):
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    source = build_project(args.articles, 3000, fresh=False)
    path = OUT / f"review-{args.articles}.tandai"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, path)
    app = QApplication([])
    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(str(OUT / "review-settings.ini"), QSettings.Format.IniFormat)
    project = Project.open(path, exclusive=True)
    window = MainWindow(project, "lea", settings=settings)
    window.show()
    app.processEvents()
    ids = list(project.article_ids())[: args.rounds + 1]
    ws = window.workspace

    def timed_opens() -> tuple[list[float], list[float]]:
        """Wall and CPU milliseconds of each open, sorted (the machine is shared: CPU time
        is the steadier figure)."""
        times, cpu = [], []
        for aid in ids[1:]:
            started, cpu_started = time.perf_counter(), time.process_time()
            ws.show_article(aid)
            ws.view.text.viewport().repaint()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            app.processEvents()
        return sorted(times), sorted(cpu)

    ws.show_article(ids[0])
    # The copied project's catch-up (search index, suggesters' first pass) runs in a thread
    # of this process: while it runs, its CPU counts in the process time of every open and
    # it competes for the interpreter, so the opens are timed once it has finished.
    settle(app, window)
    plain = timed_opens()  # the same articles, annotating as usual: the baseline
    ws.enter_review(ids[0])
    app.processEvents()
    review = timed_opens()
    items = len(ws.review.review.items) if ws.review and ws.review.review else 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    for name, (times, cpu) in (("open as usual", plain), ("open in review", review)):
        print(
            f"{name}: wall median {statistics.median(times):.1f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms; CPU median "
            f"{statistics.median(cpu):.1f} ms, p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms "
            f"over {len(times)} articles (goal in review 50 ms; last article: {items} items; "
            f"load average {load} on {os.cpu_count()} cores)"
        )
    window.close()
    project.close()


if __name__ == "__main__":
    main()
