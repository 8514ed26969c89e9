"""Every export format loaded the way an ML engineer loads it: Hugging Face ``datasets``
(``load_dataset`` on the folder, with and without a split) and spaCy (``Doc(words, spaces)``
from ``--tokens``). Dev-only libraries; the app never imports them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.export.records import JSONL_FORMATS, ExportOptions, ExportSelection
from storage import Project
from tests.storage.export_helpers import labelled_project

datasets = pytest.importorskip("datasets")
spacy = pytest.importorskip("spacy")

#: Whitespace a naive tokenizer loses: double spaces, a tab, blank lines, CRLF on input.
SPACEY = {
    "id": "ws-1",
    "title": "Spasi",
    "source": "kabar.example",
    "text": "Menteri  Retno Marsudi\tbertemu\r\n\r\nwarga   Kyiv 🇺🇦 di Rusia-Ukraina.\r\n",
}


@pytest.fixture(autouse=True)
def _offline_hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets.config.HF_DATASETS_OFFLINE = True


def _project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "p.tandai")
    labelled_project(project, tmp_path)
    (tmp_path / "more.jsonl").write_text(json.dumps(SPACEY, ensure_ascii=False) + "\n", "utf-8")
    project.imports.import_files([tmp_path / "more.jsonl"])
    (aid,) = [a.id for a in project.list_articles() if a.external_id == "ws-1"]
    text = project.article(aid).text
    for needle, label in (("Retno Marsudi", "PER"), ("Kyiv", "GPE"), ("Ukraina", "GPE")):
        start = text.index(needle)
        project.labels.add_span(
            aid,
            annotator="alice",
            layer="entity",
            label=label,
            start=start,
            end=start + len(needle),
        )
    project.labels.set_doc_label(aid, annotator="alice", key="stance:main", value="against")
    project.labels.set_status(aid, annotator="alice", status="done")
    return project


def _load(folder: Path):  # -> datasets.DatasetDict
    cwd = os.getcwd()
    try:
        os.chdir(folder.parent)  # load_dataset resolves a bare folder name like a user would
        return datasets.load_dataset(str(folder))
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("fmt", JSONL_FORMATS)
@pytest.mark.parametrize("split", [(), (("train", 0.5), ("test", 0.5))])
def test_every_format_loads_with_load_dataset_on_the_folder(
    tmp_path: Path, fmt: str, split: tuple
) -> None:
    with _project(tmp_path) as project:
        out = tmp_path / f"out-{fmt}"
        summary = project.exports.export_dataset(
            out,
            ExportOptions(format=fmt, split=split, seed=3, selection=ExportSelection()),
        )
    loaded = _load(out)
    expected = {"data": "train"} if not split else {name: name for name, _ in split}
    assert set(loaded) == {expected[s] for s in summary.files}
    assert sum(len(d) for d in loaded.values()) == summary.lines
    for name, dataset in loaded.items():
        assert "split" in dataset.column_names and "lang" in dataset.column_names
        if split:
            assert set(dataset["split"]) <= {name}
    if fmt == "ner-bio":
        feature = next(iter(loaded.values())).features["ner_tags"].feature
        names = json.loads((out / "labels.json").read_text("utf-8"))
        assert feature.names == names and names[0] == "O"
        for dataset in loaded.values():
            for row in dataset:
                assert len(row["tokens"]) == len(row["ner_tags"])
                # Every token is found in the text in order: the text is kept exactly.
                at = 0
                for token in row["tokens"]:
                    at = row["text"].index(token, at) + len(token)
    if fmt == "spans":
        for dataset in loaded.values():
            for row in dataset:
                assert isinstance(json.loads(row["meta"]), dict)


def test_spacy_docs_from_tokens_give_back_every_text_and_align_every_span(tmp_path: Path) -> None:
    with _project(tmp_path) as project:
        texts = {a.id: project.article(a.id).text for a in project.list_articles()}
        project.exports.export_dataset(tmp_path / "out", ExportOptions(format="spans", tokens=True))
    nlp = spacy.blank("xx")
    rows = [json.loads(line) for line in (tmp_path / "out" / "data.jsonl").open(encoding="utf-8")]
    assert len(rows) == len(texts)
    assert "\r" not in "".join(r["text"] for r in rows)
    for row in rows:
        words = [t["text"] for t in row["tokens"]]
        spaces = [t["ws"] for t in row["tokens"]]
        doc = spacy.tokens.Doc(nlp.vocab, words=words, spaces=spaces)
        assert doc.text == row["text"]
        for span in row["spans"]:
            if span["layer"] != "entity":
                continue
            aligned = doc.char_span(span["start"], span["end"], label=span["label"])
            assert aligned is not None, span
            assert aligned.text == span["text"]
            assert (aligned.start, aligned.end - 1) == (span["token_start"], span["token_end"])
        if row["lang"] is not None:
            # an ISO 639-1 code spaCy knows, never "und" or "no" (blank("ja") would need Sudachi)
            spacy.util.get_lang_class(row["lang"])


def test_conll_export_is_read_by_spacy_convert_and_by_our_import(tmp_path: Path) -> None:
    import subprocess
    import sys

    with _project(tmp_path) as project:
        summary = project.exports.export_dataset(tmp_path / "out", ExportOptions(format="conll"))
        texts = {a.external_id: project.article(a.id).text for a in project.list_articles()}
        expected = {
            (label, texts_of)
            for a in project.list_articles()
            for s in project.labels.spans(a.id, layer="entity")
            for label, texts_of in [(s.label, project.article(a.id).text[s.start : s.end])]
        }
    data = tmp_path / "out" / "data.conll"
    assert summary.files == {"data": "data.conll"}
    assert data.read_text("utf-8").count("-DOCSTART-") == len(texts)
    converted = tmp_path / "converted"
    converted.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "spacy", "convert", str(data), str(converted), "-c", "ner"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    nlp = spacy.blank("xx")
    docs = list(spacy.tokens.DocBin().from_disk(converted / "data.spacy").get_docs(nlp.vocab))
    assert len(docs) == len(texts)
    # spaCy joins tokens with spaces (CoNLL has no whitespace), so texts compare without it.
    found = {(e.label_, "".join(e.text.split())) for doc in docs for e in doc.ents}
    assert found == {(label, "".join(text.split())) for label, text in expected}
    with Project.create(tmp_path / "back.tandai") as back:
        report = back.imports.import_labelled([data], annotator="ana", detect=False)
        assert report.spans == len(expected)


@pytest.mark.parametrize("fmt", ["spans", "ner-bio"])
def test_chunked_exports_load_and_point_back_into_their_articles(tmp_path: Path, fmt: str) -> None:
    with _project(tmp_path) as project:
        texts = {}
        for a in project.list_articles():
            article = project.article(a.id)
            texts[article.external_id or a.id] = article.text
        project.exports.export_dataset(
            tmp_path / "out", ExportOptions(format=fmt, chunk="tokens:6")
        )
    (dataset,) = _load(tmp_path / "out").values()
    by_text = {text: text for text in texts.values()}
    assert len(dataset) > len(texts)  # long articles were cut
    for row in dataset:
        article = next(t for t in by_text if t[row["offset"] :].startswith(row["text"]))
        assert article[row["offset"] : row["offset"] + len(row["text"])] == row["text"]
        assert row["id"].startswith(row["article"] + "#")


def test_spacy_format_is_a_docbin_per_split_that_spacy_s_corpus_reads(tmp_path: Path) -> None:
    from spacy.training import Corpus

    with _project(tmp_path) as project:
        expected = {}
        for a in project.list_articles():
            text = project.article(a.id).text
            expected[text] = {
                (text[s.start : s.end], s.label) for s in project.labels.spans(a.id, layer="entity")
            }
        summary = project.exports.export_dataset(
            tmp_path / "out",
            ExportOptions(format="spacy", split=(("train", 0.5), ("dev", 0.5)), seed=1),
        )
    assert sorted(summary.files.values()) == ["dev.spacy", "train.spacy"]
    nlp = spacy.blank("xx")
    seen = {}
    for name in summary.files.values():
        for example in Corpus(tmp_path / "out" / name)(nlp):
            doc = example.reference
            seen[doc.text] = {(e.text, e.label_) for e in doc.ents}
    assert seen == expected  # every text exactly, every entity on its tokens


def test_ner_bio_with_spacy_tokens_gives_back_every_text_in_spacy(tmp_path: Path) -> None:
    with _project(tmp_path) as project:
        project.exports.export_dataset(
            tmp_path / "out", ExportOptions(format="ner-bio", token_style="spacy")
        )
    (dataset,) = _load(tmp_path / "out").values()
    names = dataset.features["ner_tags"].feature.names
    nlp = spacy.blank("xx")
    for row in dataset:
        doc = spacy.tokens.Doc(nlp.vocab, words=row["tokens"], spaces=row["spaces"])
        assert doc.text == row["text"]
        tags = [names[t] for t in row["ner_tags"]]
        assert all(t == "O" for t, w in zip(tags, row["tokens"], strict=True) if not w.strip())
