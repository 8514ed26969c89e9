"""The log of unexpected errors: the full traceback goes here, never a password.

The app and the command line write to the same ``logs/tandai.log`` in the per-user data
folder, so "the details are in the log" always means one file. The folder is found here
without Qt (the command line must not load it); it is the one ``QStandardPaths`` gives the
app: ``~/.local/share/Tandai/Tandai`` (``$XDG_DATA_HOME``), ``%APPDATA%\\Tandai\\Tandai``,
``~/Library/Application Support/Tandai/Tandai``.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from core.redact import mask_secrets
from core.version import __version__

LOG_NAME = "tandai.log"
#: The log is rolled over to ``tandai.log.1`` past this size.
MAX_LOG_BYTES = 1_000_000


def user_data_dir() -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "Tandai" / "Tandai"


def default_log() -> Path:
    return user_data_dir() / "logs" / LOG_NAME


def write_report(log: Path, text: str) -> None:
    """Append ``text`` (passwords masked) to the log; roll it over past :data:`MAX_LOG_BYTES`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    if log.exists() and log.stat().st_size > MAX_LOG_BYTES:
        log.replace(log.with_name(log.name + ".1"))
    with log.open("a", encoding="utf-8") as out:
        out.write(mask_secrets(text))


def format_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    where: str,
) -> str:
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    head = (
        f"==== {stamp} Tandai {__version__} on {platform.platform()}, "
        f"Python {platform.python_version()}, in {where}\n"
    )
    return mask_secrets(head + "".join(traceback.format_exception(exc_type, exc, tb)) + "\n")


def log_exception(exc: BaseException, *, where: str, log: Path | None = None) -> Path | None:
    """Write ``exc``'s traceback to the log; its path, or None when even that failed
    (a full disk must not hide the original error behind a second one)."""
    log = log or default_log()
    try:
        write_report(log, format_report(type(exc), exc, exc.__traceback__, where=where))
    except OSError:
        return None
    return log
