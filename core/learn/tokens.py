"""The tokens the learners see: one function, so that the tokenizer can be swapped in one place.

Today it is the project's one tokenizer, :mod:`core.tokens` (export uses it too), so a model
trained here sees exactly the tokens an exported dataset has.
"""

from __future__ import annotations

from core.tokens import token_offsets


def word_tokens(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of the tokens of ``text``."""
    return token_offsets(text)
