"""Turning a raw record into a :class:`NewArticle`: which field is the text, the title, ...

Datasets name their fields differently (``text``, ``maintext``, ``body``; ``date_publish``,
``published``), so the usual names are tried in order, case-insensitively, and ``--field
text=body`` names a field explicitly when the guess is wrong. Nothing is thrown away: every
field not used for an article attribute is kept in ``meta``.

The text is only normalised (BOM, newlines, NUL), never cleaned: annotators mark
boilerplate themselves, and offsets computed by other tools on the same text must stay valid.
"""

from __future__ import annotations

import re

from core.models import NewArticle
from core.readers import Problem, RawRecord, json_kind
from core.text import normalise_text

TEXT_KEYS = ("text", "content", "body", "maintext", "article")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link")
DATE_KEYS = ("date", "published", "date_publish", "publish_date", "pubdate")
SOURCE_KEYS = ("source", "site", "domain", "source_domain")
ID_KEYS = ("id", "_id", "guid")

#: What ``--field TARGET=KEY`` may name, with the keys tried when it is not given.
AUTO_KEYS: dict[str, tuple[str, ...]] = {
    "text": TEXT_KEYS,
    "title": TITLE_KEYS,
    "url": URL_KEYS,
    "date": DATE_KEYS,
    "source": SOURCE_KEYS,
    "id": ID_KEYS,
}
TARGETS = tuple(AUTO_KEYS)
#: Longer texts are refused: usually a whole dump or binary junk in one field, and a text the
#: GUI would take seconds to lay out.
DEFAULT_MAX_CHARS = 1_000_000

# NewArticle attribute filled by each target other than the text.
_ATTRIBUTES = {
    "title": "title",
    "url": "url",
    "date": "published",
    "source": "source",
    "id": "external_id",
}
_WHITESPACE_RUN = re.compile(r"\s+")


class _RecordError(Exception):
    """Internal: the record cannot become an article; the message is the problem's reason."""


def parse_field_options(options: list[str]) -> dict[str, str]:
    """``["text=body", "title=headline"]`` -> ``{"text": "body", "title": "headline"}``.

    Raises :class:`ValueError` with a message meant for the command line: a typo here would
    otherwise turn every record of an import into a problem.
    """
    mapping: dict[str, str] = {}
    for option in options:
        target, equals, key = option.partition("=")
        target, key = target.strip().lower(), key.strip()
        if not equals or not target or not key:
            raise ValueError(f"--field expects TARGET=KEY, for example text=body; got {option!r}")
        if target not in AUTO_KEYS:
            raise ValueError(
                f"--field {option!r}: unknown target {target!r}; use one of {', '.join(TARGETS)}"
            )
        if mapping.get(target, key) != key:
            raise ValueError(f"--field {target} is given twice: {mapping[target]!r} and {key!r}")
        mapping[target] = key
    return mapping


