"""Running the suggesters over a project, and what configures them (kept in the project).

Settings (``Project.set_setting``), so that every annotator of a project gets the same:

- ``suggest.disabled``: sources switched off (not run, not shown as pending).
- ``suggest.repeated_min_articles``: K of the repeated-line suggester (default 3).
- ``suggest.rules``: boilerplate rules made from examples (``{"kind", "text"}``).
- ``suggest.lexicon``: the user's own lexicon entries (same keys as the bundled files).
- ``suggest.patterns``: Prodigy-style entity patterns (the gazetteer).

The repeated-line index is a table (``repeated_line``) updated for articles newer than the
``suggest.repeated_upto`` watermark, so it grows with each import instead of being rebuilt.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.suggest import repeated
from core.suggest.base import BOILERPLATE_SOURCES, Proposal, split_lines
from core.suggest.boilerplate import BoilerplateSuggesters
from core.suggest.gazetteer import Gazetteer, gazetteer_from_patterns, read_patterns
from core.suggest.lexicon import Lexicon
from core.suggest.rules import Rule, RuleMatcher
from resources import resource_path
from storage.models import make_repeated_line_model

if TYPE_CHECKING:
    from storage.models import Models

ENTITY_SOURCES = ("own-labels", "patterns")
ALL_SOURCES = (*BOILERPLATE_SOURCES, *ENTITY_SOURCES)
#: Article ids remembered per line until it becomes frequent (see ``first_ids``).
FIRST_IDS_CAP = 50
_BATCH = 250


@dataclass
class SuggestProgress:
    """``phase`` is "index" (repeated lines) or "suggest"; done/total in articles."""

    phase: str
    done: int
    total: int


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


def bundled_lexicon_data() -> list[dict[str, Any]]:
    folder = resource_path("lexicons")
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


class SuggestionRunMixin:
    """Configuration and runs; mixed into ``Project`` through ``SuggestionMixin``."""

    db: pw.Database
    m: Models

    # ---- configuration -------------------------------------------------------------------

    def disabled_sources(self) -> list[str]:
        return list(self.get_setting("suggest.disabled", []))

    def set_source_enabled(self, source: str, enabled: bool) -> None:
        disabled = set(self.disabled_sources())
        (disabled.discard if enabled else disabled.add)(source)
        self.set_setting("suggest.disabled", sorted(disabled))

    def repeated_min_articles(self) -> int:
        return int(self.get_setting("suggest.repeated_min_articles", repeated.DEFAULT_MIN_ARTICLES))

    def set_repeated_min_articles(self, k: int) -> None:
        if k < 2:
            raise ValueError("a line must occur in at least 2 articles to count as repeated")
        self.set_setting("suggest.repeated_min_articles", int(k))

    def rules(self) -> list[Rule]:
        return [Rule.from_dict(d) for d in self.get_setting("suggest.rules", [])]

    def add_rule(self, rule: Rule) -> bool:
        """Keep a rule in the project (False if it was there already)."""
        rules = self.rules()
        if rule in rules:
            return False
        self.set_setting("suggest.rules", [r.to_dict() for r in [*rules, rule]])
        return True

    def remove_rule(self, rule: Rule) -> None:
        self.set_setting("suggest.rules", [r.to_dict() for r in self.rules() if r != rule])

    def user_lexicon(self) -> dict[str, list[str]]:
        return dict(self.get_setting("suggest.lexicon", {}))

    def add_lexicon_entry(self, kind: str, text: str) -> None:
        """Add a phrase to the project's own lexicon (``lines``, ``prefixes``, ``patterns``
        or ``markers``); it is checked by compiling it with the bundled lists."""
        entries = self.user_lexicon()
        entries.setdefault(kind, [])
        if text not in entries[kind]:
            entries[kind].append(text)
        Lexicon.from_data([entries])  # raises LexiconError for a bad entry
        self.set_setting("suggest.lexicon", entries)

    def lexicon(self) -> Lexicon:
        return Lexicon.from_data([*bundled_lexicon_data(), self.user_lexicon()])

    def entity_patterns(self) -> list[dict]:
        return list(self.get_setting("suggest.patterns", []))

    def load_patterns(self, lines: Iterable[str]) -> tuple[int, list[str]]:
        """Add Prodigy-style JSONL pattern lines; returns (patterns added, problems)."""
        patterns, problems = read_patterns(lines)
        stored = self.entity_patterns()
        seen = {json.dumps(p, sort_keys=True) for p in stored}
        added = [p for p in patterns if json.dumps(p, sort_keys=True) not in seen]
        if added:
            self.set_setting("suggest.patterns", [*stored, *added])
        return len(added), problems

    # ---- the repeated-line index ---------------------------------------------------------

    def _repeated_model(self) -> type[pw.Model]:
        model = getattr(self, "_repeated_line_model", None)
        if model is None:
            model = make_repeated_line_model(self.db)
            self._repeated_line_model = model
        return model

    def _texts(self, ids: list[int]) -> list[tuple[int, str, str, str]]:
        """(id, source, title, text) of some articles, in id order."""
        a, t = self.m.Article, self.m.ArticleText
        return list(
            a.select(a.id, a.source, a.title, t.text)
            .join(t, on=(t.article == a.id))
            .where(a.id.in_(ids))
            .order_by(a.id)
            .tuples()
        )

    def _id_pages(self, after: int = 0) -> Iterator[list[int]]:
        a = self.m.Article
        while True:
            ids = [
                r[0]
                for r in a.select(a.id).where(a.id > after).order_by(a.id).limit(_BATCH).tuples()
            ]
            if not ids:
                return
            yield ids
            after = ids[-1]

    def update_repeated_index(
        self, *, on_progress: Callable[[SuggestProgress], None] | None = None
    ) -> set[int]:
        """Count the lines of articles not counted yet; returns the ids of older articles
        that hold a line which has just become frequent (they need suggesting again)."""
        model = self._repeated_model()
        k = self.repeated_min_articles()
        upto = int(self.get_setting("suggest.repeated_upto", 0))
        a = self.m.Article
        total = a.select().where(a.id > upto).count()
        done = 0
        affected: set[int] = set()
        for ids in self._id_pages(upto):
            counts: dict[tuple[str, str], list[int]] = {}
            samples: dict[tuple[str, str], str] = {}
            for aid, source, _title, text in self._texts(ids):
                for key, lines in repeated.article_keys(text).items():
                    counts.setdefault((source, key), []).append(aid)
                    samples.setdefault((source, key), lines[0].text[:200])
            with self._write():
                self._merge_counts(model, counts, samples, k, affected)
                self.set_setting("suggest.repeated_upto", ids[-1])
            done += len(ids)
            if on_progress:
                on_progress(SuggestProgress("index", done, total))
        return affected

    def _merge_counts(
        self,
        model: type[pw.Model],
        counts: dict[tuple[str, str], list[int]],
        samples: dict[tuple[str, str], str],
        k: int,
        affected: set[int],
    ) -> None:
        by_source: dict[str, list[str]] = {}
        for source, key in counts:
            by_source.setdefault(source, []).append(key)
        stored: dict[tuple[str, str], tuple[int, int, list[int]]] = {}
        for source, keys in by_source.items():
            for i in range(0, len(keys), 400):
                for row in (
                    model.select(model.id, model.key, model.articles, model.first_ids)
                    .where(model.source == source, model.key.in_(keys[i : i + 400]))
                    .tuples()
                ):
                    stored[(source, row[1])] = (row[0], row[2], json.loads(row[3]))
        new_rows: list[tuple[str, str, int, str, str]] = []
        updates: list[tuple[int, str, int]] = []
        for (source, key), aids in counts.items():
            if (source, key) in stored:
                row_id, before, first = stored[(source, key)]
                after = before + len(aids)
                if before < k <= after:
                    affected.update(first)
                if len(first) < FIRST_IDS_CAP:
                    first = (first + aids)[:FIRST_IDS_CAP]
                updates.append((after, json.dumps(first), row_id))
            else:
                new_rows.append(
                    (
                        source,
                        key,
                        len(aids),
                        samples[(source, key)],
                        json.dumps(aids[:FIRST_IDS_CAP]),
                    )
                )
        # Raw executemany: ORM statements per row cost more than counting the lines.
        p = self.db.param
        cursor = self.db.cursor()
        if updates:
            cursor.executemany(
                f'UPDATE "repeated_line" SET "articles" = {p}, "first_ids" = {p} WHERE "id" = {p}',
                updates,
            )
        if new_rows:
            cursor.executemany(
                'INSERT INTO "repeated_line" ("source", "key", "articles", "sample", "first_ids") '
                f"VALUES ({p}, {p}, {p}, {p}, {p})",
                new_rows,
            )

    def _frequent_keys(self, pairs: set[tuple[str, str]], k: int) -> set[tuple[str, str]]:
        model = self._repeated_model()
        by_source: dict[str, list[str]] = {}
        for source, key in pairs:
            by_source.setdefault(source, []).append(key)
        out: set[tuple[str, str]] = set()
        for source, keys in by_source.items():
            for i in range(0, len(keys), 400):
                query = model.select(model.key).where(
                    model.source == source,
                    model.key.in_(keys[i : i + 400]),
                    model.articles >= k,
                )
                out.update((source, key) for (key,) in query.tuples())
        return out

    def repeated_lines(
        self, *, source: str | None = None, limit: int = 50
    ) -> list[tuple[str, str, int]]:
        """The most repeated lines: (source, sample text, articles), most frequent first."""
        model = self._repeated_model()
        query = model.select(model.source, model.sample, model.articles).where(
            model.articles >= self.repeated_min_articles()
        )
        if source is not None:
            query = query.where(model.source == source)
        return list(query.order_by(model.articles.desc()).limit(limit).tuples())

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

    def own_label_gazetteer(self) -> Gazetteer:
        """Every string annotators labelled as an entity, with its most frequent label."""
        sp, t = self.m.Span, self.m.ArticleText
        votes: dict[str, Counter[str]] = {}
        rows = (
            sp.select(sp.article, sp.start, sp.end, sp.label, t.text)
            .join(t, on=(t.article == sp.article))
            .where(sp.layer == "entity")
            .order_by(sp.article)
            .tuples()
        )
        for _aid, start, end, label, text in rows.iterator():
            phrase = text[start:end].strip()
            if phrase:
                votes.setdefault(phrase, Counter())[label] += 1
        gazetteer = Gazetteer()
        for phrase, counter in votes.items():
            gazetteer.add_phrase(phrase, counter.most_common(1)[0][0])
        return gazetteer

    def suggest_from_label(self, phrase: str, label: str) -> int:
        """Suggest ``label`` on every other whole-word occurrence of ``phrase`` (source
        ``own-labels``), right after an annotator labelled it. Only articles whose text
        contains the phrase are read; returns how many suggestions were stored."""
        phrase = phrase.strip()
        if "own-labels" in self.disabled_sources() or not phrase:
            return 0
        gazetteer = Gazetteer()
        if not gazetteer.add_phrase(phrase, label):
            return 0
        t = self.m.ArticleText
        stored = 0
        after = 0
        while True:
            rows = list(
                t.select(t.article, t.text)
                .where(t.article > after, t.text.contains(phrase))
                .order_by(t.article)
                .limit(_BATCH)
                .tuples()
            )
            if not rows:
                return stored
            found: dict[int, dict[tuple, float]] = {}
            for aid, text in rows:
                for p in gazetteer.match(text, source="own-labels"):
                    found.setdefault(aid, {})[(p.layer, p.label, p.start, p.end)] = p.score
            if found:
                with self._write():
                    stored += self._insert_suggestions(found, "own-labels")
            after = rows[-1][0]

    def run_suggesters(
        self,
        *,
        sources: Iterable[str] | None = None,
        article_ids: Iterable[int] | None = None,
        only_new: bool = False,
        on_progress: Callable[[SuggestProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> SuggestReport:
        """Run the enabled suggesters (and the project's rules) and store what they propose.

        For every article looked at, the suggestions of the sources that ran are brought up
        to date: new ones stored, ones no longer proposed removed (a raised K, a removed
        rule), rejected ones never stored. ``only_new`` looks only at articles added since
        the last run, plus older ones holding a line that has just become frequent.
        """
        wanted = set(sources or ALL_SOURCES) - set(self.disabled_sources())
        rules = [
            r
            for r in self.rules()
            if r.source not in self.disabled_sources()
            and (sources is None or r.source in wanted or "rules" in wanted)
        ]
        affected = self.update_repeated_index(on_progress=on_progress)
        k = self.repeated_min_articles()
        boiler = BoilerplateSuggesters(
            self.lexicon(), RuleMatcher(rules) if rules else None, enabled=wanted
        )
        gazetteers = self._entity_gazetteers(wanted)
        ran = (wanted & set(ALL_SOURCES)) | {r.source for r in rules}
        label = (self.schema().boilerplate_kinds or ["boilerplate"])[0]

        done_upto = int(self.get_setting("suggest.done_upto", 0))
        pages = self._target_pages(article_ids, only_new, done_upto, affected)
        total = self._target_total(article_ids, only_new, done_upto, affected)
        report = SuggestReport()
        for ids in pages:
            if should_stop and should_stop():
                report.stopped = True
                break
            rows = self._texts(ids)
            keys = {
                (source, key)
                for _aid, source, _t, text in rows
                for key in repeated.article_keys(text)
            }
            frequent = self._frequent_keys(keys, k) if "repeated" in wanted else set()
            proposals: dict[int, list[Proposal]] = {}
            for aid, source, title, text in rows:
                found = boiler.suggest(
                    text,
                    title=title,
                    frequent=lambda ks, s=source, f=frequent: {x for x in ks if (s, x) in f},
                )
                if label != "boilerplate":
                    found = [Proposal(p.layer, label, p.start, p.end, p.source) for p in found]
                for name, gazetteer in gazetteers:
                    found.extend(gazetteer.match(text, source=name))
                proposals[aid] = found
            self._replace_suggestions(proposals, ran, report)
            report.articles += len(rows)
            if article_ids is None:
                done_upto = max(done_upto, ids[-1])
                self.set_setting("suggest.done_upto", done_upto)
            if on_progress:
                on_progress(SuggestProgress("suggest", report.articles, total))
        return report

    def _target_pages(
        self,
        article_ids: Iterable[int] | None,
        only_new: bool,
        done_upto: int,
        affected: set[int],
    ) -> Iterator[list[int]]:
        if article_ids is not None:
            ids = sorted(set(article_ids))
            for i in range(0, len(ids), _BATCH):
                yield ids[i : i + _BATCH]
            return
        if only_new:
            old = sorted(i for i in affected if i <= done_upto)
            for i in range(0, len(old), _BATCH):
                yield old[i : i + _BATCH]
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

    def _replace_suggestions(
        self, proposals: dict[int, list[Proposal]], ran: set[str], report: SuggestReport
    ) -> None:
        s = self.m.Suggestion
        ids = list(proposals)
        if not ids:
            return
        with self._write():
            existing: dict[tuple[int, str], dict[tuple, int]] = {}
            for row_id, aid, src, *key in (
                s.select(s.id, s.article, s.source, s.layer, s.label, s.start, s.end)
                .where(s.article.in_(ids), s.source.in_(sorted(ran)))
                .tuples()
            ):
                existing.setdefault((aid, src), {})[tuple(key)] = row_id
            new: dict[str, dict[int, dict[tuple, float]]] = {}
            for aid, found in proposals.items():
                for p in found:
                    new.setdefault(p.source, {}).setdefault(aid, {})[
                        (p.layer, p.label, p.start, p.end)
                    ] = p.score
            stale = [
                row_id
                for (aid, src), keys in existing.items()
                for key, row_id in keys.items()
                if key not in new.get(src, {}).get(aid, {})
            ]
            for i in range(0, len(stale), 500):
                report.removed += s.delete().where(s.id.in_(stale[i : i + 500])).execute()
            for src, rows in new.items():
                report.stored[src] += self._insert_suggestions(rows, src)
