"""Background jobs report progress, deliver results and errors, and stop when cancelled."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import shiboken6
from PySide6.QtCore import QObject

from gui import workers
from gui.workers import Job, JobControl, running_jobs


def test_job_reports_progress_and_result(qtbot) -> None:
    seen: list[tuple[int, int, str]] = []

    def work(control: JobControl) -> int:
        for i in range(3):
            control.progress(i + 1, 3, f"step {i + 1}")
        return 42

    job = Job(work)
    job.progressed.connect(lambda d, t, s: seen.append((d, t, s)))
    with qtbot.waitSignal(job.succeeded, timeout=5000) as result:
        job.start()
    assert result.args == [42]
    qtbot.waitUntil(lambda: len(seen) == 3)
    assert seen[-1] == (3, 3, "step 3")
    job.wait()


def test_job_error_is_delivered_as_a_message(qtbot) -> None:
    def work(control: JobControl) -> None:
        raise ValueError("rusak")

    job = Job(work)
    with qtbot.waitSignal(job.failed, timeout=5000) as result:
        job.start()
    assert result.args[0].startswith("ValueError: rusak (the details are in ")
    job.wait()


def test_cancel_is_seen_by_the_running_job(qtbot) -> None:
    def work(control: JobControl) -> str:
        deadline = time.monotonic() + 10
        while not control.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        return "stopped" if control.cancelled else "ran out"

    job = Job(work)
    with qtbot.waitSignal(job.succeeded, timeout=5000) as result:
        job.start()
        job.cancel()
    assert result.args == ["stopped"]
    job.wait()


def test_a_job_outliving_its_owner_relays_nothing_and_is_retired(qtbot) -> None:
    """A dialog closed while its job runs: the job is cancelled, delivers nothing to the
    dead owner and is still retired (on the UI thread) once its thread has returned."""
    owner = QObject()
    delivered: list[object] = []
    release = threading.Event()

    def work(control: JobControl) -> str:
        release.wait(5)
        control.progress(1, 1, "late")
        return "cancelled" if control.cancelled else "ran"

    job = Job(work, owner=owner)
    job.succeeded.connect(delivered.append)
    job.progressed.connect(lambda *args: delivered.append(args))
    job.start()
    shiboken6.delete(owner)
    assert job.control.cancelled
    release.set()
    assert job.wait(5000)
    qtbot.waitUntil(lambda: job not in workers._alive)
    assert delivered == []
    assert running_jobs() == []


def test_jobs_nobody_holds_are_freed_on_the_ui_thread(qtbot) -> None:
    """Fire-and-forget jobs (the list's count) while the worker threads run the garbage
    collector: a Job must never be freed by its own worker thread (that destroyed a running
    QThread: an intermittent crash)."""
    freed_in: list[str] = []
    results: list[int] = []

    def work(control: JobControl) -> int:
        gc.collect()
        return threading.get_ident()

    for _ in range(40):
        job = Job(work)
        job.succeeded.connect(results.append)
        weakref.finalize(job, lambda: freed_in.append(threading.current_thread().name))
        job.start()
        del job
    qtbot.waitUntil(lambda: len(results) == 40 and not workers._alive, timeout=10_000)
    gc.collect()
    assert len(freed_in) == 40
    assert set(freed_in) == {threading.main_thread().name}
