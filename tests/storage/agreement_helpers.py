"""A small team project: three articles labelled by ana, budi, citra (and gold), some
finished, some not. Shared by the agreement and adjudication tests."""

from __future__ import annotations

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
        project.add_span(aid, annotator=who, layer="entity", label=label, start=start, end=end)
    for start, end in boiler:
        project.add_span(
            aid, annotator=who, layer="boilerplate", label="boilerplate", start=start, end=end
        )
    if stance:
        project.set_doc_label(aid, annotator=who, key="stance:main", value=stance)
    project.set_status(aid, annotator=who, status=status)


def team_project(project: Project) -> list[int]:
    project.store_articles([NewArticle(text=t, title=f"t{i}") for i, t in enumerate(TEXTS)])
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
