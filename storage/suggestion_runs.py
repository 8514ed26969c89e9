"""Running the suggesters over a project and keeping their suggestions up to date.

Configuration lives in :mod:`storage.suggestion_settings`, the repeated-line index in
:mod:`storage.repeated_lines`; this module reads articles in pages, asks the ``core.suggest``
suggesters, and writes what changed.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import pickle
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.suggest.base import BOILERPLATE_SOURCES, Proposal, split_lines
from core.suggest.batch import (
    ArticleAnalysis,
    RunSuggesters,
    TextRow,
    analyse_many,
    as_text,
)
from core.suggest.boilerplate import BoilerplateSuggesters
from core.suggest.gazetteer import Gazetteer, gazetteer_from_patterns
from core.suggest.rules import Rule, RuleMatcher
from core.workers import default_workers, in_order, process_pool
from storage.own_labels import OwnLabels, phrase_key
from storage.repeated_lines import AHEAD, BATCH, POOL_FROM, RepeatedLines, SuggestProgress
from storage.suggestion_settings import SuggestionSettings, bundled_lexicon_data

if TYPE_CHECKING:
    pass

ENTITY_SOURCES = ("own-labels", "patterns")


ALL_SOURCES = (*BOILERPLATE_SOURCES, *ENTITY_SOURCES)
__all__ = ["ALL_SOURCES", "SuggestProgress", "SuggestReport", "bundled_lexicon_data"]


@dataclass
class SuggestReport:
    articles: int = 0
    stored: Counter[str] = field(default_factory=Counter)
    removed: int = 0
    stopped: bool = False

    def summary(self) -> str:
        parts = ", ".join(f"{n:,} {src}" for src, n in sorted(self.stored.items())) or "none new"
        text = f"{self.articles:,} articles looked at; suggestions stored: {parts}"
        if self.removed:
            text += f"; {self.removed:,} outdated removed"
        return text + (" (stopped early)" if self.stopped else "")


class SuggestionRuns(RepeatedLines, SuggestionSettings, OwnLabels):
    """Running the suggesters; a piece of ``project.suggestions``."""

    if TYPE_CHECKING:  # provided by Suggestions

        def _insert_suggestions(
            self,
            rows: dict[int, dict[tuple[str, str, int, int], float]],
            source: str,
            *,
            existing: Mapping[int, Collection[tuple]] | None = None,
            rejected: Mapping[int, Collection[tuple]] | None = None,
        ) -> int: ...

        def _rejected_keys(self, article_ids: list[int]) -> dict[int, set[tuple]]: ...

    # ---- rules from an example -----------------------------------------------------------

    def count_rule_matches(self, rule: Rule) -> tuple[int, int]:
        """(lines, articles) in the whole project the rule would mark, before applying it."""
        matcher = RuleMatcher([rule])
        lines = articles = 0
        for ids in self._id_pages():
            for _aid, _source, _title, text in self._texts(ids):
                n = len(matcher.match_lines(split_lines(text)))
                lines += n
                articles += 1 if n else 0
        return lines, articles

    def apply_rule(self, rule: Rule) -> int:
        """Keep the rule and suggest its matches in every article; returns how many
        suggestions were stored (accept them all with ``accept_all(source=rule.source)``)."""
        self.add_rule(rule)
        self.set_source_enabled(rule.source, True)
        return self.run_suggesters(sources=[rule.source]).stored[rule.source]

    # ---- running -------------------------------------------------------------------------

    def _entity_gazetteers(self, sources: set[str]) -> list[tuple[str, Gazetteer]]:
        out: list[tuple[str, Gazetteer]] = []
        if "patterns" in sources:
            patterns = self.entity_patterns()
            if patterns:
                out.append(("patterns", gazetteer_from_patterns(patterns)))
        if "own-labels" in sources:
            own = self.own_label_gazetteer()
            if own.size:
                out.append(("own-labels", own))
        return out

    def pending_suggestions(self) -> int:
        """Articles the suggesters have not looked at yet (``run_suggesters(only_new=True)``)."""
        a = self.m.Article
        return (
            a.select().where(a.id > int(self.project.get_setting("suggest.done_upto", 0))).count()
        )

    def run_suggesters(
        self,
        *,
        sources: Iterable[str] | None = None,
        article_ids: Iterable[int] | None = None,
        only_new: bool = False,
        on_progress: Callable[[SuggestProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        pool: cf.Executor | None = None,
    ) -> SuggestReport:
        """Run the enabled suggesters (and the project's rules) and store what they propose.

        For every article looked at, the suggestions of the sources that ran are brought up
        to date: new ones stored, ones no longer proposed removed (a raised K, a removed
        rule), rejected ones never stored. ``only_new`` looks only at articles added since
        the last run, plus older ones holding a line that has just become frequent.

        The text work of a large run goes to worker processes (``pool``, or a pool of its
        own): this process only reads, asks which lines are frequent and stores, so it stays
        free for the passes that run beside it (:mod:`storage.pending`).
        """
        wanted = set(sources or ALL_SOURCES) - set(self.disabled_sources())
        rules = [
            r
            for r in self.rules()
            if r.source not in self.disabled_sources()
            and (sources is None or r.source in wanted or "rules" in wanted)
        ]
        with (
            contextlib.nullcontext(pool)
            if pool is not None
            else process_pool(default_workers()) as shared
        ):  # its processes start only if a pass is large enough to use them
            counted = self.update_repeated_index(
                on_progress=on_progress, pool=shared, should_stop=should_stop
            )
            affected = counted.affected
            k = self.repeated_min_articles()
            suggesters = RunSuggesters(
                BoilerplateSuggesters(
                    self.lexicon(), RuleMatcher(rules) if rules else None, enabled=wanted
                ),
                self._entity_gazetteers(wanted),
            )
            own = _OwnLabelRun(self._last_suggestion_id(), self._teaching_generation())
            ran = (wanted & set(ALL_SOURCES)) | {r.source for r in rules}
            label = self.project.schema().default_boilerplate_kind

            done_upto = int(self.project.get_setting("suggest.done_upto", 0))
            pages = self._target_pages(article_ids, only_new, done_upto, affected)
            total = self._target_total(article_ids, only_new, done_upto, affected)
            report = SuggestReport()
            if should_stop and should_stop():  # heard while counting: read no page ahead
                report.stopped = True
                pages = iter(())
            for (ids, rows), analyses in self._analysed(
                suggesters, pages, shared if total >= POOL_FROM else None
            ):
                if should_stop and should_stop():
                    report.stopped = True
                    break
                source_of = {aid: source for aid, source, _text in rows}
                frequent: set[tuple[str, str]] = set()
                if "repeated" in wanted:
                    # The counting just before knows the frequent lines of the articles it
                    # counted; older articles (or a stopped run's) are looked up.
                    keys = {
                        (source_of[a.article_id], key)
                        for a in analyses
                        if not counted.covers(a.article_id, k)
                        for key in a.boilerplate.keys
                    }
                    if counted.frequent is not None and counted.k == k:
                        frequent = counted.frequent
                    if keys:
                        frequent = frequent | self._frequent_keys(keys, k)
                proposals: dict[int, list[Proposal]] = {}
                for a in analyses:
                    src = source_of[a.article_id]
                    found = a.boilerplate.proposals(
                        {x for x in a.boilerplate.keys if (src, x) in frequent}
                    )
                    if label != "boilerplate":
                        found = [Proposal(p.layer, label, p.start, p.end, p.source) for p in found]
                    found.extend(a.entities)
                    proposals[a.article_id] = found
                texts = _Texts({aid: text for aid, _source, text in rows})
                with self._write():  # the page and its mark together: one commit
                    self.replace_suggestions(proposals, ran, report, own, texts)
                    if article_ids is None:
                        done_upto = max(done_upto, ids[-1])
                        self.project.set_setting("suggest.done_upto", done_upto)
                report.articles += len(rows)
                if on_progress:
                    on_progress(SuggestProgress("suggest", report.articles, total))
        return report

    def _analysed(
        self,
        suggesters: RunSuggesters,
        pages: Iterable[list[int]],
        pool: cf.Executor | None,
    ) -> Iterator[tuple[tuple[list[int], list[tuple[int, str, Any]]], list[ArticleAnalysis]]]:
        """Each page's ``(ids, [(id, source, text)])`` with the text work of its articles,
        in page order; in ``pool``'s processes when one is given, read ahead a few pages
        (the texts then as UTF-8 bytes: :func:`core.suggest.batch.as_text`)."""
        blob = pickle.dumps(suggesters) if pool is not None else b""
        token = uuid.uuid4().hex

        def here(_token: str, _blob: bytes, rows: list[TextRow]) -> list[ArticleAnalysis]:
            return suggesters.analyse(rows)

        def jobs() -> Iterator[tuple[tuple[list[int], list[tuple[int, str, Any]]], tuple]]:
            for ids in pages:
                rows = self._texts(ids, encoded=pool is not None)
                yield (
                    (ids, [(aid, source, text) for aid, source, _title, text in rows]),
                    (token, blob, [(aid, title, text) for aid, _source, title, text in rows]),
                )

        return in_order(pool, analyse_many if pool is not None else here, jobs(), ahead=AHEAD)

    def _target_pages(
        self,
        article_ids: Iterable[int] | None,
        only_new: bool,
        done_upto: int,
        affected: set[int],
    ) -> Iterator[list[int]]:
        if article_ids is not None:
            ids = sorted(set(article_ids))
            for i in range(0, len(ids), BATCH):
                yield ids[i : i + BATCH]
            return
        if only_new:
            old = sorted(i for i in affected if i <= done_upto)
            for i in range(0, len(old), BATCH):
                yield old[i : i + BATCH]
            yield from self._id_pages(done_upto)
            return
        yield from self._id_pages()

    def _target_total(
        self,
        article_ids: Iterable[int] | None,
        only_new: bool,
        done_upto: int,
        affected: set[int],
    ) -> int:
        a = self.m.Article
        if article_ids is not None:
            return len(set(article_ids))
        if only_new:
            return (
                len([i for i in affected if i <= done_upto])
                + a.select().where(a.id > done_upto).count()
            )
        return a.select().count()

    def _last_suggestion_id(self) -> int:
        s = self.m.Suggestion
        return int(s.select(pw.fn.MAX(s.id)).scalar() or 0)

    def replace_suggestions(
        self,
        proposals: dict[int, list[Proposal]],
        ran: set[str],
        report: SuggestReport,
        own: _OwnLabelRun | None = None,
        texts: Mapping[int, str] | None = None,
    ) -> None:
        """Bring the suggestions of the sources in ``ran`` up to date for these articles.
        ``own`` and ``texts``: a run of the own-labels suggester (see :class:`_OwnLabelRun`);
        other writers (the trained model) pass neither."""
        s = self.m.Suggestion
        ids = list(proposals)
        if not ids:
            return
        with self._write():
            if own is not None and self._teaching_generation() != own.generation:
                # A label was undone, deleted, relabelled or rejected since the run began:
                # what it taught is not stored again from the run's older list.
                own.generation = self._teaching_generation()
                own.taught = self._own_label_taught()
            if own is not None and own.taught is not None and texts is not None:
                taught = own.taught
                proposals = {
                    aid: [
                        p
                        for p in found
                        if p.source != "own-labels"
                        or (p.label, phrase_key(texts[aid][p.start : p.end])) in taught
                    ]
                    for aid, found in proposals.items()
                }
            existing: dict[tuple[int, str], dict[tuple, int]] = {}
            mark = self.db.param
            sources = sorted(ran)
            # Raw SQL and the driver's rows as they come: peewee's query building and
            # per-field conversion cost more than the rest of this process's share of a pass.
            cursor = self.db.execute_sql(
                'SELECT id, article_id, source, layer, label, start, "end" FROM suggestion'
                f" WHERE article_id IN ({', '.join([mark] * len(ids))})"
                f" AND source IN ({', '.join([mark] * len(sources))})",
                [*ids, *sources],
            )
            for row_id, aid, src, *key in cursor.fetchall():
                existing.setdefault((aid, src), {})[tuple(key)] = row_id
            rejected = self._rejected_keys(ids)
            new: dict[str, dict[int, dict[tuple, float]]] = {}
            for aid, found in proposals.items():
                for p in found:
                    new.setdefault(p.source, {}).setdefault(aid, {})[
                        (p.layer, p.label, p.start, p.end)
                    ] = p.score
            # Own-labels rows stored during the run came from a label made meanwhile
            # (suggest_from_label checks its teacher): the run's older list must not drop them.
            stale = [
                row_id
                for (aid, src), keys in existing.items()
                for key, row_id in keys.items()
                if key not in new.get(src, {}).get(aid, {})
                and (src != "own-labels" or own is None or row_id <= own.started_after)
            ]
            for i in range(0, len(stale), 500):
                report.removed += s.delete().where(s.id.in_(stale[i : i + 500])).execute()
            for src, rows in new.items():
                stored = {aid: existing.get((aid, src), {}) for aid in rows}
                report.stored[src] += self._insert_suggestions(
                    rows, src, existing=stored, rejected=rejected
                )


class _Texts(Mapping[int, str]):
    """Texts of a page as read for the workers, decoded only if asked for (the own-labels
    check after a label was taken back during the run)."""

    def __init__(self, raw: dict[int, str | bytes]) -> None:
        self._raw = raw

    def __getitem__(self, article_id: int) -> str:
        return as_text(self._raw[article_id])

    def __iter__(self) -> Iterator[int]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class _OwnLabelRun:
    """What a project-wide run knows of the own-labels list it began with."""

    #: Suggestions with a higher id were stored after the run began.
    started_after: int
    #: The count of takings-back when it was last read (storage.own_labels).
    generation: int
    #: (label, phrase key) still taught, once a taking-back happened during the run.
    taught: set[tuple[str, str]] | None = None
