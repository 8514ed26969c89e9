"""The one edit rule: what may be stored, and why the rest is refused, item by item."""

from __future__ import annotations

import pytest

from core.edits import (
    ANNOTATOR,
    LEAD,
    Access,
    EditSet,
    NewSpan,
    StatusEdit,
    covered,
    decide,
    entity_clash,
    make_origin,
    restore,
    stance_key,
    stance_target,
    stances,
)
from core.models import Span
from core.schema import EntityLabel, Schema, StanceOption, StanceTarget

SCHEMA = Schema(
    entity_labels=(EntityLabel("PER", "#ff0000"), EntityLabel("ORG", "#00ff00")),
    boilerplate_kinds=("boilerplate", "ad"),
    stance_targets=(StanceTarget("main", (StanceOption("favour"), StanceOption("against"))),),
)
OPEN = Access()


def stored(*items: tuple[int, str, str, int, int]) -> list[Span]:
    return [Span(i, 1, "ani", layer, label, s, e, "manual") for i, layer, label, s, e in items]


def run(edits: EditSet, *, held: list[Span] | None = None, access: Access = OPEN, length=40):
    return decide(edits, schema=SCHEMA, length=length, stored=held or [], access=access)


def codes(decision) -> list[str]:
    return [r.code for r in decision.refused]


def test_origins_are_built_in_one_shape() -> None:
    assert make_origin("manual") == "manual"
    assert make_origin("imported") == "imported"
    assert make_origin("suggestion", source="gazetteer") == "suggestion:gazetteer"
    assert make_origin("adjudicated", annotators=["budi", "ana", "ana"]) == "adjudicated:ana+budi"
    assert len(make_origin("suggestion", source="x" * 500)) == 200
    with pytest.raises(ValueError, match="needs its source"):
        make_origin("suggestion")
    with pytest.raises(ValueError, match="unknown origin kind"):
        make_origin("guess")


def test_stance_keys_are_built_and_read_by_one_pair_of_helpers() -> None:
    assert stance_key("main") == "stance:main"
    assert stance_target("stance:Rusia: perang") == "Rusia: perang"
    assert stance_target("topic") is None
    assert stances({"stance:main": "favour", "topic": "x"}) == {"main": "favour"}


def test_spans_in_bounds_with_known_labels_are_accepted() -> None:
    d = run(
        EditSet(
            1,
            "ani",
            add=(NewSpan("entity", "PER", 0, 4), NewSpan("boilerplate", "ad", 0, 40)),
        )
    )
    assert d.refused == [] and len(d.add) == 2


@pytest.mark.parametrize(
    ("span", "code", "words"),
    [
        (NewSpan("entity", "PER", -1, 3), "bounds", "outside its text (0–40)"),
        (NewSpan("entity", "PER", 5, 5), "bounds", "outside its text"),
        (NewSpan("entity", "PER", 30, 41), "bounds", "outside its text"),
        (NewSpan("entity", "NOPE", 0, 3), "label", "unknown entity label 'NOPE'"),
        (NewSpan("boilerplate", "footer", 0, 3), "label", "unknown boilerplate kind 'footer'"),
        (NewSpan("entity", "", 0, 3), "label", "needs a label"),
        (NewSpan("sentiment", "PER", 0, 3), "layer", "unknown layer 'sentiment'"),
    ],
)
def test_a_bad_span_is_refused_with_its_reason(span: NewSpan, code: str, words: str) -> None:
    d = run(EditSet(1, "ani", add=(span,)))
    assert d.add == [] and codes(d) == [code] and words in d.refused[0].reason


def test_entities_may_not_overlap_stored_ones_nor_each_other_but_boilerplate_may_cover_them() -> (
    None
):
    held = stored((1, "entity", "PER", 0, 7))
    d = run(
        EditSet(
            1,
            "ani",
            add=(
                NewSpan("entity", "ORG", 5, 9),  # overlaps the stored PER
                NewSpan("entity", "ORG", 10, 20),
                NewSpan("entity", "PER", 15, 25),  # overlaps the ORG just accepted
                NewSpan("entity", "PER", 7, 10),  # touching is not overlapping
                NewSpan("boilerplate", "boilerplate", 0, 30),
            ),
        ),
        held=held,
    )
    assert [(n.label, n.start) for n in d.add] == [("ORG", 10), ("PER", 7), ("boilerplate", 0)]
    assert codes(d) == ["overlap", "overlap"]
    assert d.refused[0].reason == "overlaps the PER span 0–7; remove or shrink that one first"
    assert d.refused[1].other == NewSpan("entity", "ORG", 10, 20)


