"""What an export reads (one record per article and annotator) and what it is asked to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.edits import stances

#: Formats written as JSON Lines (one object per line), for datasets and most loaders.
JSONL_FORMATS = ("spans", "ner-bio", "stance", "clean", "boilerplate-lines")
#: Every format: the JSONL ones, CoNLL-2003 text (NER toolkits, ``spacy convert``) and
#: spaCy's binary DocBin (``spacy train``).
FORMATS = (*JSONL_FORMATS, "conll", "spacy")
#: Formats whose lines can be chunks of an article (``--chunk``).
CHUNKED_FORMATS = ("spans", "ner-bio", "clean", "conll", "spacy")
#: The suffix of a format's data files.
SUFFIXES = {**dict.fromkeys(JSONL_FORMATS, ".jsonl"), "conll": ".conll", "spacy": ".spacy"}
#: Statuses exported when none are named: finished work only.
DEFAULT_STATUSES = ("done",)


class ExportSpan(NamedTuple):
    """A span as exported. A named tuple (ordered start, end, layer, label) because a large
    export makes millions of them: cheaper to build than a dataclass, and sorted as is."""

    start: int
    end: int
    layer: str
    label: str


@dataclass(slots=True)  # not frozen: a frozen init costs 3x, and an export makes 100,000s
class ExportRecord:
    """An article with one annotator's labels and status (``annotator`` None: nobody's).

    ``spans`` are ``(start, end, layer, label)`` tuples in that order (storage hands out
    plain tuples for speed), so code reads them by position or unpacking, not by name.
    ``uid`` is the id written out: the article's external id when it has one, otherwise
    one made from its content hash, so it stays the same across projects and re-imports.
    """

    article_id: int
    uid: str
    text: str
    title: str
    url: str
    source: str
    published: str
    lang: str | None
    meta: dict[str, Any]
    annotator: str | None
    status: str
    spans: tuple[ExportSpan, ...] = ()
    doc_labels: dict[str, str] = field(default_factory=dict)

    @property
    def stance(self) -> dict[str, str]:
        """``{target: value}`` from the ``stance:<target>`` document labels."""
        return stances(dict(sorted(self.doc_labels.items())))


@dataclass(frozen=True, slots=True)
class ExportSelection:
    """Which records go out; empty tuples mean "any". ``statuses`` may include ``todo``."""

    statuses: tuple[str, ...] = DEFAULT_STATUSES
    annotators: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChunkMode:
    """``--chunk``: ``sentences`` (one chunk a sentence) or ``tokens:N`` (whole sentences up
    to N tokens a chunk)."""

    kind: str
    limit: int = 0

    @classmethod
    def parse(cls, value: str) -> ChunkMode:
        if value == "sentences":
            return cls("sentences")
        kind, _, number = value.partition(":")
        if kind == "tokens" and number.isdigit() and int(number) > 0:
            return cls("tokens", int(number))
        raise ValueError(f"--chunk takes sentences or tokens:N (N > 0), got {value!r}")


@dataclass(frozen=True, slots=True)
class ExportOptions:
    format: str = "spans"
    selection: ExportSelection = ExportSelection()
    tokens: bool = False
    #: ner-bio: ``words`` (the built-in tokenizer) or ``spacy`` (spaCy's convention, where
    #: whitespace other than one space is a token, with a ``spaces`` list).
    token_style: str = "words"
    clean: bool = False
    split: tuple[tuple[str, float], ...] = ()
    seed: int = 0
    group_near_duplicates: bool = True
    command: str = ""
    #: ner-bio: the tag names in id order (``O``, ``B-PER``, ``I-PER``, ...), from the schema
    #: (set by the export itself); ``tag_strings`` writes the names instead of the ids.
    tag_names: tuple[str, ...] = ()
    tag_strings: bool = False
    #: ner-bio: also records that are not done and hold no entity (all ``O``: nobody may
    #: have labelled their entities yet, so they would teach a model that nothing is one).
    keep_unlabelled: bool = False
    #: ``sentences`` or ``tokens:N``: long articles cut into chunks (see core.export.chunks).
    chunk: str = ""

    def validate(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; use one of {', '.join(FORMATS)}")
        if self.chunk:
            if self.format not in CHUNKED_FORMATS:
                raise ValueError(
                    f"--chunk goes with {', '.join(CHUNKED_FORMATS)}, not {self.format} "
                    "(its lines are per article)"
                )
            ChunkMode.parse(self.chunk)
        if self.clean and self.format == "boilerplate-lines":
            raise ValueError("--clean removes the boilerplate that boilerplate-lines is about")


def parse_split(spec: str) -> tuple[tuple[str, float], ...]:
    """``"train=0.8,dev=0.1,test=0.1"`` -> ``(("train", 0.8), ...)``; fractions must sum to 1."""
    parts: list[tuple[str, float]] = []
    for item in spec.split(","):
        name, equals, value = item.strip().partition("=")
        name = name.strip()
        if not equals or not name:
            raise ValueError(f"--split expects NAME=FRACTION,...; got {item.strip()!r}")
        if not all(ch.isalnum() or ch in "-_" for ch in name):
            raise ValueError(f"--split: {name!r} is not usable as a file name")
        try:
            fraction = float(value)
        except ValueError:
            raise ValueError(f"--split: {value.strip()!r} is not a number") from None
        if not 0 <= fraction <= 1:
            raise ValueError(f"--split: {name}={value} is not between 0 and 1")
        if any(name == n for n, _ in parts):
            raise ValueError(f"--split: {name!r} is named twice")
        parts.append((name, fraction))
    total = sum(f for _, f in parts)
    if len(parts) < 2 or abs(total - 1.0) > 1e-6:
        raise ValueError(f"--split needs two or more parts summing to 1 (these sum to {total:g})")
    return tuple(parts)
