"""The self-test ends its background jobs before its temporary project goes, also on a
loaded machine, and fails (exit 1) when anything went wrong after its steps passed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.helpers import ROOT

RUNS = 3


@pytest.fixture
def busy_machine() -> Iterator[None]:
    """One busy-loop process per core, beside the self-test (the race needs a slow thread)."""
    loops = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 2)
    ]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def _selftest(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--self-test"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )


@pytest.mark.slow
def test_the_self_test_under_load_passes_cleanly_every_time(
    busy_machine: None, tmp_path: Path
) -> None:
    for run in range(RUNS):
        done = _selftest(tmp_path)
        assert done.returncode == 0, f"run {run}: {done.stdout}\n{done.stderr}"
        assert "self-test passed" in done.stdout.splitlines()[-1]
        # Python's own stderr; Qt's notes (e.g. about the offscreen plugin) are not errors.
        for word in ("Traceback", "OperationalError", "no such table"):
            assert word not in done.stderr, f"run {run}: {done.stderr}"