def test_a_copy_of_a_held_span_is_a_duplicate_and_covered_boilerplate_is_refused_on_request() -> (
    None
):
    held = stored((1, "boilerplate", "boilerplate", 0, 20), (2, "entity", "PER", 0, 4))
    inner = NewSpan("boilerplate", "boilerplate", 5, 10)
    same = NewSpan("entity", "PER", 0, 4)
    assert codes(run(EditSet(1, "ani", add=(inner, same)), held=held)) == ["duplicate"]
    bulk = run(EditSet(1, "ani", add=(inner, same), skip_covered=True), held=held)
    assert codes(bulk) == ["covered", "duplicate"]
    assert covered(inner, held) and not covered(NewSpan("boilerplate", "ad", 15, 25), held)


def test_a_set_can_replace_a_span_delete_and_relabel_find_only_the_annotators_spans() -> None:
    held = stored((1, "entity", "PER", 0, 7), (2, "entity", "ORG", 10, 14))
    d = run(
        EditSet(
            1,
            "ani",
            delete=(1, 99),
            relabel=((2, "PER"), (2, "NOPE")),
            add=(NewSpan("entity", "ORG", 0, 9),),
        ),
        held=held,
    )
    assert [s.id for s in d.delete] == [1]
    assert d.relabel == [(held[1], "PER")]
    assert d.add == [NewSpan("entity", "ORG", 0, 9)]
    assert codes(d) == ["missing", "label"]


def test_document_labels_check_stance_targets_and_options() -> None:
    d = run(
        EditSet(
            1,
            "ani",
            doc=(
                (stance_key("main"), "favour"),
                (stance_key("main"), "against"),
                (stance_key("nobody"), "favour"),
                (stance_key("main") + "x", None),
                ("topic", "anything"),
                ("", "x"),
            ),
        )
    )
    assert d.doc == [("stance:main", "favour"), ("topic", "anything")]
    assert [r.reason for r in d.refused] == [
        "'stance:main' is set twice in one edit",
        "unknown stance target in 'stance:nobody'",
        "unknown stance target in 'stance:mainx'",
        "a document label needs a key",
    ]
    wrong = run(EditSet(1, "ani", doc=((stance_key("main"), "maybe"),)))
    assert wrong.refused[0].reason == "'maybe' is not an option of stance target 'main'"
    cleared = run(EditSet(1, "ani", doc=((stance_key("main"), None),)))
    assert cleared.doc == [("stance:main", None)]


def test_status_must_be_known() -> None:
    assert run(EditSet(1, "ani", status=StatusEdit("done"))).status == StatusEdit("done")
    assert codes(run(EditSet(1, "ani", status=StatusEdit("finished")))) == ["status"]


def test_a_missing_article_refuses_every_item() -> None:
    d = run(EditSet(7, "ani", add=(NewSpan("entity", "PER", 0, 4),), delete=(3,)), length=None)
    assert d.empty and codes(d) == ["missing", "missing"]
    assert d.refused[0].reason == "no article with id 7"


def test_without_a_lead_everyone_edits_everything() -> None:
    for access in (Access(), Access("ani"), Access("ani", {"ani": ANNOTATOR})):
        assert access.refusal("budi") is None and access.may_set_roles() is None


def test_with_a_lead_an_annotator_edits_only_their_own_labels() -> None:
    roles = {"lea": LEAD, "ani": ANNOTATOR}
    edit = EditSet(1, "budi", add=(NewSpan("entity", "PER", 0, 4),), doc=(("topic", "x"),))
    refused = run(edit, access=Access("ani", roles))
    assert refused.empty and codes(refused) == ["owner", "owner"]
    assert "ani may not change budi's labels" in refused.refused[0].reason
    assert run(EditSet(1, "ani", add=edit.add), access=Access("ani", roles)).refused == []
    assert run(edit, access=Access("lea", roles)).refused == []
    assert "who is editing is unknown" in (Access(None, roles).refusal("budi") or "")
    assert Access("ani", roles).may_set_roles() is not None
    assert Access("lea", roles).may_set_roles() is None


def test_restore_puts_a_span_back_exactly_as_it_was() -> None:
    span = Span(5, 3, "ani", "entity", "PER", 1, 4, "suggestion:model")
    edits = restore(span)
    assert (edits.article_id, edits.annotator) == (3, "ani")
    assert edits.add == (NewSpan("entity", "PER", 1, 4, "suggestion:model", 5),)


def test_entity_clash_ignores_boilerplate_and_touching_spans() -> None:
    held = stored((1, "boilerplate", "ad", 0, 40), (2, "entity", "PER", 10, 20))
    assert entity_clash(held, 0, 10) is None and entity_clash(held, 20, 30) is None
    assert entity_clash(held, 19, 21) == held[1]


def test_a_relabel_that_would_make_a_copy_of_another_span_is_refused() -> None:
    held = stored((1, "boilerplate", "boilerplate", 0, 9), (2, "boilerplate", "ad", 0, 9))
    d = run(EditSet(1, "ani", relabel=((2, "boilerplate"),)), held=held)
    assert d.relabel == [] and codes(d) == ["duplicate"]
    assert run(EditSet(1, "ani", relabel=((1, "boilerplate"),)), held=held).refused == []


