"""The suggesters' repeated-line count: windows of counts written in key order, a slice a
commit, under a mark that makes a window written over several commits safe to stop, to
kill, and to share with another process counting the same project."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from core.suggest.repeated import RepeatedLineIndex
from storage import Project
from storage.repeated_lines import COUNT_BATCH
from tests.storage.test_suggestion_workers import ROOT, article, expected, prepared, stored


def test_a_run_stopped_while_counting_lines_drops_the_window_and_the_next_counts_it(
    project: Project,
) -> None:
    """A stop heard while a window is read writes nothing of it (closing the project must
    not wait for its write); the next run counts those articles again."""
    prepared(project, COUNT_BATCH + 200)
    phases: list[str] = []
    report = project.suggestions.run_suggesters(
        only_new=True,
        on_progress=lambda p: phases.append(p.phase),
        should_stop=lambda: bool(phases),  # after the first page of counting
    )
    assert report.stopped and report.articles == 0 and phases == ["index"]
    assert stored(project) == Counter()
    assert project.get_setting("suggest.repeated_upto") is None
    assert _table(project) == []
    report = project.suggestions.run_suggesters(only_new=True)
    assert not report.stopped and report.articles == COUNT_BATCH + 200
    assert stored(project) == expected(project)


def test_a_stop_between_two_commits_of_a_window_leaves_its_mark_and_the_next_run_goes_on(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop heard while a window is written ends it after the commit under way; the
    window's mark says how far it got, and the next run writes only the rest of it."""
    import storage.repeated_lines as rl

    for name in ("SLICE_START", "SLICE_MIN", "SLICE_MAX"):
        monkeypatch.setattr(rl, name, 5)
    prepared(project, 300)
    project.suggestions.update_repeated_index(
        should_stop=lambda: project.get_setting(rl.WINDOW_MARK) is not None
    )
    mark = project.get_setting(rl.WINDOW_MARK)
    assert mark is not None and mark[0] == max(project.article_ids())
    assert project.get_setting("suggest.repeated_upto") is None
    assert len(_table(project)) == 5  # one commit of five lines
    report = project.suggestions.run_suggesters(only_new=True)
    assert not report.stopped and report.articles == 300
    assert project.get_setting(rl.WINDOW_MARK) is None
    assert {(s, k): n for s, k, n, _sample, _ids in _table(project)} == _reference_counts(project)
    assert stored(project) == expected(project)


def test_lines_counted_by_another_process_meanwhile_are_not_counted_twice(
    project: Project, project_target: str
) -> None:
    """The counting reads the stored counts before taking the write lock; a count that
    moved meanwhile (another run counted the same articles) stops it instead of adding
    the same articles again."""
    prepared(project, 2 * COUNT_BATCH + 200)
    other_ran: list[int] = []

    def other_counts(progress: object) -> None:
        if not other_ran:
            with Project.open(project_target) as other:
                other.suggestions.update_repeated_index()
            other_ran.append(1)

    project.suggestions.run_suggesters(only_new=True, on_progress=other_counts)
    assert other_ran
    index = RepeatedLineIndex()
    for a in (project.article(aid) for aid in project.article_ids()):
        index.add(a.source, a.text)
    rows = project.db.execute_sql("SELECT source, key, articles FROM repeated_line").fetchall()
    assert {(s, k): n for s, k, n in rows} == dict(index._counts)
    assert stored(project) == expected(project)


def test_the_count_sizes_its_slices_by_how_long_they_hold_the_write_lock() -> None:
    """A commit over COUNT_HOLD_MS makes the next ones smaller in proportion, never below
    SLICE_MIN; short ones let them grow back a quarter at a time, up to SLICE_MAX."""
    from storage.repeated_lines import COUNT_HOLD_MS, SLICE_MAX, SLICE_MIN, next_slice_size

    assert next_slice_size(4000, COUNT_HOLD_MS / 2) == 5000
    assert next_slice_size(4000, COUNT_HOLD_MS * 2) == 2000
    assert next_slice_size(4000, COUNT_HOLD_MS * 1000) == SLICE_MIN
    assert next_slice_size(SLICE_MAX, COUNT_HOLD_MS / 10) == SLICE_MAX
    assert next_slice_size(SLICE_MIN, 0.0) == SLICE_MIN + SLICE_MIN // 4


