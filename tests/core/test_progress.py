"""The command line's progress bar: amounts, and no rate before there is one to tell."""

from __future__ import annotations

import io

from core.progress import ProgressBar


def test_a_bar_into_a_log_writes_lines_with_amounts_and_no_rate_at_first() -> None:
    out = io.StringIO()
    bar = ProgressBar(stream=out)
    bar.update("storing", 3 << 20, 12 << 20, unit="B", extra="1,000 articles")
    bar.update("storing", 12 << 20, 12 << 20, unit="B")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("storing    [#######.....................]  25.0% 3.0 MB/12.0 MB")
    assert lines[0].endswith("1,000 articles")
    assert "/s" not in out.getvalue() and "ETA" not in out.getvalue()
    assert lines[-1].startswith("storing    [############################] 100.0%")


def test_a_quiet_bar_writes_nothing() -> None:
    out = io.StringIO()
    bar = ProgressBar(stream=out, quiet=True)
    bar.update("languages", 5, 10)
    bar.finish()
    assert out.getvalue() == ""