def _linear_decision(edits: EditSet, held: list[Span]) -> list[tuple[str, object]]:
    """What the rule answers for each added entity when every new span is compared with
    every held one: the definition the sorted overlap check must agree with."""
    kept: list = [s for s in held if s.id not in set(edits.delete)]
    out: list[tuple[str, object]] = []
    for new in edits.add:
        clash = entity_clash(kept, new.start, new.end)
        if any((k.label, k.start, k.end) == (new.label, new.start, new.end) for k in kept):
            out.append(("duplicate", None))
        elif clash is not None:
            out.append(("overlap", (clash.label, clash.start, clash.end)))
        else:
            out.append(("ok", None))
            kept.append(new)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_sorted_overlap_check_finds_what_comparing_with_every_span_finds(seed: int) -> None:
    import random

    rng = random.Random(seed)
    # Stored entities overlap each other in some seeds (a file from an older rule, say):
    # the check must still name the same clashing span.
    held: list[Span] = []
    for i in range(rng.randint(0, 12)):
        start = rng.randrange(0, 90)
        held.append(
            Span(
                i + 1,
                1,
                "ani",
                "entity",
                rng.choice(["PER", "ORG"]),
                start,
                start + rng.randint(1, 8),
                "manual",
            )
        )
    if seed % 2:
        disjoint: list[Span] = []
        for s in held:
            if entity_clash(disjoint, s.start, s.end) is None:
                disjoint.append(s)
        held = disjoint
    rng.shuffle(held)
    delete = tuple(s.id for s in held if rng.random() < 0.2)
    add = []
    for _ in range(rng.randint(1, 40)):
        start = rng.randrange(0, 95)
        add.append(NewSpan("entity", rng.choice(["PER", "ORG"]), start, start + rng.randint(1, 5)))
    edits = EditSet(1, "ani", add=tuple(add), delete=delete)
    d = run(edits, held=held, length=100)
    got = []
    refused = {id(r.item): r for r in d.refused}
    for new in add:
        r = refused.get(id(new))
        if r is None:
            got.append(("ok", None))
        elif r.code == "overlap":
            got.append(("overlap", (r.other.label, r.other.start, r.other.end)))
        else:
            got.append((r.code, None))
    assert got == _linear_decision(edits, held)


@pytest.mark.parametrize("seed", range(60))
def test_a_set_of_many_spans_is_decided_as_its_spans_one_after_another(seed: int) -> None:
    """A set of many spans is first checked as a whole (all accepted?) and only then span by
    span: the decision must be exactly that of adding its spans one by one, each seeing the
    ones accepted before it, whatever the set holds (overlaps with each other or with held
    spans, copies, unknown labels, spans past the text, empty spans, boilerplate)."""
    import random

    rng = random.Random(seed)
    clean = seed % 2 == 0  # half the sets are ones the whole-set check accepts
    labels = ["PER", "ORG"] + ([] if clean else ["XXX"])
    held = stored(
        *(
            (900 + n, "entity", rng.choice(["PER", "ORG"]), s, s + 2)
            for n, s in enumerate(range(50, 80, 10))
            if rng.random() < 0.7
        ),
        *([(990, "boilerplate", "ad", 0, 30)] if rng.random() < 0.5 else []),
    )
    adds = []
    for start in range(0, 48, 3 if clean else 2):
        if rng.random() < 0.6:
            end = start + (rng.randint(1, 3) if clean else rng.randint(0, 6))
            layer = rng.choice(["entity"] * 8 + ["boilerplate", "evidence"])
            label = rng.choice(labels) if layer == "entity" else "ad"
            adds.append(NewSpan(layer, label, start, end))
    if not clean and adds:
        adds.append(rng.choice(adds))  # a copy within the set
    copied = seed % 4 == 2 and bool(held)
    if copied:  # a set otherwise accepted whole, but for a copy of a held span
        h = rng.choice(held)
        adds.insert(rng.randrange(len(adds) + 1), NewSpan(h.layer, h.label, h.start, h.end))
    whole = run(EditSet(1, "ani", add=tuple(adds)), held=held, length=100 if clean else 46)
    one_by_one: list[NewSpan] = []
    refused: list[tuple[NewSpan, str, str]] = []
    now = list(held)
    for n, new in enumerate(adds):
        single = run(EditSet(1, "ani", add=(new,)), held=now, length=100 if clean else 46)
        one_by_one += single.add
        refused += [(r.item, r.code, r.reason) for r in single.refused]
        now += [
            Span(-n - 1, 1, "ani", s.layer, s.label, s.start, s.end, s.origin) for s in single.add
        ]
    assert whole.add == one_by_one
    assert [(r.item, r.code, r.reason) for r in whole.refused] == refused
    if clean:
        assert whole.add and [r.code for r in whole.refused] == (["duplicate"] if copied else [])
