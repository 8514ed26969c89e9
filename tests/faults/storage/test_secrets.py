"""A PostgreSQL password given in a URL never appears in a message, the log or a card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.commands import build_parser
from cli.export_command import options_from_args
from core.logs import log_exception
from tests.conftest import postgres_url_or_skip
from tests.faults.helpers import SECRET, cli_log, run_cli

CLOSED = f"postgresql://annot:{SECRET}@127.0.0.1:1/news"


def _with_password(url: str) -> str:
    """The test server's URL with a password in it (the server may ignore it: trust)."""
    head, rest = url.split("://", 1)
    user, host = rest.split("@", 1) if "@" in rest else ("postgres", rest)
    return f"{head}://{user.split(':')[0]}:{SECRET}@{host}"


def test_argparse_echoes_a_url_with_its_password_masked(tmp_path: Path) -> None:
    done = run_cli("stats", CLOSED, CLOSED.replace("news", "other"), cwd=tmp_path)
    assert done.returncode == 1  # a usage error is a failure (cli/exits.py)
    assert "unrecognized arguments: postgresql://annot:***@127.0.0.1:1/other" in done.stderr
    assert SECRET not in done.stderr + done.stdout


def test_a_server_that_cannot_be_reached_is_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    for command in (["stats", CLOSED], ["export", CLOSED, str(tmp_path / "out")]):
        done = run_cli(*command, cwd=tmp_path)
        assert done.returncode == 1
        assert SECRET not in done.stderr + done.stdout
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "postgresql://127.0.0.1:1/news: cannot connect" in lines[0]
        assert "Traceback" not in done.stderr


def test_the_card_command_line_can_be_typed_again_without_the_password() -> None:
    args = build_parser().parse_args(["export", CLOSED, "out"])
    command = options_from_args(args).command
    assert SECRET not in command
    assert "postgresql://annot@127.0.0.1:1/news" in command


def test_the_log_never_holds_a_password(tmp_path: Path) -> None:
    try:
        raise RuntimeError(f"could not use {CLOSED} (password={SECRET})")
    except RuntimeError as exc:
        log = log_exception(exc, where="test", log=tmp_path / "tandai.log")
    assert log is not None
    text = log.read_text("utf-8")
    assert "RuntimeError" in text and "postgresql://annot:***@127.0.0.1:1/news" in text
    assert SECRET not in text


@pytest.mark.postgres
def test_an_export_from_a_server_url_with_a_password_keeps_it_out_of_card_output_and_log(
    tmp_path: Path,
) -> None:
    url = _with_password(postgres_url_or_skip())
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"text": "Jakarta is a big city in Indonesia."}) + "\n", "utf-8")
    done = run_cli("import", url, str(data), "--no-detect", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    done2 = run_cli("export", url, str(out), "--status", "all", cwd=tmp_path)
    assert done2.returncode == 0, done2.stderr
    card = (out / "README.md").read_text("utf-8")
    assert "tandai export postgresql://" in card
    everything = card + done.stdout + done.stderr + done2.stdout + done2.stderr
    if cli_log(tmp_path).exists():
        everything += cli_log(tmp_path).read_text("utf-8")
    assert SECRET not in everything


def test_a_url_on_the_command_line_opens_the_app_instead_of_being_read_as_a_subcommand() -> None:
    import main

    assert main._opens_in_app(CLOSED)
    assert main._opens_in_app("postgres://u@h/d")
    assert main._opens_in_app("/x/p.tandai")
    assert not main._opens_in_app("import")
