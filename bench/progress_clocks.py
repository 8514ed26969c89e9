"""Clocks that read the progress the real passes report: when each pass of the app's
catch-up was done (:class:`PassClock`, ``bench_import.py``), and how long each tenth of a
pass's articles took (:class:`Tenths`, ``bench_first_pass.py``, ``bench_fts_merge.py``): a
pass whose tenths grow costs more per article as the project grows."""

from __future__ import annotations

import time

from storage.import_progress import ImportProgress

#: The passes the issue's "fully processed" names (#14): languages, index, suggesters.
ISSUE_PASSES = ("languages", "index", "suggest")


class PassClock:
    """When each pass of the app's catch-up reported its last article done, from the
    progress it reports (called from two threads: the languages run beside the rest)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.done: dict[str, float] = {}

    def seen(self, progress: object) -> None:
        phase = getattr(progress, "phase", "")
        # The full-text index's compaction ends its pass.
        phase = "index" if phase == "compact" else phase
        # ImportProgress: "languages" or "index" (the full-text index); the suggesters'
        # "index" (their repeated-line count) comes before their "suggest".
        ours = isinstance(progress, ImportProgress) or phase in ("suggest", "near-duplicates")
        if ours and getattr(progress, "done", 0) >= getattr(progress, "total", 1):
            self.done[phase] = time.perf_counter()

    def text(self, passes: tuple[str, ...], before: float) -> str:
        """Seconds from the storing's start until the last of ``passes`` was done (a pass
        with nothing to do is not waited for), ``before`` being the storing's time."""
        missing = [name for name in passes if name not in self.done]
        last = max((self.done[name] for name in passes if name in self.done), default=self.start)
        seen = f" ({', '.join(missing)}: no progress reported)" if missing else ""
        each = ", ".join(
            f"{name} {before + self.done[name] - self.start:.1f} s"
            for name in sorted(self.done, key=self.done.__getitem__)
        )
        return f"{before + last - self.start:6.1f} s wall{seen} (each done: {each})"


class Tenths:
    """Each phase's wall time per tenth of its articles, from the progress it reports: a
    phase whose tenths grow costs more per article as the project grows."""

    def __init__(self) -> None:
        self.latest = time.perf_counter()  # a phase starts where the one before it ended
        self.marks: dict[str, tuple[int, float]] = {}
        self.tenths: dict[str, list[float]] = {}

    def seen(self, progress: object) -> None:
        phase = getattr(progress, "phase", "")
        done, total = getattr(progress, "done", 0), getattr(progress, "total", 0)
        if not total:
            return
        tenth, now = done * 10 // total, time.perf_counter()
        last, at = self.marks.get(phase, (0, self.latest))
        if tenth > last:
            self.tenths.setdefault(phase, []).append(now - at)
            self.marks[phase] = (tenth, now)
            self.latest = now

    def text(self) -> str:
        return "; ".join(
            f"{phase}: {sum(t):.1f} s, each tenth {' '.join(f'{x:.1f}' for x in t)}"
            for phase, t in self.tenths.items()
        )
