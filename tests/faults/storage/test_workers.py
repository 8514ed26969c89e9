"""Language workers (and the resource tracker) end when the import that started them is
killed: real processes, a real SIGKILL and SIGTERM, the process table read afterwards."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import Project
from tests.faults.helpers import ROOT

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process table from /proc (Linux)"
)

CHILD = """
import sys
sys.path.insert(0, sys.argv[2])
from storage import Project

with Project.open(sys.argv[1]) as project:
    project.imports.detect_languages(workers=2, on_progress=lambda p: print(p.done, flush=True))
"""


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (workers and the resource tracker are its children)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        here = todo.pop()
        for child, parent in parents.items():
            if parent == here and child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_and_expect_no_orphans(
    child: subprocess.Popen, below: set[int], who: str, how: int = signal.SIGKILL
) -> None:
    """Signal ``child``; its worker processes ``below`` must end within 10 s. Any left
    are killed (not left to the next test) and fail the test."""
    child.send_signal(how)
    child.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in below):
        time.sleep(0.1)
    left = [p for p in below if _alive(p)]
    for pid in left:
        subprocess.run(["kill", "-9", str(pid)], check=False)
    assert not left, f"{len(left)} processes outlived the {who}"


@pytest.fixture(scope="module")
def undetected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workers")
    data = folder / "a.jsonl"
    words = "Pemerintah daerah mengumumkan rencana pembangunan jalan baru di kota itu"
    data.write_text(
        "".join(json.dumps({"text": f"{i} {words} {i * 7}."}) + "\n" for i in range(4000)),
        "utf-8",
    )
    path = folder / "p.tandai"
    with Project.create(path) as project:
        project.imports.import_files([data], detect=False)
    return path


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_an_import_during_language_detection_leaves_no_process_behind(
    undetected: Path, tmp_path: Path, how: signal.Signals
) -> None:
    path = tmp_path / "p.tandai"
    path.write_bytes(undetected.read_bytes())
    for _ in range(2):  # each kill used to add more orphans
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), str(ROOT)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        child.stdout.readline()  # the workers are detecting
        below = _descendants(child.pid)
        assert len(below) >= 2, "expected the worker processes"
        _kill_and_expect_no_orphans(child, below, "import", how)


LEARN_CHILD = """
import sys
import time
sys.path.insert(0, sys.argv[2])
from storage import Project

def progress(text, done, total):
    print(text, flush=True)
    if sys.argv[3] == "idle" and text == "suggesting" and done:
        time.sleep(600)  # the app busy elsewhere: the taggers finish their chunks and wait

with Project.open(sys.argv[1]) as project:
    project.learning.learn(in_process=False, on_progress=progress)
"""


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.storage.test_learning import fill

    path = tmp_path_factory.mktemp("learn") / "p.tandai"
    with Project.create(path) as project:
        fill(project, done=20, total=6000)
    return path


@pytest.mark.parametrize("phase", ["training", "suggesting", "idle"])
def test_killing_the_app_while_a_model_trains_or_suggests_leaves_no_process_behind(
    labelled: Path, tmp_path: Path, phase: str
) -> None:
    path = tmp_path / "p.tandai"
    path.write_bytes(labelled.read_bytes())
    child = subprocess.Popen(
        [sys.executable, "-c", LEARN_CHILD, str(path), str(ROOT), phase],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    wait_for = "suggesting" if phase == "idle" else phase
    while not child.stdout.readline().startswith(wait_for):
        assert child.poll() is None, "learn ended before the phase"
    if phase == "idle":
        time.sleep(3)  # the taggers' chunks are done: they wait for more
    below: set[int] = set()
    deadline = time.monotonic() + 30
    want = 2 if phase == "training" else 3  # resource tracker + one trainer / two taggers
    while time.monotonic() < deadline and len(below) < want:
        below = {p for p in _descendants(child.pid) if _alive(p)}
        time.sleep(0.05)
    assert len(below) >= want, "expected the worker processes"
    _kill_and_expect_no_orphans(child, below, "app")


TEAM_CHILD = """
import sys
sys.path.insert(0, sys.argv[2])
from storage import Project

with Project.open(sys.argv[1]) as project:
    if sys.argv[3] == "agreement":
        project.agreement.agreement(processes=2, on_progress=lambda p: print(p.done, flush=True))
    else:
        project.agreement.adjudicate(
            into="gold", processes=2, on_progress=lambda p: print(p.done, flush=True)
        )
"""


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 articles two annotators finished, with a few entities each."""
    folder = tmp_path_factory.mktemp("team")
    path = folder / "p.tandai"
    words = "Joko Widodo bertemu Kim Jong Un di Jakarta dan 𠮷野 pada hari Senin"
    with Project.create(path) as project:
        for name in ("ana", "budi"):
            data = folder / f"{name}.jsonl"
            lines = []
            for i in range(6000):
                text = f"{i}. {words} {i * 7}.\nBaca juga: banjir"
                start = text.index("Joko")
                spans = [{"start": start, "end": start + 11, "label": "PER"}]
                if name == "budi" or i % 3:
                    at = text.index("Jakarta")
                    spans.append({"start": at, "end": at + 7, "label": "GPE"})
                record = {"text": text, "spans": spans, "status": "done"}
                lines.append(json.dumps(record, ensure_ascii=False) + "\n")
            data.write_text("".join(lines), "utf-8")
            project.imports.import_labelled([data], annotator=name, detect=False)
    return path


@pytest.mark.parametrize("command", ["agreement", "adjudicate"])
def test_killing_agreement_or_adjudication_leaves_no_worker_and_a_valid_project(
    team: Path, tmp_path: Path, command: str
) -> None:
    """The worker that counts or decides half the project ends with the process that
    started it; a killed adjudication leaves the pages it committed and a sound file."""
    path = tmp_path / "p.tandai"
    path.write_bytes(team.read_bytes())
    child = subprocess.Popen(
        [sys.executable, "-c", TEAM_CHILD, str(path), str(ROOT), command],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    below: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not below:
        below = {p for p in _descendants(child.pid) if _alive(p)}
        time.sleep(0.02)
    assert below, "expected the worker process"
    child.stdout.readline()  # a page is done
    _kill_and_expect_no_orphans(child, below, command)
    with Project.open(path) as project:
        assert project.db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
        report = project.agreement.adjudicate(into="gold")  # goes on from where it was
        assert report.articles == 6000 and report.decided == 4000 and report.review == 2000
