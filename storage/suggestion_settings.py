"""What configures the suggesters, kept in the project so every annotator gets the same.

Settings (``Project.set_setting``):

- ``suggest.disabled``: sources switched off (not run, not shown as pending).
- ``suggest.repeated_min_articles``: K of the repeated-line suggester (default 3).
- ``suggest.rules``: boilerplate rules made from examples (``{"kind", "text"}``).
- ``suggest.lexicon``: the user's own lexicon entries (same keys as the bundled files).
- ``suggest.patterns``: Prodigy-style entity patterns (the gazetteer).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.suggest import repeated
from core.suggest.gazetteer import read_patterns
from core.suggest.lexicon import Lexicon, LexiconError
from core.suggest.rules import Rule
from resources import resource_path
from storage.part import ProjectPart

if TYPE_CHECKING:
    from storage.models import Models

#: The kinds of entry a project's own lexicon holds (see :mod:`core.suggest.lexicon`).
LEXICON_KINDS = ("lines", "prefixes", "patterns", "markers")


def bundled_lexicon_data() -> list[dict[str, Any]]:
    folder = resource_path("lexicons")
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


class SuggestionSettingsMixin(ProjectPart):
    """Mixed into ``Project`` (through ``SuggestionMixin``); relies on its settings, ``m``
    and ``_write``."""

    db: pw.Database
    m: Models

    def disabled_sources(self) -> list[str]:
        return list(self.get_setting("suggest.disabled", []))

    def set_source_enabled(self, source: str, enabled: bool) -> None:
        disabled = set(self.disabled_sources())
        (disabled.discard if enabled else disabled.add)(source)
        self.set_setting("suggest.disabled", sorted(disabled))

    def repeated_min_articles(self) -> int:
        return int(self.get_setting("suggest.repeated_min_articles", repeated.DEFAULT_MIN_ARTICLES))

    def set_repeated_min_articles(self, k: int) -> None:
        if k < 2:
            raise ValueError("a line must occur in at least 2 articles to count as repeated")
        self.set_setting("suggest.repeated_min_articles", int(k))

    def rules(self) -> list[Rule]:
        return [Rule.from_dict(d) for d in self.get_setting("suggest.rules", [])]

    def add_rule(self, rule: Rule) -> bool:
        """Keep a rule in the project (False if it was there already)."""
        rules = self.rules()
        if rule in rules:
            return False
        self.set_setting("suggest.rules", [r.to_dict() for r in [*rules, rule]])
        return True

    def remove_rule(self, rule: Rule) -> int:
        """Forget a rule and drop the suggestions it made; returns how many were dropped.

        Running the suggesters would not drop them: a removed rule no longer runs, so nothing
        brings its old suggestions up to date. Spans already accepted from it are labels and
        stay (their origin still names the rule); so do rejections.
        """
        s = self.m.Suggestion
        with self._write():
            self.set_setting("suggest.rules", [r.to_dict() for r in self.rules() if r != rule])
            if rule.source in self.disabled_sources():
                self.set_source_enabled(rule.source, True)  # no stale switch left behind
            return s.delete().where(s.source == rule.source).execute()

    def user_lexicon(self) -> dict[str, list[str]]:
        return dict(self.get_setting("suggest.lexicon", {}))

    def add_lexicon_entry(self, kind: str, text: str) -> bool:
        """Add a phrase to the project's own lexicon (``lines``, ``prefixes``, ``patterns``
        or ``markers``); it is checked by compiling it with the bundled lists. Returns False
        if it was there already; raises ``LexiconError`` for an unusable entry. Run the
        ``lexicon`` suggester afterwards to see it in the articles."""
        if kind not in LEXICON_KINDS:
            raise LexiconError(f"unknown lexicon list {kind!r}; use {', '.join(LEXICON_KINDS)}")
        text = text.strip()
        if not text:
            raise LexiconError("a lexicon entry needs text")
        entries = self.user_lexicon()
        entries.setdefault(kind, [])
        if text in entries[kind]:
            return False
        entries[kind].append(text)
        Lexicon.from_data([entries])  # raises LexiconError for a bad entry
        self.set_setting("suggest.lexicon", entries)
        return True

    def remove_lexicon_entry(self, kind: str, text: str) -> bool:
        """Take an entry out of the project's own lexicon (False if it was not there). Its
        suggestions go on the next run of the ``lexicon`` suggester, which removes what it no
        longer proposes."""
        entries = self.user_lexicon()
        if text not in entries.get(kind, []):
            return False
        entries[kind] = [t for t in entries[kind] if t != text]
        if not entries[kind]:
            del entries[kind]
        self.set_setting("suggest.lexicon", entries)
        return True

    def lexicon(self) -> Lexicon:
        return Lexicon.from_data([*bundled_lexicon_data(), self.user_lexicon()])

    def entity_patterns(self) -> list[dict]:
        return list(self.get_setting("suggest.patterns", []))

    def load_patterns(self, lines: Iterable[str]) -> tuple[int, list[str]]:
        """Add Prodigy-style JSONL pattern lines; returns (patterns added, problems)."""
        patterns, problems = read_patterns(lines)
        stored = self.entity_patterns()
        seen = {json.dumps(p, sort_keys=True) for p in stored}
        added = [p for p in patterns if json.dumps(p, sort_keys=True) not in seen]
        if added:
            self.set_setting("suggest.patterns", [*stored, *added])
        return len(added), problems
