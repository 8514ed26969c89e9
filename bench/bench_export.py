"""Export 100,000 labelled articles: ``spans`` alone, then with a split and near-duplicate
grouping; print time and peak memory of each run.

    .venv/bin/python bench/bench_export.py [--articles N] [--chars N] [--fresh]

The labelled project is generated once under bench/out/ (about 3,000 characters an article,
entities, boilerplate lines, a stance, one in ten articles a rewrite of an earlier one) by
writing labelled JSONL and importing it with ``import_labelled`` (language detection off:
it is the import benchmark's subject, not this one's). Each export runs in a fresh process
so that its peak resident memory is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
GOALS = {"spans": 10.0, "split": 30.0}
MEMORY_GOAL_MB = 300

WORDS = str.split(
    "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena tersebut "
    "bisa ada mereka lebih sudah atau kata pemerintah presiden tentara wilayah pasukan perang "
    "harga beras pasar warga kota desa jalan banjir sekolah rumah sakit menteri rakyat ekonomi "
    "negara bantuan dana miliar rupiah pejabat senior laporan pertempuran perbatasan serangan"
)
PEOPLE = ["Joko Widodo", "Prabowo Subianto", "Sri Mulyani", "Kim Jong Un", "Oleksandr Syrsky"]
PLACES = ["Jakarta", "Kursk", "Bandung", "Kyiv", "Surabaya", "𠮷野", "القاهرة"]
ORGS = ["DPRK", "CNBC Indonesia", "Kementerian Keuangan", "Angkatan Bersenjata Ukraina"]
BOILERPLATE = [
    "Saksikan video di bawah ini:",
    "Baca juga: Harga Cabai Rawit Tembus Rp90 Ribu 👨🏻‍🚒",
    "Tinggalkan komentar",
    "Optimized by Optimole",
    "(luc/luc)",
]
STANCES = ["favour", "against", "neutral", "unrelated"]


def make_article(rng: random.Random, chars: int) -> tuple[str, list[dict]]:
    parts: list[str] = []
    spans: list[dict] = []
    length = 0
    while length < chars:
        sentence: list[str] = []
        for _ in range(rng.randint(8, 18)):
            roll = rng.random()
            if roll < 0.04:
                name, label = rng.choice(PEOPLE), "PER"
            elif roll < 0.07:
                name, label = rng.choice(PLACES), "GPE"
            elif roll < 0.085:
                name, label = rng.choice(ORGS), "ORG"
            else:
                sentence.append(rng.choice(WORDS))
                continue
            sentence.append(f"\x00{label}\x00{name}\x00")
        line = " ".join(sentence)
        parts.append(line[:1].upper() + line[1:] + ".")
        length += sum(len(w) + 1 for w in sentence)
        if rng.random() < 0.2:
            parts.append("\n\n")
    # Rebuild with offsets: markers are label\x00name pairs inside the joined string.
    raw = " ".join(parts)
    text, spans = "", []
    chunks = raw.split("\x00")
    i = 0
    while i < len(chunks):
        if chunks[i] in {"PER", "GPE", "ORG"} and i + 1 < len(chunks):
            start = len(text)
            text += chunks[i + 1]
            spans.append({"start": start, "end": len(text), "label": chunks[i], "layer": "entity"})
            i += 2
        else:
            text += chunks[i]
            i += 1
    for line in rng.sample(BOILERPLATE, rng.randint(1, 3)):
        text += "\n"
        spans.append(
            {"start": len(text), "end": len(text) + len(line), "label": "boilerplate", "layer": "boilerplate"}
        )  # fmt: skip
        text += line
    return text, spans


def rewrite(rng: random.Random, text: str, spans: list[dict]) -> tuple[str, list[dict]]:
    """A content-farm copy: a new intro line in front, the labels moved with it."""
    intro = rng.choice(["Jakarta, Kabarberita – ", "JAKARTA, BeritaKita.id - ", "Seoul – "])
    intro += f"{rng.randrange(10**6)} "
    moved = [{**s, "start": s["start"] + len(intro), "end": s["end"] + len(intro)} for s in spans]
    return intro + text, moved


def generate(path: Path, articles: int, chars: int) -> None:
    rng = random.Random(2024)
    kept: list[tuple[str, list[dict]]] = []
    with path.open("w", encoding="utf-8") as fh:
        for n in range(articles):
            if kept and rng.random() < 0.1:
                text, spans = rewrite(rng, *rng.choice(kept))
            else:
                text, spans = make_article(rng, chars)
                if len(kept) < 2000:
                    kept.append((text, spans))
            for s in spans:
                s["text"] = text[s["start"] : s["end"]]
            record = {
                "id": f"bench-{n:06d}",
                "title": f"Artikel {n}",
                "source": rng.choice(["kabar.example", "berita.example", "warta.example"]),
                "text": text,
                "spans": spans,
                "stance": {"main": rng.choice(STANCES)},
                "status": "done",
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def build_project(articles: int, chars: int, fresh: bool) -> Path:
    from storage import Project

    project_path = OUT / f"export-{articles}-{chars}.tandai"
    if project_path.exists() and not fresh:
        return project_path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project_path}{suffix}").unlink(missing_ok=True)
    source = OUT / f"labelled-{articles}-{chars}.jsonl"
    started = time.perf_counter()
    generate(source, articles, chars)
    print(
        f"generated {source.name} ({source.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    with Project.create(project_path) as project:
        report = project.imports.import_labelled([source], annotator="bench", detect=False)
    print(f"labelled import: {report.summary()} in {time.perf_counter() - started:.1f} s")
    return project_path


CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from cli.commands import run
started = time.perf_counter()
code = run({argv!r})
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss / 1024
print(f"RESULT {{code}} {{elapsed:.2f}} {{peak:.0f}} {{usage.ru_utime + usage.ru_stime:.2f}}")
"""


