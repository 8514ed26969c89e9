"""A suggesters' run stores exactly what each core suggester proposes for each article,
whether its text work runs in this process (a small run) or in worker processes (a large
one, or beside the languages in ``process_pending``)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core.models import NewArticle
from core.suggest.base import split_lines
from core.suggest.gazetteer import gazetteer_from_patterns
from core.suggest.repeated import RepeatedLineIndex
from core.suggest.rules import Rule, RuleMatcher
from core.suggest.shape import suggest_lines as shape_lines
from storage import Project
from storage.repeated_lines import COUNT_BATCH, POOL_FROM

ROOT = Path(__file__).resolve().parents[2]

FOOTER = "Ikuti berita terkini Kabar Nusa 📰 di saluran kami setiap hari"
PATTERNS = [
    '{"label": "GPE", "pattern": "Kyïv"}',
    '{"label": "ORG", "pattern": "𠮷野 家"}',
    '{"label": "GPE", "pattern": "القاهرة"}',
]
RULE = Rule("prefix", "اقرأ أيضا:")


def article(n: int) -> NewArticle:
    """One of five layouts (emoji, CJK Extension B, RTL, CRLF input), numbered so that
    no two texts are equal."""
    kind = n % 5
    body = (
        f"Pasukan {n} dilaporkan bergerak ke Kyïv pada Rabu pagi 👨🏻‍🚒, kata pejabat "
        "yang tidak mau disebut namanya kepada wartawan di ibu kota."
    )
    if kind == 0:
        text = f"Beranda | Berita\n\nSenin, 9 Desember 2024 10:15 WIB\n{body}\n\n{FOOTER}\n"
    elif kind == 1:
        text = (
            f"𠮷野家 のニュース {n}\n\n{body}\n𠮷野 家 は東京にある店で、今日も多くの客が来た。"
            f"\nBaca juga: 𠮷野 家 buka cabang baru\n{FOOTER}"
        )
    elif kind == 2:
        text = (
            f"مرحبا بالعالم {n}\n\nوصل الوفد إلى القاهرة صباح الأربعاء وقال المتحدث إن "
            "المحادثات ستستمر حتى نهاية الأسبوع المقبل في العاصمة.\n"
            "اقرأ أيضا: أخبار القاهرة اليوم\nhttps://kabar.example/berita/1\n"
        )
    elif kind == 3:
        text = f"Oleh: Rina Kartika | Editor: Dodi\r\n\r\n{body}\r\nBaca juga: Kursk 🔥\r\n{FOOTER}"
    else:
        text = f"  {body}  \n\n  Tinggalkan komentar  \nWhatsApp\n{FOOTER}"
    return NewArticle(text=text, title=f"Berita {n}", source=f"site{n % 3}.example")


def expected(project: Project) -> Counter[tuple[int, str, str, int, int, str]]:
    """What every suggester proposes, each asked directly, article by article."""
    lexicon = project.suggestions.lexicon()
    rules = RuleMatcher([RULE])
    patterns = gazetteer_from_patterns(project.suggestions.entity_patterns())
    own = project.suggestions.own_label_gazetteer()
    index = RepeatedLineIndex(min_articles=project.suggestions.repeated_min_articles())
    articles = [project.article(aid) for aid in project.article_ids()]
    for a in articles:
        index.add(a.source, a.text)
    out: Counter[tuple[int, str, str, int, int, str]] = Counter()
    for a in articles:
        found = [*lexicon.suggest(a.text), *index.suggest(a.source, a.text)]
        found += rules.suggest(a.text)
        starts = {line.start: line.index for line in split_lines(a.text)}
        known = {starts[p.start] for p in found}
        for line in shape_lines(split_lines(a.text), title=a.title, known=known):
            out[(a.id, "boilerplate", "boilerplate", line.start, line.end, "shape")] += 1
        found += patterns.match(a.text, source="patterns") + own.match(a.text, source="own-labels")
        for p in found:
            out[(a.id, p.layer, p.label, p.start, p.end, p.source)] += 1
    return out


def stored(project: Project) -> Counter[tuple[int, str, str, int, int, str]]:
    rows = project.db.execute_sql(
        'SELECT article_id, layer, label, start, "end", source FROM suggestion'
    ).fetchall()
    return Counter(tuple(r) for r in rows)


def workers_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepared(project: Project, count: int) -> None:
    project.imports.store_articles(article(n) for n in range(count))
    project.suggestions.add_rule(RULE)
    added, problems = project.suggestions.load_patterns(PATTERNS)
    assert (added, problems) == (3, [])
    first = next(project.article_ids())
    text = project.article(first).text
    start = text.index("Kyïv")
    project.labels.add_span(
        first, annotator="ani", layer="entity", label="LOC", start=start, end=start + 4
    )


@pytest.mark.parametrize("count", [40, POOL_FROM + 100], ids=["in-process", "workers"])
def test_a_run_stores_what_each_suggester_proposes_article_by_article(
    project: Project, count: int
) -> None:
    prepared(project, count)
    before = workers_cpu()
    report = project.suggestions.run_suggesters()
    assert (workers_cpu() > before) == (count >= POOL_FROM)
    want = expected(project)
    assert stored(project) == want
    assert report.articles == count and sum(report.stored.values()) == sum(want.values())
    sources = {key[5] for key in want}
    assert {"lexicon", "repeated", "shape", "patterns", "own-labels", RULE.source} <= sources
    # Offsets are code points of the stored text; a CRLF line ends before its "\r".
    ids = sorted(project.article_ids())
    crlf = project.article(ids[3])
    assert "\r\n" in crlf.text
    texts = {
        (s.source, crlf.text[s.start : s.end]) for s in project.suggestions.suggestions(ids[3])
    }
    assert ("lexicon", "Baca juga: Kursk 🔥") in texts
    assert ("shape", "Oleh: Rina Kartika | Editor: Dodi") in texts
    cjk_text = project.article(ids[1]).text
    cjk = {cjk_text[s.start : s.end] for s in project.suggestions.suggestions(ids[1])}
    assert {"Baca juga: 𠮷野 家 buka cabang baru", FOOTER, "𠮷野家", "𠮷野 家"} <= cjk


@pytest.mark.slow
def test_the_first_pass_beside_the_languages_stores_the_same_as_a_run_of_its_own(
    project: Project,
) -> None:
    """``process_pending`` shares its worker processes between the languages and the
    suggesters; the suggestions are those of a plain run."""
    prepared(project, POOL_FROM + 100)
    project.imports.process_pending(near_duplicates=False)
    assert stored(project) == expected(project)
    assert project.suggestions.pending_suggestions() == 0
    assert project.imports.pending_languages() == 0


RUN = """
import sys
from storage import Project
with Project.open(sys.argv[1]) as project:
    project.suggestions.run_suggesters(only_new=True)
