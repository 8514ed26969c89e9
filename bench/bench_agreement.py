"""Agreement (and adjudication) on 100,000 articles labelled by three annotators.

    .venv/bin/python bench/bench_agreement.py [--articles N] [--chars N] [--fresh]
                                              [--only agreement|tokens|adjudicate]

The project is generated once under bench/out/: the export benchmark's articles (about
3,000 characters, entities, boilerplate lines, a stance), then for each of three annotators
a labelled JSONL where that annotator misses or relabels some entities, shifts some edges,
misses a boilerplate line now and then, picks another stance one time in six and leaves
one article in twenty unfinished; each file goes in through ``import_labelled``. Each
command then runs in a fresh process, timed, with its peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_export import STANCES, make_article  # noqa: E402

OUT = ROOT / "bench" / "out"
ANNOTATORS = ("ana", "budi", "citra")
GOALS = {"agreement": 10.0, "tokens": None, "adjudicate": 30.0}


def perturb(rng: random.Random, text: str, spans: list[dict]) -> list[dict]:
    out = []
    for span in spans:
        if span["layer"] == "boilerplate":
            if rng.random() < 0.08:
                continue
            out.append(span)
            continue
        roll = rng.random()
        if roll < 0.04:
            continue
        if roll < 0.07:
            span = {**span, "label": rng.choice(["PER", "GPE", "ORG"])}
        elif roll < 0.09 and span["end"] - span["start"] > 3:
            span = {**span, "end": span["end"] - 1}
        out.append(span)
    return out


def generate(folder: Path, articles: int, chars: int) -> list[Path]:
    rng = random.Random(2026)
    files = {
        name: (folder / f"agreement-{name}.jsonl").open("w", encoding="utf-8")
        for name in ANNOTATORS
    }
    try:
        for n in range(articles):
            text, spans = make_article(rng, chars)
            stance = rng.choice(STANCES)
            for _name, fh in files.items():
                mine = perturb(rng, text, spans)
                record = {
                    "id": f"agree-{n:06d}",
                    "title": f"Artikel {n}",
                    "source": "kabar.example",
                    "text": text,
                    "spans": [{**s, "text": text[s["start"] : s["end"]]} for s in mine],
                    "stance": {"main": stance if rng.random() > 1 / 6 else rng.choice(STANCES)},
                    "status": "done" if rng.random() > 0.05 else "todo",
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        for fh in files.values():
            fh.close()
    return [folder / f"agreement-{name}.jsonl" for name in ANNOTATORS]


def build_project(articles: int, chars: int, fresh: bool) -> Path:
    from storage import Project

    project_path = OUT / f"agreement-{articles}-{chars}.tandai"
    if project_path.exists() and not fresh:
        return project_path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project_path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    paths = generate(OUT, articles, chars)
    print(f"generated {len(paths)} labelled files in {time.perf_counter() - started:.1f} s")
    with Project.create(project_path) as project:
        for name, path in zip(ANNOTATORS, paths, strict=True):
            started = time.perf_counter()
            report = project.imports.import_labelled([path], annotator=name, detect=False)
            print(f"{name}: {report.summary()} in {time.perf_counter() - started:.1f} s")
    return project_path


CHILD = """
import resource, sys, time, io, contextlib
sys.path.insert(0, {root!r})
from cli.commands import run
out = io.StringIO()
started = time.perf_counter()
with contextlib.redirect_stdout(out):
    code = run({argv!r})
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(out.getvalue()[-1500:])
print(f"RESULT {{code}} {{elapsed:.2f}} {{max(usage.ru_maxrss, workers.ru_maxrss) / 1024:.0f}} {{usage.ru_utime + usage.ru_stime:.2f}} {{workers.ru_utime + workers.ru_stime:.2f}}")
"""


def timed(argv: list[str]) -> tuple[float, float, float, float, str]:
    """Wall seconds, peak MB (the largest process), CPU seconds of the command's process
    and of its worker processes, and its output."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), argv=argv)],
        capture_output=True,
        text=True,
    )
    lines = child.stdout.splitlines()
    result = next((line for line in lines if line.startswith("RESULT")), None)
    if result is None or result.split()[1] != "0":
        raise SystemExit(child.stdout + child.stderr)
    _, _, seconds, peak, cpu, workers = result.split()
    return float(seconds), float(peak), float(cpu), float(workers), "\n".join(lines[:-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--fresh", action="store_true", help="regenerate the project")
    parser.add_argument("--only", choices=sorted(GOALS), help="run one command")
    parser.add_argument("--show", action="store_true", help="print each command's output")
    parser.add_argument(
        "--project", help="time on this project file instead (a copy: adjudicate writes to it)"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    project = args.project or str(build_project(args.articles, args.chars, args.fresh))
    runs = {
        "agreement": ["agreement", project, "-q"],
        "tokens": ["agreement", project, "-q", "--layer", "entity", "--token-alpha"],
        "adjudicate": ["adjudicate", project, "--into", "gold", "-q"],
    }
    for name, argv in runs.items():
        if args.only and name != args.only:
            continue
        before = os.getloadavg()[0]
        seconds, peak, cpu, workers, output = timed(argv)
        goal = GOALS[name]
        goal_text = f"goal {goal:.0f} s; " if goal else ""
        load = f"{before:.1f} -> {os.getloadavg()[0]:.1f}"
        print(
            f"{name:10} {seconds:6.1f} s wall ({goal_text}CPU {cpu + workers:.1f} s: {cpu:.1f} s"
            f" this process, {workers:.1f} s worker) peak {peak:4.0f} MB"
            f" (load average {load} on {os.cpu_count()} cores)"
        )
        if args.show:
            print(output)


if __name__ == "__main__":
    main()