GROUP_CHILD = """
import resource, sqlite3, sys, time
sys.path.insert(0, {root!r})
from storage import Project
with Project.open({project!r}) as project:  # migrates the project on its first run
    pass
with sqlite3.connect({project!r}) as db:  # group every article again, as after an import
    db.execute("DELETE FROM near_duplicate")
with Project.open({project!r}) as project:
    started = time.perf_counter()
    report = project.near_duplicates.update_near_duplicates()
    elapsed = time.perf_counter() - started
    groups = project.near_duplicates.near_duplicate_groups()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"RESULT {{report.articles}} {{elapsed:.2f}} {{usage.ru_maxrss / 1024:.0f}} "
      f"{{usage.ru_utime + usage.ru_stime:.2f}} {{len(groups)}} {{max(map(len, groups), default=0)}}")
"""


MEMORY_GROUP_CHILD = """
import resource, sqlite3, sys, time
sys.path.insert(0, {root!r})
from core.neardup import NearDuplicates
from storage import Project
with Project.open({project!r}) as project:  # migrates the project on its first run
    pass
db = sqlite3.connect({project!r})
started = time.perf_counter()
finder = NearDuplicates()
ids = []
for aid, text in db.execute("SELECT article_id, text FROM article_text ORDER BY article_id"):
    ids.append(aid)
    finder.add(text)
roots = finder.groups()
elapsed = time.perf_counter() - started
db.execute("DELETE FROM near_duplicate")
db.executemany(
    "INSERT INTO near_duplicate (article_id, group_id) VALUES (?, ?)",
    [(aid, ids[root]) for aid, root in zip(ids, roots)],
)
db.commit()
usage = resource.getrusage(resource.RUSAGE_SELF)
groups = {{}}
for root in roots:
    groups[root] = groups.get(root, 0) + 1
big = [n for n in groups.values() if n > 1]
print(f"RESULT {{len(ids)}} {{elapsed:.2f}} {{usage.ru_maxrss / 1024:.0f}} "
      f"{{usage.ru_utime + usage.ru_stime:.2f}} {{len(big)}} {{max(big, default=0)}}")
"""


def group_project(project: Path, *, in_memory: bool = False) -> None:
    """Group the project's articles as the background catch-up does, in a fresh process."""
    code = MEMORY_GROUP_CHILD if in_memory else GROUP_CHILD
    child = subprocess.run(
        [sys.executable, "-c", code.format(root=str(ROOT), project=str(project))],
        capture_output=True,
        text=True,
        check=True,
    )
    result = next(line for line in child.stdout.splitlines() if line.startswith("RESULT"))
    _, articles, seconds, peak, cpu, groups, largest = result.split()
    how = "in memory (core.neardup), stored" if in_memory else "by the background grouping"
    print(
        f"group  {how}: {float(seconds):6.1f} s for {int(articles):,} articles "
        f"(CPU {float(cpu):.1f} s) peak {float(peak):4.0f} MB; {groups} groups, largest {largest}"
    )


def run_export(project: Path, out: Path, *extra: str) -> tuple[float, float, float, str]:
    argv = ["export", str(project), str(out), "-q", *extra]
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), argv=argv)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = next(line for line in child.stdout.splitlines() if line.startswith("RESULT"))
    _, code, seconds, peak, cpu = result.split()
    if code != "0":
        raise SystemExit(child.stdout + child.stderr)
    summary = next(line for line in child.stdout.splitlines() if "records of" in line)
    return float(seconds), float(peak), float(cpu), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--fresh", action="store_true", help="regenerate the project")
    parser.add_argument("--only", choices=["spans", "split"], help="run one export")
    parser.add_argument(
        "--group-in-memory",
        action="store_true",
        help="store groups made by core.neardup in one pass instead of the incremental "
        "background grouping (same rule; much faster on this generator's 60-word vocabulary, "
        "whose LSH buckets overflow)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    project = build_project(args.articles, args.chars, args.fresh)
    if args.only != "spans":
        # What the background catch-up does after an import (the split then reads groups).
        group_project(project, in_memory=args.group_in_memory)
    runs = {
        "spans": (),
        "split": ("--split", "train=0.8,dev=0.1,test=0.1", "--seed", "1"),
    }
    for name, extra in runs.items():
        if args.only and name != args.only:
            continue
        seconds, peak, cpu, summary = run_export(project, OUT / f"export-{name}", *extra)
        goal = GOALS[name]
        print(
            f"{name:6} {seconds:6.1f} s (goal {goal:.0f} s; CPU {cpu:.1f} s) peak {peak:4.0f} MB "
            f"(goal {MEMORY_GOAL_MB} MB)  {summary}"
        )
    if args.only == "spans":
        return
    card = (OUT / "export-split" / "README.md").read_text("utf-8")
    print(next(line for line in card.splitlines() if line.startswith("- Near-duplicates")))


if __name__ == "__main__":
    main()
