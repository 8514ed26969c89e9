"""A small team project: three articles labelled by ana, budi, citra (and gold), some
finished, some not. Shared by the agreement and adjudication tests."""

from __future__ import annotations

import dataclasses

from core.models import NewArticle
from storage import Project

TEXTS = [
    "Joko Widodo ke Jakarta 👨🏻‍🚒.\nBaca juga: banjir\nTinggalkan komentar",
    "Kim Jong Un di 𠮷野.\n\nSaksikan video di bawah ini:",
    "Sri Mulyani dan Kementerian Keuangan.\n(luc/luc)",
]


def _label(
    project: Project,
    aid: int,
    who: str,
    *,
    entities: list[tuple[int, int, str]],
    boiler: list[tuple[int, int]],
    stance: str | None,
    status: str = "done",
) -> None:
    for start, end, label in entities:
        project.labels.add_span(
            aid, annotator=who, layer="entity", label=label, start=start, end=end
        )
    for start, end in boiler:
        project.labels.add_span(
            aid, annotator=who, layer="boilerplate", label="boilerplate", start=start, end=end
        )
    if stance:
        project.labels.set_doc_label(aid, annotator=who, key="stance:main", value=stance)
    project.labels.set_status(aid, annotator=who, status=status)


def team_project(project: Project) -> list[int]:
    project.imports.store_articles([NewArticle(text=t, title=f"t{i}") for i, t in enumerate(TEXTS)])
    ids = list(project.article_ids())
    a, b, c = ids
    _label(
        project,
        a,
        "ana",
        entities=[(0, 11, "PER"), (15, 22, "GPE")],
        boiler=[(29, 46)],
        stance="favour",
    )
    _label(
        project,
        a,
        "budi",
        entities=[(0, 11, "PER"), (15, 22, "LOC")],
        boiler=[(29, 33), (47, 66)],
        stance="favour",
    )
    _label(
        project, a, "citra", entities=[(0, 4, "PER")], boiler=[], stance="against", status="skipped"
    )
    _label(
        project,
        b,
        "ana",
        entities=[(0, 11, "PER"), (15, 17, "GPE")],
        boiler=[(20, 48)],
        stance="neutral",
    )
    _label(project, b, "budi", entities=[(0, 11, "PER")], boiler=[(20, 48)], stance="against")
    _label(project, b, "citra", entities=[(0, 11, "PER")], boiler=[(20, 48)], stance="against")
    _label(project, c, "ana", entities=[(0, 11, "PER")], boiler=[], stance="favour", status="todo")
    _label(project, c, "budi", entities=[(0, 11, "PER")], boiler=[(38, 47)], stance="favour")
    _label(project, c, "gold", entities=[(0, 11, "PER")], boiler=[(38, 47)], stance="favour")
    return ids


def random_team_project(project: Project, *, articles: int = 14, seed: int = 7) -> list[int]:
    """``articles`` more articles (emoji, CJK Extension B, RTL, CRLF) labelled at random by
    ana, budi and citra, mostly finished; the label OLDLABEL is used only in the later half
    and then leaves the schema (its spans stay and still count)."""
    import random

    rng = random.Random(seed)
    text = "Kim Jong Un 👨🏻‍🚒 di 𠮷野 dan محطة تحلية.\r\nBaca juga: banjir\n\n" * 6
    project.imports.store_articles(
        [NewArticle(text=f"{text}nomor {n}", title=f"r{seed}-{n}") for n in range(articles)]
    )
    project.set_schema(project.schema().with_entity_label("OLDLABEL"))
    ids = sorted(project.article_ids())[-articles:]
    for n, aid in enumerate(ids):
        labels = ["PER", "GPE", "ORG"] + (["OLDLABEL"] if n >= articles // 2 else [])
        base = [(s, s + rng.randint(2, 6), rng.choice(labels)) for s in range(0, 300, 9)]
        lines = [(0, 40), (42, 61), (104, 120)]
        for name in ("ana", "budi", "citra"):
            for start, end, label in base:
                if rng.random() < 0.8:
                    project.labels.add_span(
                        aid, annotator=name, layer="entity", label=label, start=start, end=end
                    )
            for start, end in lines:
                if rng.random() < 0.5:
                    project.labels.add_span(
                        aid,
                        annotator=name,
                        layer="boilerplate",
                        label="boilerplate",
                        start=start,
                        end=end,
                    )
            stance = rng.choice(["favour", "against", "neutral", None])
            if stance:
                project.labels.set_doc_label(aid, annotator=name, key="stance:main", value=stance)
            if rng.random() < 0.9:
                project.labels.set_status(aid, annotator=name, status="done")
    drop_entity_label(project, "OLDLABEL")
    return ids


def drop_entity_label(project: Project, name: str) -> None:
    """Take an entity label out of the schema; its spans stay (and still count)."""
    schema = project.schema()
    kept = tuple(e for e in schema.entity_labels if e.name != name)
    project.set_schema(dataclasses.replace(schema, entity_labels=kept))
