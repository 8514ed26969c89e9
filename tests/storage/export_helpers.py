"""A small labelled project with hard text, shared by the export and labelled-import tests."""

from __future__ import annotations

import json
from pathlib import Path

from storage import Project

ARTICLES = [
    {
        "id": "id-1",
        "title": "Tentara Korut",
        "source": "kabar.example",
        "text": "Presiden Joko Widodo 👨🏻‍🚒 tiba di Jakarta, Rabu.\nSaksikan video di bawah ini:\n(luc/luc)",
        "author": "luc",
    },
    {
        "title": "国境で戦闘",
        "source": "shimbun.example",
        "text": "𠮷野家の店主によると、東京で戦闘があった。国境地帯での戦闘で数百人の兵士が死亡した。",
    },
    {
        "id": "ar-1",
        "title": "اشتباكات",
        "source": "akhbar.example",
        "text": "قال مسؤول كبير في القاهرة يوم الأربعاء إن مئات الجنود قتلوا خلال القتال.\nTinggalkan komentar",
    },
    {
        "id": "fr-1",
        "title": "Café",
        "source": "kabar.example",
        "text": "Le café\u0301 de Paris est fermé depuis lundi, a annoncé la mairie de Paris.",
    },
]

#: (article index, layer, label, covered text)
LABELS = [
    (0, "entity", "PER", "Joko Widodo"),
    (0, "entity", "GPE", "Jakarta"),
    (0, "boilerplate", "boilerplate", "Saksikan video di bawah ini:"),
    (0, "boilerplate", "boilerplate", "(luc/luc)"),
    (1, "entity", "ORG", "𠮷野家"),
    (1, "entity", "GPE", "東京"),
    (2, "entity", "GPE", "القاهرة"),
    (2, "boilerplate", "boilerplate", "Tinggalkan komentar"),
    (3, "entity", "LOC", "café\u0301 de Paris"),
]
STANCE = ["favour", "against", "neutral", "favour"]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def labelled_project(project: Project, tmp_path: Path, *, annotator: str = "alice") -> list[int]:
    """Import ARTICLES, label them as ``annotator`` and mark them done; returns their ids."""
    project.imports.import_files([write_jsonl(tmp_path / "articles.jsonl", ARTICLES)])
    ids = [s.id for s in project.list_articles()]
    texts = [project.article(i).text for i in ids]
    for n, layer, label, covered in LABELS:
        start = texts[n].index(covered)
        project.labels.add_span(
            ids[n], annotator=annotator, layer=layer, label=label, start=start,
            end=start + len(covered),
        )  # fmt: skip
    for n, article_id in enumerate(ids):
        project.labels.set_doc_label(
            article_id, annotator=annotator, key="stance:main", value=STANCE[n]
        )
        project.labels.set_status(article_id, annotator=annotator, status="done")
    return ids


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]