def _table(project: Project) -> list[tuple]:
    return project.db.execute_sql(
        'SELECT source, key, articles, sample, first_ids FROM "repeated_line" ORDER BY source, key'
    ).fetchall()


def _reference_counts(project: Project) -> dict[tuple[str, str], int]:
    index = RepeatedLineIndex()
    for a in (project.article(aid) for aid in project.article_ids()):
        index.add(a.source, a.text)
    return dict(index._counts)


def test_windows_and_slices_of_any_size_store_the_same_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows of a few lines written a few lines a commit (every commit over its time)
    store the same table, samples and first ids, and the same suggestions, as one window:
    the counts a line gathers across windows and pages add up."""
    import storage.repeated_lines as rl

    monkeypatch.setattr(rl, "COUNT_BATCH", 40)
    monkeypatch.setattr(rl, "SLICE_MIN", 2)
    tables: list[list] = []
    changes: list[int] = []
    for window, hold_ms in ((10**9, 1e9), (25, 1e-9)):
        monkeypatch.setattr(rl, "WINDOW_LINES", window)
        monkeypatch.setattr(rl, "COUNT_HOLD_MS", hold_ms)
        with Project.create(tmp_path / f"p{len(tables)}.tandai") as project:
            project.imports.store_articles(article(n) for n in range(150))
            project.suggestions.update_repeated_index()
            assert project.get_setting(rl.WINDOW_MARK) is None
            assert project.get_setting("suggest.repeated_upto") == max(project.article_ids())
            table = _table(project)
            assert {(s, k): n for s, k, n, _sample, _ids in table} == _reference_counts(project)
            changes.append(_row_changes(project))
            project.suggestions.run_suggesters(only_new=True)
            tables.append([*table, sorted(stored(project).items())])
    assert tables[0] == tables[1] and len(tables[0]) > 20
    # Each commit of a window sets its mark once: at most 2 lines a commit, the small
    # windows made at least half as many mark writes as there are lines.
    assert changes[1] >= changes[0] + (len(tables[0]) - 1) // 2


def _row_changes(project: Project) -> int:
    """Rows this connection inserted, updated or deleted since the project was opened."""
    return int(project.db.execute_sql("SELECT total_changes()").fetchone()[0])


COUNT_KILLED = """
import sys
import storage.repeated_lines as rl
from storage import Project
rl.SLICE_START = rl.SLICE_MIN = rl.SLICE_MAX = 3  # many commits in one window
with Project.open(sys.argv[1]) as project:
    project.suggestions.update_repeated_index()
"""


@pytest.mark.slow
def test_a_count_killed_between_the_commits_of_a_window_counts_no_line_twice(
    tmp_path: Path,
) -> None:
    """SIGKILL while a window is partly written (its mark set): the next run reads the
    window's articles again, writes only the lines after the mark, and the table and the
    suggestions are those of an uninterrupted count, first ids and samples included."""
    from storage.repeated_lines import WINDOW_MARK

    target, whole = tmp_path / "p.tandai", tmp_path / "whole.tandai"
    for path in (target, whole):
        with Project.create(str(path)) as project:
            prepared(project, 600)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", COUNT_KILLED, str(target)], env=env, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    mark = None
    while proc.poll() is None and time.monotonic() < deadline and mark is None:
        time.sleep(0.01)
        with contextlib.suppress(sqlite3.OperationalError):
            mark = _setting(target, WINDOW_MARK)
    proc.kill()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    mark = _setting(target, WINDOW_MARK)
    assert mark is not None, "killed outside a window"
    with Project.open(str(target)) as project:
        half = len(_table(project))
        assert half > 0
        project.suggestions.run_suggesters(only_new=True)
        assert project.get_setting(WINDOW_MARK) is None
        table = _table(project)
        assert len(table) > half
        assert {(s, k): n for s, k, n, _sample, _ids in table} == _reference_counts(project)
        assert stored(project) == expected(project)
    with Project.open(str(whole)) as project:
        project.suggestions.run_suggesters(only_new=True)
        assert _table(project) == table


def _setting(path: Path, key: str) -> object:
    """A project setting as another process committed it (None if unset)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (f"setting:{key}",)).fetchone()
    finally:
        conn.close()
    return None if row is None else json.loads(row[0])