def to_article(
    record: RawRecord,
    *,
    field_map: dict[str, str] | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> NewArticle | Problem:
    """The article a record holds, or the problem that keeps it from being one.

    ``field_map`` (target -> record key, as from :func:`parse_field_options`) wins over the
    usual names. Raises :class:`ValueError` for a target that does not exist, which is a
    programming error rather than a problem of the record. An import of many records uses
    one :class:`FieldMapper` instead, which works out the keys once per key set.
    """
    return FieldMapper(field_map, max_chars=max_chars).to_article(record)


class FieldMapper:
    """Maps the records of one import to articles, resolving field names once per key set.

    Which record key is the title or the url depends on the keys alone (and on the values
    only to pass over empty candidates), and a dataset's records nearly always share one key
    set: resolving the names per record cost 10 s for 100,000 records, so the candidate keys
    are worked out the first time a key set is seen and reused.
    """

    #: Key sets remembered; a dataset whose every record has its own keys just recomputes.
    MAX_PLANS = 256

    def __init__(
        self, field_map: dict[str, str] | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
    ) -> None:
        self.mapping = dict(field_map or {})
        unknown = sorted(set(self.mapping) - set(AUTO_KEYS))
        if unknown:
            raise ValueError(f"unknown field target(s): {', '.join(unknown)}")
        self.max_chars = max_chars
        self._plans: dict[tuple[str, ...], _Plan] = {}

    def to_article(self, record: RawRecord) -> NewArticle | Problem:
        """The article ``record`` holds, or the problem that keeps it from being one."""
        keys = tuple(record.fields)
        plan = self._plans.get(keys)
        if plan is None:
            if len(self._plans) >= self.MAX_PLANS:
                self._plans.clear()
            plan = self._plans[keys] = _Plan(_Fields(record.fields), self.mapping)
        try:
            return plan.build(record, self.max_chars)
        except _RecordError as refused:
            return Problem(record.origin, str(refused))


class _Plan:
    """For one key set: the record keys each target may come from, in the order tried.

    A mapped key that the key set lacks is an error of every record with that key set; it is
    kept and raised per record, so each record is still reported with its own line.
    """

    def __init__(self, fields: _Fields, mapping: dict[str, str]) -> None:
        self.error: str | None = None
        self.text_keys: tuple[str, ...] = ()
        self.mapped_text = "text" in mapping
        #: (attribute, candidate keys, mapped target or None), for title, url, ...
        self.attributes: list[tuple[str, tuple[str, ...], str | None]] = []
        try:
            if self.mapped_text:
                self.text_keys = (_mapped_key("text", fields, mapping),)
            else:
                self.text_keys = _present(TEXT_KEYS, fields)
            for target, attribute in _ATTRIBUTES.items():
                if target in mapping:
                    key = _mapped_key(target, fields, mapping)
                    self.attributes.append((attribute, (key,), target))
                else:
                    self.attributes.append((attribute, _present(AUTO_KEYS[target], fields), None))
        except _RecordError as exc:
            self.error = str(exc)

    def build(self, record: RawRecord, max_chars: int) -> NewArticle:
        if self.error is not None:
            raise _RecordError(self.error)
        values = record.fields
        if self.mapped_text:
            text_key = self.text_keys[0]
        else:
            found = next((k for k in self.text_keys if _has_content(values[k])), None)
            if found is None:
                raise _RecordError(f"no text (looked for {', '.join(TEXT_KEYS)})")
            text_key = found
        text = _text_of(text_key, values[text_key], max_chars)
        used = {text_key}
        attributes: dict[str, str] = {}
        for attribute, keys, mapped in self.attributes:
            if mapped is not None:
                key: str | None = keys[0]
                value = values[keys[0]]
                if value is not None and not _is_scalar(value):
                    raise _RecordError(
                        f"field '{keys[0]}' is {json_kind(value)}, not text (mapped to {mapped})"
                    )
            else:
                key = None
                for candidate in keys:
                    value = values[candidate]
                    if type(value) is str:  # the usual case, tested inline: 500,000 calls
                        if value and not value.isspace():
                            key = candidate
                            break
                    elif _is_usable_scalar(value):
                        key = candidate
                        break
            if key is None:
                attributes[attribute] = ""
            else:
                attributes[attribute] = _one_line(values[key])
                used.add(key)
        if len(used) == len(values):
            meta: dict[str, object] = {}
        else:
            meta = {key: value for key, value in values.items() if key not in used}
        return NewArticle(text=text, meta=meta, origin=record.origin, **attributes)


class _Fields:
    """A record's fields looked up by name, case-insensitively, an exact match first."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values
        self._by_lower: dict[str, str] = {}
        for key in values:
            self._by_lower.setdefault(key.lower(), key)

    def key(self, name: str) -> str | None:
        if name in self.values:
            return name
        return self._by_lower.get(name.lower())


def _present(names: tuple[str, ...], fields: _Fields) -> tuple[str, ...]:
    """The record keys for ``names`` that the record has, in the order of ``names``.

    Empty candidates are passed over per record because scrapers write every key they know:
    news-please has ``"text": null`` beside the real ``"maintext"``.
    """
    found = (fields.key(name) for name in names)
    return tuple(dict.fromkeys(key for key in found if key is not None))


def _mapped_key(target: str, fields: _Fields, mapping: dict[str, str]) -> str:
    key = fields.key(mapping[target])
    if key is None:
        raise _RecordError(f"no field '{mapping[target]}' (mapped to {target})")
    return key


def _is_blank(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _has_content(value: object) -> bool:
    return not _is_blank(value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _is_usable_scalar(value: object) -> bool:
    return _is_scalar(value) and not _is_blank(value)


def _text_of(key: str, value: object, max_chars: int) -> str:
    """The normalised text of field ``key``; refuses what is not text or is too long."""
    if isinstance(value, list):
        value = _joined_paragraphs(key, value)
    elif value is not None and not isinstance(value, str):
        raise _RecordError(f"field '{key}' is {json_kind(value)}, not text")
    text = normalise_text(value or "")
    if not text or text.isspace():
        raise _RecordError(f"no text (field '{key}' is empty)")
    if len(text) > max_chars:
        raise _RecordError(
            f"text has {len(text):,} characters, more than the limit of {max_chars:,}"
            " (raise it with --max-chars)"
        )
    return text


def _joined_paragraphs(key: str, items: list[object]) -> str:
    """Some scrapers store a body as a list of paragraphs; they become one text."""
    paragraphs: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise _RecordError(f"field '{key}' is a list holding {json_kind(item)}, not text")
        paragraphs.append(item)
    return "\n\n".join(paragraphs)


def _one_line(value: object) -> str:
    """A title, url, date, source or id as one line: ``17`` -> ``"17"``, newlines collapsed."""
    if value is None:
        return ""
    if isinstance(value, str) and value.isprintable() and "  " not in value:
        # Nearly every value: no control character, BOM or odd space to normalise (those are
        # not printable), so only the ends may need trimming.
        return value.strip()
    return _WHITESPACE_RUN.sub(" ", normalise_text(str(value))).strip()
