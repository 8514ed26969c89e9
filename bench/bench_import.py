"""Import 100,000 generated articles of ~3,000 characters into a new project; print figures.

    .venv/bin/python bench/bench_import.py [--articles N] [--chars N] [--keep]

Figures: time until every article is stored and listable, time of the whole import
(language detection and full-text index included), peak memory of the importing process and
of its worker processes. With ../shared/data present, also the language-id accuracy of the
bounded sample against the whole text and the datasets' own language labels.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.query import ArticleFilter  # noqa: E402
from storage import ImportProgress, Project  # noqa: E402

OUT = ROOT / "bench" / "out"

WORDS = {  # ~50 common words per language: enough for langdetect to be sure
    "id": (
        "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke karena "
        "tersebut bisa ada mereka lebih sudah atau kata pemerintah presiden tentara wilayah "
        "pasukan perang harga beras pasar warga kota desa jalan banjir sekolah rumah sakit "
        "menteri rakyat ekonomi negara bantuan dana miliar rupiah pejabat senior hari Rabu"
    ),
    "en": (
        "the of and to in a is that for it as was with on be by this had not are but from "
        "have they you were his her government president soldiers region market price rice "
        "city village road flood school hospital minister people economy country aid fund "
        "billion official senior Wednesday said reported during fighting border"
    ),
    "de": (
        "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
        "auch es an werden aus er hat dass sie nach wird bei Regierung Präsident Soldaten "
        "Region Markt Preis Stadt Dorf Straße Hochwasser Schule Krankenhaus Minister"
    ),
    "es": (
        "de la que el en y a los del se las por un para con no una su al lo como más pero sus "
        "le ya o gobierno presidente soldados región mercado precio ciudad pueblo calle "
        "inundación escuela hospital ministro pueblo economía país ayuda"
    ),
    "fr": (
        "de la le et les des en un du une que est pour qui dans par plus pas au sur ne se "
        "gouvernement président soldats région marché prix ville village route inondation "
        "école hôpital ministre peuple économie pays aide fonds milliard"
    ),
}


def generate(path: Path, count: int, chars: int) -> None:
    """A JSONL file of articles in five languages, with boilerplate and some duplicates."""
    rng = random.Random(7)
    langs = list(WORDS)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            lang = langs[i % len(langs)]
            words = WORDS[lang].split()
            paragraphs, size = [], 0
            while size < chars:
                sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 20)))
                paragraph = (
                    sentence.capitalize()
                    + ". "
                    + " ".join(rng.choice(words) for _ in range(rng.randint(20, 40)))
                    + "."
                )
                paragraphs.append(paragraph)
                size += len(paragraph) + 2
            paragraphs += [
                "Baca juga: berita lain",
                "Tinggalkan komentar",
                f"(ab{i % 7}/ab{i % 7})",
            ]
            record = {
                "id": f"a{i}",
                "title": f"Artikel {i} " + rng.choice(words),
                "text": "\n\n".join(paragraphs),
                "source": f"site{i % 40}.example",
                "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def run(count: int, chars: int, keep: bool) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"articles-{count}-{chars}.jsonl"
    if not data.exists():
        t = time.perf_counter()
        generate(data, count, chars)
        print(
            f"generated {data.name}: {data.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t:.1f} s"
        )
    target = OUT / "bench.tandai"
    for leftover in OUT.glob("bench.tandai*"):
        leftover.unlink()
    phases: dict[str, float] = {}
    start = time.perf_counter()

    def on_progress(p: ImportProgress) -> None:
        phases.setdefault(p.phase + "_start", time.perf_counter() - start)
        phases[p.phase + "_end"] = time.perf_counter() - start

    with Project.create(target) as project:
        report = project.import_files([data], on_progress=on_progress, detect=False)
        stored = time.perf_counter() - start
        listed = project.list_articles(limit=50)
        count_todo = project.count_articles(ArticleFilter(statuses=("todo",)))
        listable = time.perf_counter() - start
        project.detect_languages(on_progress=on_progress)
        languages = time.perf_counter() - start
        project.index_pending(on_progress=on_progress)
        total = time.perf_counter() - start
        t = time.perf_counter()
        hits = project.count_articles(ArticleFilter(text="hospital"))
        search_ms = (time.perf_counter() - t) * 1000
        stats = project.stats()
    size_mb = target.stat().st_size / 1e6
    print(
        f"articles: {report.imported:,} imported, {report.duplicates:,} duplicates ({chars:,} chars each)"
    )
    print(f"stored:                  {stored:6.1f} s")
    print(
        f"stored and listable:     {listable:6.1f} s  (first page {len(listed)}, todo {count_todo:,})"
    )
    print(f"languages detected:      {languages - listable:6.1f} s")
    print(
        f"full-text index:         {total - languages:6.1f} s  (search 'hospital': {hits:,} hits in {search_ms:.0f} ms)"
    )
    print(f"whole import:            {total:6.1f} s")
    print(f"peak memory, importer:   {peak_mb(resource.RUSAGE_SELF):6.0f} MB")
    print(f"peak memory, one worker: {peak_mb(resource.RUSAGE_CHILDREN):6.0f} MB")
    print(
        f"project file:            {size_mb:6.0f} MB; languages {dict(sorted(stats.by_lang.items()))}"
    )
    if not keep:
        for leftover in OUT.glob("bench.tandai*"):
            leftover.unlink()


def language_accuracy() -> None:
    """Sampled detection against the datasets' own labels and against the whole text."""
    from core.langid import detect_language

    shared = next(
        (p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
        ROOT.parent / "shared" / "data",
    )
    files = sorted(shared.glob("*/articles.jsonl")) + sorted(shared.glob("newspaper*/*.jsonl"))
    if not files:
        print("language accuracy: ../shared/data not found; skipped")
        return
    seen, agree_label, agree_full, labelled = set(), 0, 0, 0
    for path in dict.fromkeys(files):
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            text = record.get("text") or ""
            if not text or text in seen:
                continue
            seen.add(text)
            sampled = detect_language(text)[0]
            from langdetect import DetectorFactory, detect

            DetectorFactory.seed = 0
            try:
                full = detect(text).split("-")[0]
            except Exception:
                full = "und"
            agree_full += sampled == full
            gold = record.get("lang")
            origin = (record.get("meta") or {}).get("lang_origin")
            if gold and origin != "detected":
                labelled += 1
                agree_label += sampled == gold
    print(
        f"language id on {len(seen)} real articles from ../shared/data: sampled = whole text "
        f"in {agree_full / len(seen):.1%}; sampled = dataset label in "
        f"{agree_label}/{labelled} ({agree_label / max(labelled, 1):.1%})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=3_000)
    parser.add_argument("--keep", action="store_true", help="keep the project file in bench/out")
    parser.add_argument("--accuracy-only", action="store_true")
    args = parser.parse_args()
    if not args.accuracy_only:
        run(args.articles, args.chars, args.keep)  # first: its peak memory is measured
    language_accuracy()
