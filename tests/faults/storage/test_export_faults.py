"""Exports never delete the user's files, and a failed or killed export leaves the folder as
it was and can simply be run again. Real folders, a real full disk, a real SIGKILL."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.export.pipeline import MANIFEST, ExportError, staging_folder
from core.export.records import ExportOptions, parse_split
from storage import Project
from tests.faults.helpers import ROOT, fill_disk, mounted_tmpfs, run_cli


def _labelled(path: Path | str, tmp_path: Path, n: int = 20, size: int = 1) -> Path | str:
    data = tmp_path / "in.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"a{i}",
                    "text": f"Story {i}: Jakarta and Surabaya. " + "Isi berita panjang. " * size,
                    "score": [math.nan, math.inf, -math.inf, 1.5][i % 4],
                }
            )
            + "\n"
            for i in range(n)
        ),
        "utf-8",
    )
    with Project.create(path) as project:
        project.imports.import_files([data], detect=False)
        with project.transaction():  # one commit: the fixture is not what is tested
            for aid in list(project.article_ids()):
                project.labels.add_span(
                    aid, annotator="ana", layer="entity", label="GPE", start=10, end=17
                )
                project.labels.set_status(aid, annotator="ana", status="done")
    return path


def test_re_exporting_keeps_the_users_own_files_and_removes_only_its_own(
    project_target: str, tmp_path: Path
) -> None:
    path = _labelled(project_target, tmp_path)
    out = tmp_path / "out"
    with Project.open(path) as project:
        project.exports.export_dataset(out, ExportOptions(split=parse_split("train=0.5,test=0.5")))
        (out / "test_gold.jsonl").write_text('{"gold": 1}\n', "utf-8")
        (out / "data-backup-2024.jsonl").write_text('{"old": 1}\n', "utf-8")
        (out / "labels.json").write_text('["mine"]\n', "utf-8")  # not written by spans
        project.exports.export_dataset(out, ExportOptions())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [MANIFEST, "README.md", "data.jsonl", "test_gold.jsonl", "data-backup-2024.jsonl",
         "labels.json"]
    )  # fmt: skip
    assert (out / "test_gold.jsonl").read_text("utf-8") == '{"gold": 1}\n'
    assert json.loads((out / MANIFEST).read_text("utf-8"))["files"] == ["README.md", "data.jsonl"]
    assert not staging_folder(out).exists()


def test_an_export_without_a_manifest_removes_only_the_files_its_card_lists(
    tmp_path: Path,
) -> None:
    path = _labelled(tmp_path / "p.tandai", tmp_path)
    out = tmp_path / "out"
    with Project.open(path) as project:
        project.exports.export_dataset(out, ExportOptions(split=parse_split("train=0.5,test=0.5")))
        (out / MANIFEST).unlink()  # as an export from before manifests left it
        (out / "test_gold.jsonl").write_text("{}\n", "utf-8")
        project.exports.export_dataset(out, ExportOptions())
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST, "README.md", "data.jsonl", "test_gold.jsonl",
    ]  # fmt: skip


def test_nan_and_infinity_in_meta_are_exported_as_valid_json(
    project_target: str, tmp_path: Path
) -> None:
    path = _labelled(project_target, tmp_path, n=4)
    with Project.open(path) as project:
        project.exports.export_dataset(tmp_path / "out", ExportOptions())
    text = (tmp_path / "out" / "data.jsonl").read_text("utf-8")

    def strict(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    scores = []
    for line in text.splitlines():
        meta = json.loads(line, parse_constant=strict)["meta"]
        if isinstance(meta, str):  # meta travels as one JSON string (a stable schema)
            meta = json.loads(meta, parse_constant=strict)
        scores.append(meta["score"])
    assert sorted(scores, key=str) == sorted([None, None, None, 1.5], key=str)


def test_an_unwritable_export_folder_is_one_line(tmp_path: Path) -> None:
    path = _labelled(tmp_path / "p.tandai", tmp_path, n=2)
    with mounted_tmpfs(tmp_path / "ro", size="1m") as ro:
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        done = run_cli("export", str(path), str(ro / "out"), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "cannot write there" in done.stderr and "choose a folder you can write to" in done.stderr


def test_a_full_disk_during_export_leaves_nothing_and_a_retry_works(tmp_path: Path) -> None:
    path = _labelled(tmp_path / "p.tandai", tmp_path, n=200, size=300)  # ~1.2 MB of text
    with mounted_tmpfs(tmp_path / "disk", size="4m") as disk:
        out = disk / "out"
        with Project.open(path) as project:
            project.exports.export_dataset(out, ExportOptions())  # an earlier export, to be kept
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        filler = fill_disk(disk)
        os.truncate(filler, filler.stat().st_size - (600 << 10))  # room for half an export
        done = run_cli("export", str(path), str(out), "--status", "all", cwd=tmp_path)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert "the disk is full" in done.stderr and "Free some space" in done.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin", "out"]
        filler.unlink()
        again = run_cli("export", str(path), str(out), "--status", "all", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert len((out / "data.jsonl").read_text("utf-8").splitlines()) == 200


KILLED_EXPORT = """
import sys, time
sys.path.insert(0, sys.argv[3])
from core.export.records import ExportOptions
from storage import Project

