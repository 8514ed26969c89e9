"""Entity spans as short strings of digits, so that agreement and adjudication can take ten
million of them without a tuple each (see :class:`EntityCodes`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: ``(start, end, label)``
SpanKey = tuple[int, int, str]


class EntityCodes:
    """Entity spans as short strings of digits, ``"10" + start + end`` with the offsets
    zero-padded to eight digits (``"100000012000000131"``): the first two characters are
    the label's code. The database writes exactly these as numbers and joins them, so a set
    of them is built without a tuple per span, and sets are intersected and their labels
    counted in C (``Counter(map(itemgetter(slice(0, 2)), keys))``): how agreement keeps up
    with ten million spans. Codes are handed out as labels turn up; past 90 labels, or for
    offsets of nine digits, keys take a form only Python writes (never equal to a number)."""

    #: Codes "10".."99": what SQL can write as the leading digits of a number.
    SQL_CODES = 90
    #: Offsets below this fit their eight digits.
    OFFSET_LIMIT = 100_000_000

    def __init__(self, labels: Iterable[str] = ()) -> None:
        self.code: dict[str, str] = {}
        self.label: dict[str, str] = {}
        for label in labels:
            self.code_of(label)

    def code_of(self, label: str) -> str:
        code = self.code.get(label)
        if code is None:
            n = len(self.code)
            code = str(10 + n) if n < self.SQL_CODES else f"{chr(0x100 + n)}:"
            self.code[label], self.label[code] = code, label
        return code

    def encode(self, spans: Iterable[SpanKey]) -> frozenset[str]:
        code_of, limit = self.code_of, self.OFFSET_LIMIT
        return frozenset(
            f"{code_of(label)}{start:08d}{end:08d}"
            if end < limit
            else f"{code_of(label)}{start}:{end}:"
            for start, end, label in spans
        )

    def decode(self, key: str) -> SpanKey:
        label = self.label[key[:2]]
        if key.endswith(":"):
            start, end = key[2:-1].split(":")
            return int(start), int(end), label
        return int(key[2:10]), int(key[10:18]), label

    def decode_keys(self, keys: Iterable[str]) -> dict[str, SpanKey]:
        """``{key: decode(key)}`` for many keys, decoded inline as in :meth:`decode_counts`."""
        label = self.label
        decode = self.decode
        return {
            key: (int(key[2:10]), int(key[10:18]), label[key[:2]])
            if key[-1] != ":"
            else decode(key)
            for key in keys
        }

    def decode_counts(self, counts: Mapping[str, int]) -> dict[SpanKey, int]:
        """``{decode(key): n}`` for many keys, the common form decoded inline (a call per
        key costs as much as the decoding)."""
        label = self.label
        decode = self.decode
        return {
            (int(key[2:10]), int(key[10:18]), label[key[:2]]) if key[-1] != ":" else decode(key): n
            for key, n in counts.items()
        }

    def sql_codes(self) -> dict[str, int]:
        """Label -> code as a number, for the codes SQL may write."""
        return {label: int(c) for label, c in self.code.items() if c.isdigit()}
