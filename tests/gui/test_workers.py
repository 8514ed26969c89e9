"""Background jobs report progress, deliver results and errors, and stop when cancelled."""

from __future__ import annotations

import time

from gui.workers import Job, JobControl


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