def slow(p):
    print(p.done, flush=True)
    time.sleep(0.05)

with Project.open(sys.argv[1]) as project:
    project.exports.export_dataset(sys.argv[2], ExportOptions(), on_progress=slow)
"""


def test_an_export_killed_half_way_is_simply_run_again(tmp_path: Path) -> None:
    path = _labelled(tmp_path / "p.tandai", tmp_path, n=1000)
    out = tmp_path / "out"
    for earlier in (False, True):  # into a new folder, then over an earlier export
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_EXPORT, str(path), str(out), str(ROOT)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        child.stdout.readline()  # it is writing
        child.stdout.readline()
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert staging_folder(out).exists()  # killed mid-way: its leftovers are there
        assert out.exists() == earlier
        started = time.monotonic()
        done = run_cli("export", str(path), str(out), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started < 60
        assert not staging_folder(out).exists()
        assert not list(out.glob("*.partial"))
        assert len((out / "data.jsonl").read_text("utf-8").splitlines()) == 1000


def test_a_folder_left_by_an_older_tandai_killed_mid_export_is_accepted(tmp_path: Path) -> None:
    path = _labelled(tmp_path / "p.tandai", tmp_path, n=3)
    out = tmp_path / "out"
    with Project.open(path) as project:
        project.exports.export_dataset(out, ExportOptions())
        (out / MANIFEST).unlink()
        (out / "data.jsonl.partial").write_text("half a line", "utf-8")
        project.exports.export_dataset(out, ExportOptions())
        (out / "x.txt").write_text("mine", "utf-8")
        (out / "README.md").unlink()
        with pytest.raises(ExportError, match="holds no earlier Tandai export"):
            project.exports.export_dataset(out, ExportOptions())
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "data.jsonl", "x.txt"]


def test_hostile_annotator_and_label_names_stay_inert_text_in_the_card(tmp_path: Path) -> None:
    from core.export.card import parse_counts
    from core.schema import EntityLabel

    path = tmp_path / "p.tandai"
    hostile = ["<script>alert(1)</script>", "line\nbreak | pipe", "nul\x00byte", "**bold**"]
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"text": "Jakarta is a big city."}) + "\n", "utf-8")
    with Project.create(path) as project:
        schema = project.schema()
        label = "<b>ORG|X</b>"
        wider = (*schema.entity_labels, EntityLabel(name=label, colour="#ff0000"))
        project.set_schema(dataclasses.replace(schema, entity_labels=wider))
        project.imports.import_files([data], detect=False)
        aid = next(iter(project.article_ids()))
        for name in hostile:
            project.labels.add_span(
                aid, annotator=name, layer="entity", label=label, start=0, end=7
            )
            project.labels.set_status(aid, annotator=name, status="done")
        project.exports.export_dataset(tmp_path / "out", ExportOptions())
    card = (tmp_path / "out" / "README.md").read_text("utf-8")
    assert "\x00" not in card
    # Outside fenced blocks (where Markdown shows text as it is) nothing is markup.
    prose = re.sub(r"(?ms)^(`{3,})\n.*?^\1$", "", card)
    assert "<script>" not in prose and "<b>" not in prose and "**bold**" not in prose
    table = card[card.index("## Annotators") :].split("\n\n")[1].splitlines()
    assert len(table) == 2 + len(hostile)  # one row each: no line break split a row
    assert all(row.count(" | ") == 1 for row in table[2:]), table  # pipes escaped
    assert set(parse_counts(card, "Annotators")) == set(hostile)
