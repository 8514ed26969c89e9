"""A text progress bar with rate and ETA for long command-line work (drawn on stderr)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}:{seconds % 60:02d}"


def _amount(value: float, unit: str) -> str:
    if unit == "B":
        for scale, name in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB")):
            if value >= scale:
                return f"{value / scale:.1f} {name}"
        return f"{int(value)} B"
    return f"{int(value):,}{' ' + unit if unit else ''}"


class ProgressBar:
    """Redraws in place ten times a second on a terminal; into a log, a line every 5 s."""

    def __init__(
        self, *, stream: TextIO | None = None, quiet: bool = False, width: int = 28
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.width = width
        self._label = ""
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def update(
        self, label: str, done: float, total: float, *, unit: str = "", extra: str = ""
    ) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if label != self._label:
            self.finish()
            self._label, self._started = label, now
        if now - self._last_draw < (0.1 if self._tty else 5.0) and done < total:
            return
        self._last_draw = now
        elapsed = max(now - self._started, 1e-6)
        rate = done / elapsed
        fraction = min(1.0, done / total) if total else 0.0
        filled = int(fraction * self.width)
        eta = (total - done) / rate if rate > 0 and total else 0
        # Over the first half second a rate means nothing (38,000,000/s for 38 articles).
        timing = f"{_amount(rate, unit)}/s ETA {_duration(eta)}" if elapsed >= 0.5 else ""
        line = (
            f"{label:<10} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:6.1%} "
            f"{_amount(done, unit)}/{_amount(total, unit)} {timing}"
            f"{'  ' + extra if extra else ''}"
        )
        self.stream.write("\r" + line + "\x1b[K" if self._tty else line + "\n")
        self.stream.flush()
        self._drawn = self._tty

    def finish(self) -> None:
        if self._drawn and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
        self._drawn = False
