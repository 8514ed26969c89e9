"""``Project.end_thread``: a background job closes its own thread's connection, not the
UI thread's (peewee keeps one connection per thread)."""

from __future__ import annotations

import threading
from pathlib import Path

from storage import Project


def test_end_thread_closes_only_the_calling_threads_connection(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.tandai") as project:
        project.count_articles()  # the main thread's connection is open
        seen: dict[str, bool] = {}

        def job() -> None:
            project.count_articles()
            seen["open in the job"] = not project.db.is_closed()
            project.end_thread()
            seen["closed after end_thread"] = project.db.is_closed()

        worker = threading.Thread(target=job)
        worker.start()
        worker.join()
        assert seen == {"open in the job": True, "closed after end_thread": True}
        assert not project.db.is_closed()
        assert project.count_articles() == 0
