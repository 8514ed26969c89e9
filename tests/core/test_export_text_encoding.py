"""The article text of a ``spans`` line is encoded by a fast path; it must write exactly
what ``json.dumps(..., ensure_ascii=False)`` writes, whatever the text holds."""

from __future__ import annotations

import json

from core.export.formats import encode_text

TEXTS = [
    "",
    "Presiden Joko Widodo 👨🏻‍🚒 tiba di Jakarta.\n\nSaksikan video di bawah ini:",
    "𠮷野家\nالقاهرة\ncafe\u0301\n",
    'he said "no"\nand left',
    "a back\\slash\n",
    "tab\there\r\nwindows line",
    "form\ffeed and bell\x07 and nul\x00 and unit\x1f",
    "\n" * 5,
    "del \x7f and nbsp \u00a0 and line separator \u2028 stay as they are\n",
    "lone surrogate \ud83d stays too",
]


def test_article_text_encodes_exactly_as_json_dumps_without_ascii_escaping() -> None:
    for text in TEXTS:
        assert encode_text(text) == json.dumps(text, ensure_ascii=False), repr(text)


def test_every_control_character_and_quote_is_escaped_as_json_does() -> None:
    for code in [*range(0x20), ord('"'), ord("\\")]:
        text = f"line one\nx{chr(code)}y\n"
        assert encode_text(text) == json.dumps(text, ensure_ascii=False), hex(code)
