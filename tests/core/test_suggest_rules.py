"""Rules from an example line: proposed from one marked line, then matched project-wide."""

from __future__ import annotations

import pytest

from core.suggest.rules import Rule, RuleError, RuleMatcher, propose_rules


def test_an_example_with_a_lead_in_proposes_the_prefix_and_the_exact_line() -> None:
    rules = propose_rules("  Baca juga: Stok Gula Aman Jelang Natal ")
    assert rules == [
        Rule("prefix", "Baca juga:"),
        Rule("exact", "Baca juga: Stok Gula Aman Jelang Natal"),
    ]
    assert [r.source for r in rules] == [
        "rule:^Baca juga:",
        "rule:=Baca juga: Stok Gula Aman Jelang Natal",
    ]


def test_a_line_without_a_lead_in_proposes_only_itself() -> None:
    assert propose_rules("Tinggalkan komentar") == [Rule("exact", "Tinggalkan komentar")]
    assert propose_rules("   ") == []


def test_rules_ignore_case_and_spacing_and_the_exact_rule_needs_the_whole_line() -> None:
    text = "BACA  JUGA: Lain\nBaca juga: Judul\nTeks. Baca juga: bukan awal\nTinggalkan komentar!"
    matcher = RuleMatcher([Rule("prefix", "Baca juga:"), Rule("exact", "tinggalkan komentar")])
    got = [(p.source, text[p.start : p.end]) for p in matcher.suggest(text)]
    assert got == [
        ("rule:^Baca juga:", "BACA  JUGA: Lain"),
        ("rule:^Baca juga:", "Baca juga: Judul"),
    ]


def test_bad_rules_are_refused() -> None:
    with pytest.raises(RuleError, match="unknown rule kind"):
        Rule("glob", "x")
    with pytest.raises(RuleError, match="bad regular expression"):
        Rule("regex", "(")
    with pytest.raises(RuleError, match="needs text"):
        Rule("exact", " ")
