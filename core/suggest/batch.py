"""The suggesters' text work on many articles at once, fit to run in worker processes.

A project-wide run reads every new article twice: once to count its lines (the repeated-line
index, :func:`count_lines`) and once to suggest (:func:`analyse_many`). Everything in those passes that needs only the article's own
text - splitting lines, hashing them, the lexicon, rules and shape rules, the gazetteers -
is done here on chunks of ``(id, title, text)``; what needs the project (which lines are
frequent, what is stored, what was rejected) stays with the caller, which stores. The same
functions run in the calling process for a small run, so both ways give the same answer.

A worker receives the run's suggesters once per chunk as pickled bytes with a token, and
unpickles them only when the token is new to it: one pool serves several runs (and the
language detection) without being restarted.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from core.suggest import repeated
from core.suggest.base import Proposal, split_lines
from core.suggest.boilerplate import BoilerplateAnalysis, BoilerplateSuggesters
from core.suggest.gazetteer import Gazetteer

#: (article id, title, text); the text may come as UTF-8 bytes (see :func:`as_text`).
TextRow = tuple[int, str, str | bytes]


def as_text(text: str | bytes) -> str:
    """A text handed over as UTF-8 bytes, decoded. The storing process reads texts as bytes
    for the workers: it never decodes them (a text with an emoji takes four bytes a
    character as a ``str``) and pickling them costs no encoding."""
    return text.decode("utf-8") if isinstance(text, bytes) else text


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    """One article's text work: the boilerplate half-done, the entity matches done."""

    article_id: int
    boilerplate: BoilerplateAnalysis
    entities: tuple[Proposal, ...]


@dataclass
class RunSuggesters:
    """The suggesters of one run: built-in boilerplate, rules, and named gazetteers."""

    boilerplate: BoilerplateSuggesters
    gazetteers: list[tuple[str, Gazetteer]]

    def analyse(self, rows: list[TextRow]) -> list[ArticleAnalysis]:
        out: list[ArticleAnalysis] = []
        for article_id, title, raw in rows:
            text = as_text(raw)
            entities: list[Proposal] = []
            for name, gazetteer in self.gazetteers:
                entities.extend(gazetteer.match(text, source=name))
            analysis = self.boilerplate.analyse(text, title=title)
            out.append(ArticleAnalysis(article_id, analysis, tuple(entities)))
        return out


#: (source, line key, ids of the articles that have it, its first line cut to 200 chars)
CountedLine = tuple[str, str, list[int], str]


def count_lines(rows: list[tuple[int, str, str | bytes]]) -> list[CountedLine]:
    """The repeated-line index's input from ``(id, source, text)`` rows: each distinct
    (source, line key), in the order of its first line, with the articles that have it."""
    found: dict[tuple[str, str], CountedLine] = {}
    for aid, source, text in rows:
        for key, lines in repeated.line_keys(split_lines(as_text(text))):
            entry = found.get((source, key))
            if entry is None:
                found[(source, key)] = (source, key, [aid], lines[0].text[:200])
            else:
                entry[2].append(aid)
    return list(found.values())


_cached: tuple[str, RunSuggesters] | None = None


def analyse_many(token: str, blob: bytes, rows: list[TextRow]) -> list[ArticleAnalysis]:
    """:meth:`RunSuggesters.analyse` in a worker process; ``blob`` is the pickled
    :class:`RunSuggesters` of the run called ``token``."""
    global _cached
    if _cached is None or _cached[0] != token:
        _cached = (token, pickle.loads(blob))
    return _cached[1].analyse(rows)
