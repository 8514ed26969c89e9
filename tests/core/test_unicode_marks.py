"""The tokenizer's table of combining marks is the running Python's Unicode, exactly."""

from __future__ import annotations

import sys
import unicodedata

from core.tokens import token_offsets
from core.unicode_marks import MARK_RANGES, UNICODE_VERSION


def test_the_mark_table_lists_every_combining_mark_of_this_python_and_nothing_else() -> None:
    assert unicodedata.unidata_version == UNICODE_VERSION
    listed = {cp for a, b in MARK_RANGES for cp in range(a, b + 1)}
    marks = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp))[0] == "M"}
    assert listed == marks


def test_marks_stay_inside_their_word() -> None:
    assert token_offsets("cafe\u0301 \u0915\u093f\u0924\u093e\u092c") == [(0, 5), (6, 11)]