@pytest.mark.parametrize("mode", ["never", "always", "refilled"])
def test_the_key_filter_spares_probes_and_changes_no_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """A run that keeps a filter of the stored keys asks the table about the stored lines
    it meets and few of its new ones, and stores the same table, samples and first ids as
    a run that asks about all of them; so does one whose filter keeps filling up and is
    made again, larger, from the table. The second import meets lines stored by the first
    (footers, headers) and lines of its own."""
    import core.suggest.key_filter as kf
    import storage.repeated_lines as rl

    monkeypatch.setattr(rl, "COUNT_BATCH", 40)
    monkeypatch.setattr(rl, "WINDOW_LINES", 60)
    monkeypatch.setattr(rl, "FILTER_FROM", -1 if mode == "never" else 10**9)
    if mode == "refilled":
        monkeypatch.setattr(kf, "MIN_CAPACITY", 1)
        monkeypatch.setattr(rl, "FILTER_MARGIN", 0.01)
        monkeypatch.setattr(rl, "FILTER_PAGE", 7)  # made from many pages
    probed: set[str] = set()
    made: list[int] = []
    ask, make = rl.RepeatedLines._stored_counts, rl.RepeatedLines._key_filter

    def asking(self: rl.RepeatedLines, keys: dict[str, list[str]]) -> dict:
        probed.update(key for part in keys.values() for key in part)
        return ask(self, keys)

    def making(self: rl.RepeatedLines, capacity: float, stop: Callable[[], bool]) -> object:
        made.append(int(capacity))
        return make(self, capacity, stop)

    monkeypatch.setattr(rl.RepeatedLines, "_stored_counts", asking)
    monkeypatch.setattr(rl.RepeatedLines, "_key_filter", making)
    with Project.create(tmp_path / "p.tandai") as project:
        prepared(project, 150)
        project.suggestions.update_repeated_index()
        before = {row[1] for row in _table(project)}
        project.imports.store_articles(article(n) for n in range(150, 230))
        probed.clear()
        project.suggestions.update_repeated_index()
        table = _table(project)
        assert {(s, k): n for s, k, n, _sample, _ids in table} == _reference_counts(project)
        project.suggestions.run_suggesters(only_new=True)
        assert stored(project) == expected(project)
    met = {row[1] for row in table if json.loads(row[4])[-1] > 150}  # in the 2nd import
    assert met & before and met - before  # both kinds, or the test shows nothing
    assert met & before <= probed  # a stored line is always asked about
    new_asked = len(probed & (met - before)) / len(met - before)
    if mode == "never":
        assert made == [] and new_asked == 1
    elif mode == "always":
        assert new_asked < 0.1 and len(made) == 2  # one a run
    else:
        assert len(made) > 4


def test_a_stop_while_the_key_filter_is_made_ends_the_run_before_its_first_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the stored keys into the filter takes seconds at a million, so a stop is
    heard between its pages: the run writes nothing, and the next run counts it all."""
    import storage.repeated_lines as rl

    monkeypatch.setattr(rl, "COUNT_BATCH", 40)
    monkeypatch.setattr(rl, "FILTER_FROM", 10**9)
    monkeypatch.setattr(rl, "FILTER_PAGE", 3)
    with Project.create(tmp_path / "p.tandai") as project:
        prepared(project, 150)
        project.suggestions.update_repeated_index()
        before, upto = _table(project), project.get_setting("suggest.repeated_upto")
        project.imports.store_articles(article(n) for n in range(150, 230))
        asked: list[int] = []

        def stop_at_second() -> bool:  # the first is the count's, after its first page
            asked.append(1)
            return len(asked) >= 2

        made: list[object] = []
        make = rl.RepeatedLines._key_filter

        def making(self: rl.RepeatedLines, capacity: float, stop: Callable[[], bool]) -> object:
            made.append(make(self, capacity, stop))
            return made[-1]

        monkeypatch.setattr(rl.RepeatedLines, "_key_filter", making)
        project.suggestions.update_repeated_index(should_stop=stop_at_second)
        assert made == [None]  # heard while the filter was made
        assert _table(project) == before
        assert project.get_setting("suggest.repeated_upto") == upto
        assert project.get_setting(rl.WINDOW_MARK) is None
        project.suggestions.update_repeated_index()
        table = _table(project)
        assert {(s, k): n for s, k, n, _sample, _ids in table} == _reference_counts(project)
