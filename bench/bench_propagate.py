"""Label one, carry to the rest: on generated clusters of 10 (an original and nine rewrites,
light and spinner), the original's entity spans are carried to the nine others.

    .venv/bin/python bench/bench_propagate.py [--clusters N]

Prints spans carried correctly / spans in the nine rewrites (their own gold spans, tracked
by the generator through every rewrite), wrongly placed spans, and the same per kind.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.propagate import MIN_CONTEXT, carry  # noqa: E402
from tests.fixtures.rewrites import corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=50)
    args = parser.parse_args()
    by_kind: dict[str, list[int]] = {}
    spent = 0.0
    clusters = 0
    seed = 0
    while clusters < args.clusters:
        articles = corpus(seed, stories=10, rewrites=(9, 9), reports=(0, 0), background=0)
        seed += 1
        for original in (a for a in articles if a.kind == "original"):
            clusters += 1
            spans = [(s, e, "entity", label) for s, e, label in original.spans]
            for other in articles:
                if other.family != original.family or other is original:
                    continue
                gold = {(s, e, "entity", label) for s, e, label in other.spans}
                started = time.perf_counter()
                result = carry(original.text, other.text, spans)
                spent += time.perf_counter() - started
                tally = by_kind.setdefault(other.kind, [0, 0, 0, 0])
                tally[0] += len(gold)
                tally[1] += sum(p in gold for p in result.placed)
                tally[2] += sum(p not in gold for p in result.placed)
                tally[3] += len(result.unplaced)
    total = [sum(t[i] for t in by_kind.values()) for i in range(4)]
    print(f"{clusters} clusters of 10; context needed: {MIN_CONTEXT} characters")
    for kind, (gold, right, wrong, unplaced) in [*sorted(by_kind.items()), ("all", total)]:
        print(
            f"{kind:8} carried correctly {right:5}/{gold:5} = {right / gold:.3f}; "
            f"wrong {wrong}; not placed {unplaced}"
        )
    print(f"{spent / (clusters * 9) * 1e3:.2f} ms per rewrite")


if __name__ == "__main__":
    main()
