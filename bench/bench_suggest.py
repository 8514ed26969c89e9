"""Suggester figures: quality on the labelled set, gazetteer speed, whole-project runs.

    .venv/bin/python bench/bench_suggest.py [--articles N] [--entries N] [--keep]

1. Line precision/recall of each boilerplate suggester and of all together on
   tests/fixtures/boilerplate_gold.jsonl; with ../shared/data present, also on its
   ``boilerplate_lines.jsonl`` files (silver labels of whole web pages: a second,
   independent check that the rules were not fitted to our own set).
2. A gazetteer of N entries (default 50,000): build time and per-article match time.
3. ``run_suggesters`` over a generated project (templates per site, like a scrape), then
   ``only_new`` after another import, then a bulk accept of all boilerplate.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.models import NewArticle  # noqa: E402
from core.suggest.boilerplate import BoilerplateSuggesters, LineScore, score_lines  # noqa: E402
from core.suggest.gazetteer import Gazetteer  # noqa: E402
from core.suggest.lexicon import Lexicon  # noqa: E402
from core.suggest.repeated import RepeatedLineIndex  # noqa: E402
from storage import Project  # noqa: E402
from storage.suggestion_runs import bundled_lexicon_data  # noqa: E402

OUT = ROOT / "bench" / "out"
GOLD = ROOT / "tests" / "fixtures" / "boilerplate_gold.jsonl"
SHARED = ROOT.parent / "shared" / "data"
SETS = (("lexicon",), ("repeated",), ("shape",), ("lexicon", "repeated", "shape"))


def quality(path: Path, lexicon: Lexicon) -> None:
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    records = [r for r in records if all(lab is not None for lab in r["labels"])]
    if not records:
        return
    index = RepeatedLineIndex()
    for r in records:
        index.add(r.get("source") or "", r["text"])
    print(f"\n{path.relative_to(path.parents[1])}: {len(records)} articles")
    for enabled in SETS:
        suggesters = BoilerplateSuggesters(lexicon, enabled=enabled)
        total = LineScore()
        for r in records:
            src = r.get("source") or ""
            gold = [1 if lab in (1, "boilerplate") else 0 for lab in r["labels"]]
            found = suggesters.suggest(
                r["text"],
                title=r.get("title") or "",
                frequent=lambda ks, s=src: {
                    k for k in ks if index._counts.get((s, k), 0) >= index.min_articles
                },
            )
            total.add(score_lines(r["text"], gold, found))
        print(
            f"  {'+'.join(enabled):<24} precision {total.precision:.3f}  recall {total.recall:.3f}"
            f"  (tp {total.tp}, fp {total.fp}, fn {total.fn})"
        )


WORDS = str.split(
    "pemerintah warga kota pasar harga beras naik turun pejabat mengatakan bahwa kepada "
    "wartawan dalam rapat di kantor pada hari Rabu yang lalu sejak awal tahun ini akan terus "
    "memantau perkembangan situasi dengan cermat bersama aparat daerah dan pusat"
)


def article(rng: random.Random, site: int, n: int) -> str:
    paras = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60))).capitalize() + "."
        for _ in range(rng.randint(6, 14))
    ]
    head = [f"Beranda › Berita › Situs{site}", f"Situs{site} – Senin, {n % 28 + 1} Mei 2024"]
    tail = [
        f"(ab{site}/cd{site})",
        "Saksikan video di bawah ini:",
        f"Judul Video {n} Tentang Harga",
        "Next Article",
        f"Judul Lain {n + 1} Soal Pasar",
        f"Ikuti berita Situs{site} di saluran kami",
        "Tinggalkan komentar",
    ]
    body = "\n\n".join([*paras[:3], f"Baca juga: Judul {n - 1}", *paras[3:]])
    return "\n".join(head) + "\n\n" + body + "\n\n" + "\n\n".join(tail)


def gazetteer_speed(entries: int, rng: random.Random) -> None:
    start = time.perf_counter()
    g = Gazetteer()
    names = [
        f"{rng.choice(WORDS).capitalize()}{n} {rng.choice(WORDS).capitalize()}"
        for n in range(entries)
    ]
    for n, name in enumerate(names):
        g.add_phrase(name, "PER" if n % 2 else "ORG")
    built = time.perf_counter() - start
    times = []
    for n in range(200):
        text = article(rng, n % 20, n)
        words = text.split(" ")
        for _ in range(30):  # plant some entries in the text
            words.insert(rng.randrange(len(words)), rng.choice(names))
        text = " ".join(words)
        t0 = time.perf_counter()
        g.match(text)
        times.append(time.perf_counter() - t0)
    times.sort()
    print(
        f"\ngazetteer of {g.size:,} entries: built in {built:.2f} s; per article "
        f"(~{len(text):,} chars) median {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms"
    )


def project_run(articles: int, rng: random.Random, keep: bool) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "suggest.tandai"
    for p in OUT.glob("suggest.tandai*"):
        p.unlink()
    with Project.create(path) as project:
        first = articles - articles // 10
        project.imports.store_articles(
            NewArticle(text=article(rng, n % 20, n), source=f"situs{n % 20}.example")
            for n in range(first)
        )
        t0 = time.perf_counter()
        report = project.suggestions.run_suggesters()
        full = time.perf_counter() - t0
        print(
            f"\nrun_suggesters over {first:,} articles: {full:.1f} s "
            f"({first / full:,.0f} articles/s); {report.summary()}"
        )
        project.imports.store_articles(
            NewArticle(text=article(rng, n % 20, n), source=f"situs{n % 20}.example")
            for n in range(first, articles)
        )
        t0 = time.perf_counter()
        report = project.suggestions.run_suggesters(only_new=True)
        print(
            f"only_new after {articles - first:,} more: {time.perf_counter() - t0:.2f} s; "
            f"{report.articles:,} articles looked at"
        )
        t0 = time.perf_counter()
        pending = project.suggestions.count_pending(annotator="bench", layer="boilerplate")
        counted = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = project.suggestions.accept_all(annotator="bench", layer="boilerplate")
        print(
            f"count_pending {pending:,} in {counted:.2f} s; accept_all: {result.done:,} spans "
            f"({result.skipped:,} duplicates skipped) in {time.perf_counter() - t0:.1f} s"
        )
    if not keep:
        for p in OUT.glob("suggest.tandai*"):
            p.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    lexicon = Lexicon.from_data(bundled_lexicon_data())
    quality(GOLD, lexicon)
    if SHARED.is_dir():
        for path in sorted(SHARED.glob("*/boilerplate_lines.jsonl")):
            quality(path, lexicon)
    gazetteer_speed(args.entries, rng)
    project_run(args.articles, rng, args.keep)


if __name__ == "__main__":
    main()
