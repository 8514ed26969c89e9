"""Boilerplate by the shape of a line, whatever it says.

Two kinds of evidence, both independent of the site:

- **Edges.** The body of a news article is a run of paragraphs that read as sentences. Short
  lines without sentence punctuation *before the first* or *after the last* such paragraph
  are navigation, datelines, share bars, tags, "Next Article" blocks and footers. The same
  short line in the middle of the body is a subheading and is left alone, and so is a line
  that repeats the article's own title (a headline printed above the body).
- **Kind of line**, anywhere: a line that is only a URL, only a date (with time and weekday),
  or a byline ("Penulis: Rina Kartika | Editor: Dodi", "By Jane Smith and John Doe").
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from core.suggest.base import (
    Line,
    Proposal,
    boilerplate,
    ends_sentence,
    normalise_line,
    split_lines,
    word_count,
)

SOURCE = "shape"
#: A body paragraph: a sentence of at least this many words, or any line this long.
BODY_SENTENCE_WORDS = 8
BODY_ANY_WORDS = 30
#: Edge lines longer than this are never taken on shape alone.
EDGE_MAX_WORDS = 14

_URL_ONLY = re.compile(r"^[<(\[]?(?:https?://|www\.)\S+?[>)\]]?$", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return text.split()


_MONTHS = _words(
    # id/ms, en, es, fr, de, pt (full and common short forms)
    "januari februari maret april mei juni juli agustus september oktober november desember "
    "jan feb mar apr jun jul agu agt ags sep sept okt nov des mac mei ogos dis "
    "january february march may june july august october december aug oct dec "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre ene abr ago dic janvier février mars avril mai juin juillet août septembre "
    "octobre novembre décembre janv févr avr juil sept déc januar februar märz mai juni juli "
    "oktober dezember jänner mär okt dez janeiro fevereiro março maio junho julho setembro "
    "outubro novembro dezembro fev set out"
)
_DAYS = _words(
    "senin selasa rabu kamis jumat jum'at sabtu minggu ahad isnin khamis "
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
    "lunes martes miércoles jueves viernes sábado domingo lundi mardi mercredi jeudi vendredi "
    "samedi dimanche montag dienstag mittwoch donnerstag freitag samstag sonntag "
    "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira"
)
_DATE_WORDS = _words(
    "wib wita wit gmt utc cet cest est edt pst pdt bst am pm a.m. p.m. pukul jam hrs uhr h "
    "diperbarui dipublikasikan diterbitkan terbit update updated published posted on at "
    "le à el de a las am um den de du of der "
    "publié publicado publicada veröffentlicht aktualisiert actualizado atualizado mis jour "
    "kemas kini dikemas tarikh tanggal"
)
_DATE_TOKEN = re.compile(
    r"(?<!\w)(?:\d{1,4}(?:[./:\-]\d{1,4}){0,2}(?:h\d{0,2})?|"
    + "|".join(
        sorted((re.escape(w) for w in {*_MONTHS, *_DAYS, *_DATE_WORDS}), key=len, reverse=True)
    )
    + r")(?!\w)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_DATE_FILLER = re.compile(r"^[\s,.|/–—\-:()·•]*$")

_BYLINE_ROLES = (
    "by|oleh|penulis|reporter|editor|redaktur|pewarta|wartawan|penyunting|kontributor|"
    "fotografer|foto|laporan|author|written by|words|text|texto|por|par|von|autor|autorin|"
    "auteur|redacción|redaktion|redação|ditulis oleh|disunting oleh"
)
_BYLINE_START = re.compile(rf"^(?:{_BYLINE_ROLES})\b\s*[:：]?\s*(.*)$", re.IGNORECASE)
_BYLINE_ROLE_WORDS = {w for role in _BYLINE_ROLES.split("|") for w in role.split()}
_CONNECTORS = {"and", "dan", "&", "y", "e", "et", "und", "|", ",", "/", "-", "–", "·"}


def is_url_only(text: str) -> bool:
    return bool(_URL_ONLY.match(text))


def is_date_only(text: str, words: int | None = None) -> bool:
    """A dateline: digits and date words only ("Senin, 9 Desember 2024 | 10:15 WIB").
    ``words``: ``word_count(text)`` if the caller has it (so for the next functions)."""
    if not _DIGIT.search(text) or (word_count(text) if words is None else words) > 12:
        return False
    rest = _DATE_TOKEN.sub(" ", text)
    return bool(_DATE_FILLER.match(rest))


def is_byline(text: str, words: int | None = None) -> bool:
    """A role word and then names only: capitalised words, connectors, more roles."""
    if (word_count(text) if words is None else words) > 14 or text.endswith(("!", "?")):
        return False
    match = _BYLINE_START.match(text)
    if not match or not match.group(1):
        return False
    names = 0
    for raw in re.split(r"[\s|,/·]+", match.group(1)):
        word = raw.strip(":：()[]'\".")
        if not word or word.casefold() in _CONNECTORS or raw in _CONNECTORS:
            continue
        if word.casefold() in _BYLINE_ROLE_WORDS:
            continue
        if not (word[0].isupper() or word[0].isdigit() or word.startswith("@")):
            return False
        names += 1
    return names > 0


def is_body(line: Line, words: int | None = None) -> bool:
    """A paragraph that reads as running text."""
    words = word_count(line.text) if words is None else words
    return words >= BODY_ANY_WORDS or (words >= BODY_SENTENCE_WORDS and ends_sentence(line.text))


def _is_edge_line(line: Line, title: str, words: int | None = None) -> bool:
    words = word_count(line.text) if words is None else words
    if words > EDGE_MAX_WORDS or ends_sentence(line.text):
        return False
    return not (title and normalise_line(line.text) == title)


@dataclass(frozen=True, slots=True)
class ShapeFacts:
    """What the shape rules need of each line, found before anything about the other
    suggesters is known (a worker process finds it; :func:`pick` finishes the job)."""

    #: Lines that read as body paragraphs, in text order.
    body: tuple[int, ...]
    #: Lines that are boilerplate if they lie before the first or after the last body line.
    edges: tuple[int, ...]
    #: Lines that are boilerplate wherever they are (a URL, a dateline, a byline).
    kinds: tuple[int, ...]


def line_facts(lines: list[Line], *, title: str = "") -> ShapeFacts:
    """The per-line half of :func:`suggest_lines`: it looks at each line's text once."""
    title_key = normalise_line(title) if title else ""
    body: list[int] = []
    edges: list[int] = []
    kinds: list[int] = []
    for line in lines:
        if line.empty:
            continue
        text, words = line.text, word_count(line.text)  # counted once, used by each rule
        # A body line never is an edge line (it is long, or it ends a sentence).
        if is_body(line, words):
            body.append(line.index)
        elif _is_edge_line(line, title_key, words):
            edges.append(line.index)
        if is_url_only(text) or is_date_only(text, words) or is_byline(text, words):
            kinds.append(line.index)
    return ShapeFacts(tuple(body), tuple(edges), tuple(kinds))


def pick(facts: ShapeFacts, known: Collection[int] = ()) -> list[int]:
    """Indices of the boilerplate lines by shape, in text order. ``known`` are indices
    other suggesters already took: they do not count as body when the edges are found (a
    long disclaimer ending in a full stop after the body would otherwise hide the lines
    before it)."""
    found = set(facts.kinds)
    body = [i for i in facts.body if i not in known] if known else facts.body
    if body:
        first, last = body[0], body[-1]
        found.update(i for i in facts.edges if i < first or i > last)
    return sorted(found)


def suggest_lines(lines: list[Line], *, title: str = "", known: Collection[int] = ()) -> list[Line]:
    """Boilerplate lines by shape (:func:`line_facts`, then :func:`pick`)."""
    by_index = {line.index: line for line in lines}
    return [by_index[i] for i in pick(line_facts(lines, title=title), known)]


def suggest(text: str, *, title: str = "") -> list[Proposal]:
    return [boilerplate(line, SOURCE) for line in suggest_lines(split_lines(text), title=title)]
