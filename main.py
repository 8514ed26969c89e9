"""Tandai entry point: the app with no arguments, command-line subcommands otherwise.

Nothing heavy is imported here at module level: the CLI must not load Qt, and the GUI must
not load langdetect before its first window is up.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage import Project


def _opens_in_app(arg: str) -> bool:
    """A project file or a PostgreSQL URL opens in the app; any other word is a subcommand."""
    from core.redact import is_postgres_url

    return arg.endswith(".tandai") or is_postgres_url(arg)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("-") and not _opens_in_app(argv[0]):
        from cli.commands import run

        return run(argv)
    if argv and argv[0] in {"-h", "--help"}:
        from cli.commands import build_parser

        build_parser().print_help()
        return 0
    if argv and argv[0] == "--self-test":
        from cli.selftest import run_selftest

        return run_selftest(show_window=_show_selftest_window)
    if os.environ.get("TANDAI_STARTUP_PROBE"):  # measuring time to first window (README)
        from gui.startup_probe import install_startup_probe

        install_startup_probe()
    from gui.app import run_gui

    return run_gui(argv)


def _show_selftest_window(project: Project, *, annotator: str) -> str:
    """The self-test's Qt step, given to cli/ from here so that cli/ never imports gui/;
    Qt is loaded only when the step runs."""
    from gui.selftest_window import show_main_window

    return show_main_window(project, annotator=annotator)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # language detection workers in the packaged app
    sys.exit(main())
