"""Exact similarities between real articles that are not rewrites of each other: how close
do unrelated real news pages come on each signal? (Reads ../shared/data, bench only.)

    .venv/bin/python bench/real_pairs.py [JSONL ...]
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.neardup import SKELETON_THRESHOLD, SKELETON_WORD_FLOOR, THRESHOLD, fingerprint, jaccard  # noqa: E402

DATA = ROOT.parent.parent / "shared" / "data"
DEFAULT = [
    DATA / "news-id-scraper-fixtures" / "articles.jsonl",
    DATA / "newspaper4k-fixtures-multilang" / "articles.jsonl",
    DATA / "newspaper3k-fixtures" / "articles.jsonl",
    DATA / "article-extraction-benchmark" / "articles.jsonl",
    DATA / "readability-testpages" / "articles.jsonl",
]


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [p for p in DEFAULT if p.exists()]
    texts: list[str] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                text = record.get("text") or record.get("body") or record.get("maintext") or ""
                if len(text) > 200:
                    texts.append(text)
    prints = [fingerprint(t) for t in texts]
    words, skeletons, joined, apart = [], [], 0, 0.0
    for i, j in itertools.combinations(range(len(texts)), 2):
        if texts[i] == texts[j]:
            continue
        w = jaccard(prints[i][0], prints[j][0])
        s = jaccard(prints[i][1], prints[j][1])
        words.append(w)
        skeletons.append(s)
        if w >= THRESHOLD or (w >= SKELETON_WORD_FLOOR and s >= SKELETON_THRESHOLD):
            joined += 1
            print(f"joined: {w:.2f} / {s:.2f}: {texts[i][:60]!r} ~ {texts[j][:60]!r}")
        else:
            apart = max(apart, s)
    words.sort()
    skeletons.sort()
    print(f"{len(texts)} articles, {len(words)} pairs")
    print(f"word 3-shingles: max {words[-1]:.3f}, 99.9th pct {words[int(len(words) * 0.999)]:.3f}")
    print(
        f"skeletons: max {skeletons[-1]:.3f}, 99.9th pct {skeletons[int(len(skeletons) * 0.999)]:.3f}"
    )
    print(f"pairs the grouping would join: {joined}; skeleton max of the others: {apart:.3f}")


if __name__ == "__main__":
    main()
