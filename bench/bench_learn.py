"""Learning figures: entity and stance learning curves, simulated active learning, speed and
memory of training and suggesting.

    .venv/bin/python bench/bench_learn.py [--shared DIR] [--only curves|stance|active|speed]
                                          [--articles N] [--rounds R]

Data (evaluation only, never shipped): NER-Prosa (all 840 sentences of the original test
file, each as an article), GUM Wikinews (its 416 sentences, each as an article, nested spans
flattened longest-first), the three stance sets. ``own-labels`` is the exact-match suggester
of the project (the gazetteer of every labelled string with its most frequent label, as
``Project.suggestions.own_label_gazetteer`` builds it). Speed runs through the product path: a project
of N generated articles (default 100,000), ``learn`` and ``suggest_with_model`` in the
spawned worker process, as the app does.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from learn_data import gum_sentences, nerp_prosa, stance_set  # noqa: E402

from bench.worker_peaks import largest_worker_mb, watch_workers  # noqa: E402
from core.learn.entity import (  # noqa: E402
    UNCERTAINTY_MEASURES,
    EntityExample,
    EntityTagger,
    train_entities,
)
from core.learn.jobs import fit_entities_part  # noqa: E402
from core.learn.runner import Runner  # noqa: E402
from core.learn.scores import class_evaluation, span_evaluation  # noqa: E402
from core.learn.stance import StanceClassifier, StanceExample, train_stance  # noqa: E402
from core.suggest.gazetteer import Gazetteer  # noqa: E402

OUT = ROOT / "bench" / "out"
SIZES = (25, 50, 100, 200, 400)
STANCE_SIZES = (25, 50, 100, 150)
STANCE_SETS = ("stance-es-ca-catalonia-tweets", "stance-en-perspectrum", "stance-id-blog-politics")


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def own_labels(train: list[EntityExample]) -> Gazetteer:
    votes: dict[str, Counter[str]] = {}
    for ex in train:
        for label, start, end in ex.spans:
            phrase = ex.text[start:end].strip()
            if phrase:
                votes.setdefault(phrase, Counter())[label] += 1
    gazetteer = Gazetteer()
    for phrase, counter in votes.items():
        gazetteer.add_phrase(phrase, counter.most_common(1)[0][0])
    return gazetteer


def f1_model(train: list[EntityExample], held: list[EntityExample]) -> float:
    tagger = EntityTagger(train_entities(train))
    pred = [[(g.label, g.start, g.end) for g in tagger.guess(e.text, e.lang).spans] for e in held]
    return span_evaluation([e.spans for e in held], pred, folds=1).score


def f1_own(train: list[EntityExample], held: list[EntityExample]) -> float:
    gazetteer = own_labels(train)
    pred = [[(p.label, p.start, p.end) for p in gazetteer.match(e.text)] for e in held]
    return span_evaluation([e.spans for e in held], pred, folds=1).score


def splits(data: list, rounds: int, held_size: int) -> list[tuple[list, list]]:
    """Seeded rounds of (held-out, pool): disjoint held-out parts when they fit."""
    out = []
    order = list(range(len(data)))
    random.Random(0).shuffle(order)
    for r in range(rounds):
        lo = (r * held_size) % len(data)
        held_idx = set(order[lo : lo + held_size])
        pool = [data[i] for i in order if i not in held_idx]
        random.Random(r).shuffle(pool)
        out.append(([data[i] for i in sorted(held_idx)], pool))
    return out


def curves(shared: Path, rounds: int) -> None:
    print("## Entity learning curves: held-out span F1 (mean of rounds)\n")
    print(f"- before: {_load()}\n")
    t, cpu = time.perf_counter(), time.process_time()
    sets = (
        ("NER-Prosa (840 sentences, 300 held out)", nerp_prosa(shared), 300),
        ("GUM Wikinews (416 sentences, 104 held out)", gum_sentences(shared), 104),
    )
    print("| set | labelled | model | own-labels | model − own-labels |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, data, held_size in sets:
        for n in SIZES:
            model, own = [], []
            for held, pool in splits(data, rounds, held_size):
                if n > len(pool):
                    break
                model.append(f1_model(pool[:n], held))
                own.append(f1_own(pool[:n], held))
            if not model:
                print(f"| {name} | {n} | – | – | (only {len(data) - held_size} to label) |")
                continue
            m, o = statistics.mean(model), statistics.mean(own)
            print(f"| {name} | {n} | {m:.3f} | {o:.3f} | {100 * (m - o):+.1f} |")
        sys.stdout.flush()
    print(
        f"\n- {rounds} rounds: {time.perf_counter() - t:.0f} s wall, "
        f"{time.process_time() - cpu:.0f} s CPU; {_load()} after"
    )


def stance(shared: Path, rounds: int) -> None:
    print("\n## Stance learning curves: held-out macro-F1 (mean of rounds), a third held out\n")
    print("| set | labelled | model | majority class | model − majority |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in STANCE_SETS:
        rows = stance_set(shared, name)
        data = [StanceExample(text, lang, label) for _t, text, lang, label in rows]
        for n in STANCE_SIZES:
            model, major = [], []
            for held, pool in splits(data, rounds, len(data) // 3):
                if n > len(pool):
                    break
                classifier = StanceClassifier(train_stance(pool[:n]))
                gold = [e.label for e in held]
                pred = [classifier.guess(e.text, e.lang).label for e in held]
                model.append(class_evaluation(gold, pred, folds=1).score)
                top = Counter(e.label for e in pool[:n]).most_common(1)[0][0]
                major.append(class_evaluation(gold, [top] * len(gold), folds=1).score)
            if not model:
                print(f"| {name} | {n} | – | – | (only {len(data) - len(data) // 3} to label) |")
                continue
            m, j = statistics.mean(model), statistics.mean(major)
            print(f"| {name} | {n} | {m:.3f} | {j:.3f} | {m - j:+.3f} |")
        sys.stdout.flush()


def active(shared: Path, rounds: int, measures: tuple[str, ...], share: float) -> None:
    """The gold labels play the annotator: batches of 25 (50 from 100 on), chosen in import
    order or by the model's uncertainty under each measure (``share`` of each batch random,
    seeded), retrained after each; one training per step both scores and picks."""
    print("\n## Active learning on NER-Prosa: held-out span F1 against the number labelled\n")
    print(f"- before: {_load()}")
    t, cpu = time.perf_counter(), time.process_time()
    data = nerp_prosa(shared)
    steps = (25, 50, 100, 150, 200, 300, 400)
    strategies = ("import order", *measures)
    results: dict[str, dict[int, list[float]]] = {s: {} for s in strategies}
    for held, pool in splits(data, rounds, 300):
        for strategy in strategies:
            rnd = random.Random(1)
            labelled = list(range(25))
            rest = list(range(25, len(pool)))
            while True:
                n = len(labelled)
                tagger = EntityTagger(train_entities([pool[i] for i in labelled]))
                if n in steps:
                    pred = [
                        [(g.label, g.start, g.end) for g in tagger.guess(e.text, e.lang).spans]
                        for e in held
                    ]
                    f1 = span_evaluation([e.spans for e in held], pred, folds=1).score
                    results[strategy].setdefault(n, []).append(f1)
                if n >= steps[-1]:
                    break
                batch = 25 if n < 100 else 50
                if strategy == "import order":
                    pick, rest = rest[:batch], rest[batch:]
                else:
                    value = {
                        i: tagger.guess(pool[i].text, pool[i].lang, measure=strategy).uncertainty
                        for i in rest
                    }
                    scored = sorted(rest, key=lambda i: -value[i])
                    n_random = round(batch * share)
                    pick = scored[: batch - n_random]
                    chosen = set(pick)
                    pick += rnd.sample([i for i in rest if i not in chosen], n_random)
                    chosen = set(pick)
                    rest = [i for i in rest if i not in chosen]
                labelled += pick
        sys.stdout.flush()
    head = " | ".join(f"uncertain: {m}" for m in measures)
    print(f"| labelled | import order | {head} |")
    print("| ---: | ---: |" + " ---: |" * len(measures))
    for n in steps:
        cells = " | ".join(f"{statistics.mean(results[s][n]):.3f}" for s in strategies)
        print(f"| {n} | {cells} |")
    # Where each order first reaches import order's F1 at 200 (linear between the steps).
    goal = statistics.mean(results["import order"][200])
    for s in measures:
        means = [(n, statistics.mean(results[s][n])) for n in steps]
        reach = next(
            (
                a + (b - a) * (goal - fa) / (fb - fa) if fb != fa else b
                for (a, fa), (b, fb) in itertools.pairwise(means)
                if fa < goal <= fb
            ),
            None,
        )
        where = f"{reach:.0f}" if reach is not None else "not within 400"
        print(
            f"- {s} ({share:.0%} random) reaches import order's F1 at 200 ({goal:.3f}) at {where}"
        )
    print(
        f"- {rounds} rounds: {time.perf_counter() - t:.0f} s wall, "
        f"{time.process_time() - cpu:.0f} s CPU; {_load()} after"
    )


def _articles(shared: Path, n: int, sentences: int, seed: int) -> list[EntityExample]:
    """Generated articles of ``sentences`` NER-Prosa sentences each (one per line)."""
    data = nerp_prosa(shared)
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        parts = rnd.sample(data, sentences)
        text, spans = "", []
        for ex in parts:
            base = len(text) + (1 if text else 0)
            text = f"{text}\n{ex.text}" if text else ex.text
            spans += [(lab, s + base, e + base) for lab, s, e in ex.spans]
        out.append(EntityExample(text, "id", tuple(spans)))
    return out


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def speed(shared: Path, articles: int) -> None:
    from core.models import NewArticle
    from core.schema import EntityLabel, Schema
    from storage import Project

    print("\n## Speed and memory (2 shared cores: wall times are inflated by the load)\n")
    train = _articles(shared, 1000, 10, seed=1)
    words = sum(len(e.text.split()) for e in train)
    print(f"- before training: {_load()}")
    # As the app trains (storage.learning): the model on all articles and the held-out
    # scores in two worker processes at once (crfsuite holds the interpreter while it
    # trains, so two threads would train one after the other).
    t, cpu, children = time.perf_counter(), time.process_time(), _child_cpu()
    with Runner(False, None) as run:
        halves = run.pair(
            (fit_entities_part, (train, [], "final")),
            (fit_entities_part, (train, [], "evaluation")),
        )
    assert halves is not None
    (data, _), (_, evaluation) = halves
    took, took_cpu = time.perf_counter() - t, time.process_time() - cpu
    workers_cpu = _child_cpu() - children
    print(
        f"- training on 1,000 labelled articles ({words:,} words; the final model and the "
        f"held-out fifth in two worker processes): {took:.1f} s wall, {workers_cpu:.1f} s CPU "
        f"in the workers + {took_cpu:.1f} s here; {_load()} after; peak memory of a worker "
        f"{largest_worker_mb():.0f} MB; held-out F1 "
        f"{evaluation.score:.3f} (sentences repeat across these generated articles: the score "
        f"is not a quality figure); model {len(data) / 1e6:.2f} MB"
    )
    sys.stdout.flush()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "learn-speed.tandai"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    labels = sorted({lab for ex in train for lab, _s, _e in ex.spans})
    schema = Schema(entity_labels=tuple(EntityLabel(name, "#90caf9") for name in labels))
    with Project.create(path, schema=schema) as project:
        t = time.perf_counter()
        tokens = 0
        # Generated and stored in batches: this process holds what the app would, not the
        # whole corpus (the labelled first 1,000 are those of the training above).
        rnd_seed = 2
        for start in range(0, articles, 5000):
            batch = train if start == 0 else []
            batch = batch + _articles(shared, min(5000, articles - start) - len(batch), 5, rnd_seed)
            rnd_seed += 1
            tokens += sum(len(e.text.split()) for e in batch[1000 if start == 0 else 0 :])
            project.imports.store_articles(
                [NewArticle(text=e.text, external_id=f"{start + i}") for i, e in enumerate(batch)]
            )
        print(
            f"- project of {articles:,} generated articles stored in {time.perf_counter() - t:.1f} s"
        )
        ids = list(project.article_ids())
        for aid, ex in zip(ids[:1000], train, strict=True):
            with project.transaction():
                for label, start, end in ex.spans:
                    project.labels.add_span(
                        aid, annotator="bench", layer="entity", label=label, start=start, end=end
                    )
                project.labels.set_status(aid, annotator="bench", status="done")
        print(f"- before `learn`: {_load()}")
        t, child, cpu = time.perf_counter(), _child_cpu(), time.process_time()
        outcome = project.learning.learn(in_process=False)
        total, total_cpu = time.perf_counter() - t, _child_cpu() - child
        print(
            f"- `learn` on 1,000 done articles, then suggesting on {outcome.articles:,} "
            f"({tokens:,} words): {total:.1f} s wall, worker processes {total_cpu:.1f} s CPU, "
            f"this process {time.process_time() - cpu:.1f} s CPU (reading, writing); "
            f"{outcome.stored:,} suggestions stored; {_load()} after"
        )
        sys.stdout.flush()
        t, child, cpu = time.perf_counter(), _child_cpu(), time.process_time()
        stored = project.learning.suggest_with_model(in_process=False)
        print(
            f"- `suggest_with_model` again (nothing new to store: {stored}) over "
            f"{outcome.articles:,} articles in the background (two worker processes): "
            f"{time.perf_counter() - t:.1f} s wall, worker processes "
            f"{_child_cpu() - child:.1f} s CPU, this process {time.process_time() - cpu:.1f} s "
            f"CPU; {_load()} after"
        )
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = largest_worker_mb()
    print(f"- peak memory: this process {me:.0f} MB, largest worker process {child_rss:.0f} MB")


def keys(shared: Path) -> None:
    """A label write (add a span, commit) timed on the main thread while ``learn`` runs in a
    background thread with its worker process, as in the app, against the same with nothing
    running. Storage only (no repaint): what training could add to a label key."""
    import threading

    from core.models import NewArticle
    from core.schema import EntityLabel, Schema
    from storage import Project

    print("\n## A label write while training runs (storage, main thread)\n")
    corpus = _articles(shared, 3000, 5, seed=3)
    labels = sorted({lab for ex in corpus for lab, _s, _e in ex.spans})
    schema = Schema(entity_labels=tuple(EntityLabel(name, "#90caf9") for name in labels))
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "learn-keys.tandai"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Project.create(path, schema=schema) as project:
        project.imports.store_articles(
            [NewArticle(text=e.text, external_id=str(i)) for i, e in enumerate(corpus)]
        )
        ids = list(project.article_ids())
        for aid, ex in zip(ids[:300], corpus[:300], strict=True):
            with project.transaction():
                for label, start, end in ex.spans:
                    project.labels.add_span(
                        aid, annotator="bench", layer="entity", label=label, start=start, end=end
                    )
                project.labels.set_status(aid, annotator="bench", status="done")
        targets = ids[2000:]

        def timed(n: int) -> list[float]:
            out = []
            for aid in targets[:n]:
                t = time.perf_counter()
                span = project.labels.add_span(
                    aid, annotator="keys", layer="entity", label=labels[0], start=0, end=1
                )
                out.append((time.perf_counter() - t) * 1000)
                project.labels.delete_span(span.id)
                time.sleep(0.05)
            return out

        quiet = timed(100)
        worker = threading.Thread(target=lambda: project.learning.learn(in_process=False))
        worker.start()
        busy = []
        while worker.is_alive() and len(busy) < 900:
            busy += timed(5)
        worker.join()
        for name, values in (("nothing running", quiet), ("while training and suggesting", busy)):
            values.sort()
            print(
                f"- {name}: median {statistics.median(values):.2f} ms, "
                f"p95 {values[int(len(values) * 0.95)]:.2f} ms, max {values[-1]:.1f} ms "
                f"({len(values)} writes)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--only", choices=("curves", "stance", "active", "speed", "keys"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument(
        "--measures",
        default="line",
        help="uncertainty measures for --only active, comma-separated: "
        + ", ".join(UNCERTAINTY_MEASURES),
    )
    parser.add_argument("--random-share", type=float, default=0.2)
    args = parser.parse_args()
    watch_workers()
    if not args.shared.is_dir():
        sys.exit(f"bench_learn: {args.shared} not found (give --shared DIR)")
    if args.only in (None, "curves"):
        curves(args.shared, args.rounds)
    if args.only in (None, "stance"):
        stance(args.shared, args.rounds)
    if args.only in (None, "active"):
        measures = tuple(m for m in args.measures.split(",") if m)
        if unknown := [m for m in measures if m not in UNCERTAINTY_MEASURES]:
            sys.exit(f"bench_learn: unknown measure {unknown[0]!r}")
        active(args.shared, args.rounds, measures, args.random_share)
    if args.only in (None, "speed"):
        speed(args.shared, args.articles)
    if args.only in (None, "keys"):
        keys(args.shared)


if __name__ == "__main__":
    main()
