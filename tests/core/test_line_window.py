"""A window of line counts: what it holds, in which order it is written, and that a window
planned again after part of it was written plans the same counts without writing twice."""

from __future__ import annotations

import json

from core.suggest.batch import count_lines
from core.suggest.line_window import FIRST_IDS_CAP, CountPlan, Seen, Window, plan_counts

# (id, source, text): emoji, CJK Extension B, RTL and CRLF lines, some repeated.
PAGES = [
    [
        (1, "a.example", "Ikuti kami 📰 setiap hari\nBerita satu\n"),
        (2, "a.example", "Ikuti kami 📰 setiap hari\r\nBerita dua\r\n"),
        (3, "b.example", "𠮷野家 のニュース\nاقرأ أيضا: أخبار\n"),
    ],
    [
        (4, "a.example", "Ikuti kami 📰 setiap hari\nBerita empat\n"),
        (5, "b.example", "اقرأ أيضا: أخبار\nلا شيء\n"),
    ],
]


def apply(table: dict[tuple[str, str], list], plan: CountPlan) -> None:
    """Write a plan into a dict standing for the stored table (row id = position)."""
    rows = {row[0]: key for key, row in table.items()}
    for articles, first_ids, sample, row_id in plan.updates:
        row = table[rows[row_id]]
        row[1], row[2] = articles, first_ids
        row[3] = row[3] or sample
    for source, key, articles, sample, first_ids in plan.new_rows:
        table[(source, key)] = [len(table) + 1, articles, first_ids, sample]


def stored_rows(table: dict, keys: dict[str, list[str]]) -> dict:
    return {
        (source, key): (table[(source, key)][0], table[(source, key)][1], table[(source, key)][2])
        for source, part in keys.items()
        for key in part
        if (source, key) in table
    }


def window_of(pages: list, table: dict) -> Window:
    window = Window(0)
    for page in pages:
        lines = count_lines(page)
        window.add(lines, stored_rows(table, window.unknown(lines)))
        window.upto = page[-1][0]
    return window


def test_a_window_counts_each_line_once_per_article_and_keeps_lone_lines_small() -> None:
    window = window_of(PAGES, {})
    lines = list(window.ordered())
    assert [(s, k) for s, k, _v in lines] == sorted((s, k) for s, k, _v in lines)
    counts = {(s, k): (1 if isinstance(v, int) else len(v.aids)) for s, k, v in lines}
    assert window.size == len(lines) == 7
    assert sorted(counts.values()) == [1, 1, 1, 1, 1, 2, 3]
    footer = next(v for _s, _k, v in lines if isinstance(v, Seen) and len(v.aids) == 3)
    assert footer.aids == [1, 2, 4] and "📰" in footer.sample and footer.stored is None
    lone = [v for _s, _k, v in lines if isinstance(v, int)]
    assert len(lone) == 5  # in one article, not stored: the id alone


def test_a_window_written_in_two_slices_or_resumed_after_the_first_plans_the_same() -> None:
    k = 2
    table: dict[tuple[str, str], list] = {}
    apply(table, plan_counts(list(window_of(PAGES[:1], table).ordered()), k, None))
    # The second page counted against what the first stored: one window, two slices.
    window = window_of(PAGES[1:], table)
    lines = list(window.ordered())
    whole = dict(table), plan_counts(lines, k, None)
    first, second = plan_counts(lines[:2], k, None), plan_counts(lines[2:], k, None)
    assert first.frequent + second.frequent == whole[1].frequent
    assert first.affected | second.affected == whole[1].affected == {3}  # the Arabic line
    # Killed after the first slice: the window is read again against the table as the
    # first slice left it, and the lines up to the mark are planned but not written.
    apply(table, first)
    again = window_of(PAGES[1:], table)
    mark = lines[1][0], lines[1][1]
    resumed = plan_counts(list(again.ordered()), k, mark)
    assert resumed.frequent == whole[1].frequent
    assert whole[1].affected <= resumed.affected
    written = {row[-1] for row in second.updates} | {r[:2] for r in second.new_rows}
    assert {row[-1] for row in resumed.updates} | {r[:2] for r in resumed.new_rows} == written
    apply(table, resumed)
    once = dict(whole[0])
    apply(once, whole[1])
    assert table == once


def test_first_ids_stop_at_the_cap() -> None:
    window = Window(0)
    page: list[tuple[int, str, str | bytes]] = [
        (n, "s", "the same line\n") for n in range(1, FIRST_IDS_CAP + 11)
    ]
    window.add(count_lines(page), {})
    (plan_line,) = plan_counts(list(window.ordered()), 2, None).new_rows
    assert plan_line[2] == FIRST_IDS_CAP + 10
    assert json.loads(plan_line[4]) == list(range(1, FIRST_IDS_CAP + 1))
