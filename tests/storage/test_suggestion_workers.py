"""A suggesters' run stores exactly what each core suggester proposes for each article,
whether its text work runs in this process (a small run) or in worker processes (a large
one, or beside the languages in ``process_pending``)."""

from __future__ import annotations

import contextlib
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
