"""Rules made from one example line: the exact text, or the prefix it starts with.

After an annotator marks "Baca juga: Stok Gula Aman Jelang Natal" as boilerplate, the useful
rules are the exact line (a footer that never changes) and its lead-in ``^Baca juga:`` (a
prompt followed by a different title each time). A rule is data, kept in the project and
shown with the number of lines it would match before it is applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.suggest.base import Line, Proposal, boilerplate, normalise_line, split_lines

KINDS = ("exact", "prefix", "regex")
#: A lead-in is at most this many words, ended by a colon, dash, pipe or bullet.
_LEAD_IN = re.compile(r"^(\W{0,3}[^\W\d_][^:：|–—•»›]{0,40}?\s*[:：|–—•»›])\s*\S")


class RuleError(ValueError):
    """A rule that cannot be used (empty, unknown kind, bad regular expression)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """``kind`` is exact (whole line, case and spacing ignored), prefix or regex."""

    kind: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise RuleError(f"unknown rule kind {self.kind!r}; use {', '.join(KINDS)}")
        if not self.text.strip():
            raise RuleError("a rule needs text")
        if self.kind == "regex":
            try:
                re.compile(self.text)
            except re.error as exc:
                raise RuleError(f"bad regular expression {self.text!r}: {exc}") from exc

    @property
    def source(self) -> str:
        """The suggestion source of this rule, e.g. ``rule:^Baca juga:`` (≤ 200 characters)."""
        shown = {"exact": "=" + self.text, "prefix": "^" + self.text, "regex": "~" + self.text}
        return ("rule:" + shown[self.kind])[:200]

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Rule:
        return cls(kind=data["kind"], text=data["text"])

    def compile(self) -> re.Pattern[str]:
        if self.kind == "regex":
            return re.compile(self.text, re.IGNORECASE)
        words = [re.escape(w) for w in normalise_line(self.text).split(" ")]
        body = r"\s+".join(words)
        if self.kind == "exact":
            return re.compile(rf"^{body}$", re.IGNORECASE)
        return re.compile(rf"^{body}", re.IGNORECASE)


def propose_rules(line: str) -> list[Rule]:
    """Rules an example line suggests: its lead-in prefix if it has one, and the exact line."""
    text = line.strip()
    if not text:
        return []
    rules: list[Rule] = []
    match = _LEAD_IN.match(text)
    if match and len(match.group(1).split()) <= 5:
        rules.append(Rule("prefix", match.group(1).strip()))
    rules.append(Rule("exact", text))
    return rules


class RuleMatcher:
    """Several rules, applied to the lines of a text."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = [(rule, rule.compile()) for rule in rules]

    def match_lines(self, lines: list[Line]) -> list[tuple[Rule, Line]]:
        return [
            (rule, line)
            for line in lines
            if not line.empty
            for rule, pattern in self.rules
            if pattern.search(line.text)
        ]

    def suggest(self, text: str) -> list[Proposal]:
        return [
            boilerplate(line, rule.source) for rule, line in self.match_lines(split_lines(text))
        ]
