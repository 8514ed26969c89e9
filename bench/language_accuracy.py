"""Language identification on real text: the bounded sample against the whole text and
against the datasets' own labels, on ``../shared/data`` (not bundled; skipped without it).

What ``bench/bench_import.py`` prints after its import figures (``--accuracy-only``: this
alone), so that the speed of the language pass is always shown beside what it costs in
accuracy (#14 asks for both).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    trials_compared(shared)


def trials_compared(shared: Path) -> None:
    """Every labelled text of ../shared/data (articles, tweets, sentences) against its
    dataset's label, with langdetect's trials stopped after three agreeing ones (before)
    and after two (now, ``core.langid.AGREEING_TRIALS``)."""
    import core.langid as langid

    texts: dict[str, str] = {}
    for path in sorted(shared.glob("*/*.jsonl")):
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            text, gold = record.get("text") or "", record.get("lang")
            if text and gold and (record.get("meta") or {}).get("lang_origin") != "detected":
                texts.setdefault(text, gold)
    now = langid.AGREEING_TRIALS
    answers = {}
    try:
        for trials in (3, now):
            langid.AGREEING_TRIALS = trials
            answers[trials] = [langid.detect_language(t)[0] for t in texts]
    finally:
        langid.AGREEING_TRIALS = now
    golds = list(texts.values())
    right = {n: sum(map(str.__eq__, a, golds)) for n, a in answers.items()}
    differ = sum(map(str.__ne__, answers[3], answers[now]))
    print(
        f"language id on all {len(texts)} labelled texts of ../shared/data: dataset label "
        f"{right[3]}/{len(texts)} with 3 agreeing trials (before), {right[now]}/{len(texts)} "
        f"with {now} (now); the two differ on {differ}"
    )
