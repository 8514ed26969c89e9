"""Suggesters: pure functions from an article's text to proposed spans (no storage, no Qt).

Boilerplate suggesters work on lines (``lexicon``, ``repeated``, ``shape``, ``rules``); entity
suggesters on word tokens (``gazetteer``, ``patterns``). Storage runs them and keeps what they
propose as suggestions, apart from labels, until an annotator accepts one.
"""

from __future__ import annotations

from core.suggest.base import BOILERPLATE_SOURCES, Proposal

__all__ = ["BOILERPLATE_SOURCES", "Proposal"]
