"""Export's names for the project's one tokenizer (:mod:`core.tokens`)."""

from core.tokens import Token, spacy_tokens, token_offsets, token_range, tokenize

__all__ = ["Token", "spacy_tokens", "token_offsets", "token_range", "tokenize"]
