"""``python main.py --self-test`` runs the whole user path and says where it breaks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_selftest(root: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test must choose offscreen by itself
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, str(root / "main.py"), "--self-test"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_self_test_passes_every_step_without_a_display(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run_selftest(
        ROOT,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(steps) >= 7
    assert all(" ... ok (" in line for line in steps), result.stdout
    assert "detect languages ... ok" in result.stdout and "id " in result.stdout
    assert "'offscreen' platform" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("self-test passed")
    # Nothing of the user's was touched: no settings, no recent projects, no data folder.
    written = [p for p in home.rglob("*") if p.is_file()] if home.exists() else []
    assert written == []


def test_self_test_fails_with_the_step_and_reason_when_the_sample_is_missing(
    tmp_path: Path,
) -> None:
    """A build that forgot a resource must fail loudly, naming the step and the file."""
    for name in ("core", "storage", "cli", "gui", "resources"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "main.py", tmp_path / "main.py")
    (tmp_path / "resources" / "sample" / "articles.jsonl").unlink()

    result = run_selftest(tmp_path)

    assert result.returncode == 1
    assert "self-test FAILED at step 'import the bundled sample'" in result.stdout
    assert "sample/articles.jsonl" in result.stdout
    assert "self-test passed" not in result.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is X11's")
def test_self_test_runs_offscreen_without_a_display_even_when_x11_was_asked_for() -> None:
    result = run_selftest(ROOT, QT_QPA_PLATFORM="xcb")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "'offscreen' platform" in result.stdout
