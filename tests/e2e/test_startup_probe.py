"""TANDAI_STARTUP_PROBE reports when the main window is on screen, then the app quits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from gui.annotator_dialog import SETTINGS_KEY

ROOT = Path(__file__).resolve().parents[2]


def test_probe_prints_the_wall_clock_time_the_main_window_was_shown_and_quits(
    tmp_path: Path,
) -> None:
    conf = tmp_path / "config" / "Tandai" / "Tandai.conf"
    conf.parent.mkdir(parents=True)
    section, key = SETTINGS_KEY.split("/")
    conf.write_text(f"[{section}]\n{key}=ani\n", encoding="utf-8")
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        TANDAI_STARTUP_PROBE="1",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    started = time.time()
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    ended = time.time()

    assert result.returncode == 0, result.stdout + result.stderr
    lines = [x for x in result.stdout.splitlines() if x.startswith("first-window ")]
    assert len(lines) == 1
    fields = lines[0].split()
    assert started < float(fields[1]) < ended
    assert fields[2] == "MainWindow" and fields[3] == "main=1"
    assert "sample.tandai" in lines[0]  # the first start's seeded project, on screen