"""


def _marks(path: Path) -> tuple[int, int]:
    """(suggest.done_upto, suggest.repeated_upto) as another process committed them."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        rows = dict(
            conn.execute(
                "SELECT key, value FROM meta WHERE key IN"
                " ('setting:suggest.done_upto', 'setting:suggest.repeated_upto')"
            ).fetchall()
        )
    finally:
        conn.close()
    return (
        int(rows.get("setting:suggest.done_upto", 0)),
        int(rows.get("setting:suggest.repeated_upto", 0)),
    )


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["counting", "suggesting"])
def test_a_run_killed_with_its_workers_busy_is_completed_by_the_next(
    tmp_path: Path, phase: str
) -> None:
    """SIGKILL while the workers count lines or analyse texts: the project stays valid,
    the workers end with their parent, and the next run stores exactly what one
    uninterrupted run stores."""
    target = tmp_path / "p.tandai"
    count = 2 * COUNT_BATCH + 500
    with Project.create(str(target)) as project:
        prepared(project, count)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, str(target)], env=env, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        with contextlib.suppress(sqlite3.OperationalError):
            done, counted = _marks(target)
            if (phase == "counting" and counted > 0) or (phase == "suggesting" and done > 0):
                break
    children = _children(proc.pid)
    proc.kill()
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it was killed"
    done, counted = _marks(target)
    assert done < count
    _wait_gone(children)
    with Project.open(str(target)) as project:
        assert project.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        project.suggestions.run_suggesters(only_new=True)
        assert stored(project) == expected(project)
        assert project.suggestions.pending_suggestions() == 0


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
    return out


def _wait_gone(pids: list[int], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    left = list(pids)
    while left and time.monotonic() < deadline:
        left = [p for p in left if Path(f"/proc/{p}").exists() and not _zombie(p)]
        time.sleep(0.05)
    assert not left, f"worker processes outlived their parent: {left}"


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    return True


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
