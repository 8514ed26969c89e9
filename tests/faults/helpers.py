"""Shared by the fault suite: running the real command line, and small real file systems.

A full disk and a read-only disk are real: a size-limited (or read-only) tmpfs mounted for
the test, which needs root on Linux (CI runs as root). Where mounting is not allowed (not
root, another system, a container without the capability) the tests that need it are
skipped with the reason, which `pytest -ra` lists at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "S3cretPW-do-not-leak"


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120):
    """``python main.py ARGS`` in a fresh process; the user's data folder is inside ``cwd``."""
    full_env = {
        **os.environ,
        "HOME": str(cwd / "home"),
        "XDG_DATA_HOME": str(cwd / "home" / "data"),
        "XDG_CONFIG_HOME": str(cwd / "home" / "config"),
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli_log(cwd: Path) -> Path:
    return cwd / "home" / "data" / "Tandai" / "Tandai" / "logs" / "tandai.log"


def _skip_or_fail(reason: str) -> None:
    pytest.skip(reason)


@contextlib.contextmanager
def mounted_tmpfs(where: Path, *, size: str) -> Iterator[Path]:
    """A real small file system at ``where`` (root on Linux only); unmounted afterwards."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        _skip_or_fail("a size-limited file system needs root on Linux (mount -t tmpfs)")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tandai-test", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        _skip_or_fail(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill_disk(folder: Path) -> Path:
    """Write a filler file until the file system under ``folder`` says it is full."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError:
        pass
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler
