"""Where a URL has no password, libpq's own sources are used (PGPASSWORD, ~/.pgpass) and a
terminal is asked; without any, one line says what to set. A throwaway PostgreSQL cluster
with password authentication (scram) is started for this: the shared test server trusts
every connection, so it could not tell."""

from __future__ import annotations

import json
import os
import pty
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.helpers import ROOT, SECRET, cli_log, run_cli

pytestmark = pytest.mark.postgres


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def password_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``postgresql://annot@127.0.0.1:PORT/news`` on a server that wants annot's password."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("no PostgreSQL binaries (initdb) on this machine")
    # Not under pytest's temp folder: that is private to its user, and initdb runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="tandai-pgpw-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        os.chown(root, int(subprocess.check_output(["id", "-u", "postgres"])), -1)
        as_user = ["runuser", "-u", "postgres", "--"]
    pwfile = root / "pw"
    pwfile.write_text("boot\n")
    os.chmod(pwfile, 0o644)
    data = root / "data"
    subprocess.run(
        [*as_user, str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres", "--no-sync",
         "--auth=scram-sha-256", f"--pwfile={pwfile}"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    subprocess.run(
        [*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
         "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        env = {**os.environ, "PGPASSWORD": "boot"}
        psql = [str(pg_bin.parent / "bin" / "psql"), "-h", "127.0.0.1", "-p", str(port)]
        if not Path(psql[0]).exists():
            psql[0] = shutil.which("psql") or "psql"
        for sql in (
            f"CREATE ROLE annot LOGIN PASSWORD '{SECRET}'",
            "CREATE DATABASE news OWNER annot",
        ):
            subprocess.run([*psql, "-U", "postgres", "-c", sql], check=True, env=env, capture_output=True)  # fmt: skip
        yield f"postgresql://annot@127.0.0.1:{port}/news"
    finally:
        subprocess.run(
            [*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"text": f"Berita {time.time_ns()}: warga kota."}) + "\n")
    return data


def test_without_any_password_one_line_says_what_to_set(password_server: str, tmp_path: Path):
    done = run_cli("stats", password_server, cwd=tmp_path, env={"PGPASSWORD": ""})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"tandai stats: {password_server.replace('annot@', '')}: the server asks for a "
        "password: set PGPASSWORD, add it to ~/.pgpass, or run the command in a terminal to "
        "be asked"
    ]


def test_pgpassword_and_pgpass_are_used_as_libpq_uses_them(password_server: str, tmp_path: Path):
    data = _data(tmp_path)
    done = run_cli("import", password_server, str(data), "--no-detect", cwd=tmp_path,
                   env={"PGPASSWORD": SECRET})  # fmt: skip
    assert done.returncode == 0, done.stderr
    pgpass = tmp_path / "home" / ".pgpass"
    pgpass.parent.mkdir(parents=True, exist_ok=True)
    pgpass.write_text(f"127.0.0.1:*:news:annot:{SECRET}\n")
    os.chmod(pgpass, 0o600)
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    stats = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "stats", password_server],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={**env, "HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith("1 articles") or stats.stdout.startswith("1 article")
    out = tmp_path / "out"
    exp = run_cli("export", password_server, str(out), "--status", "all", cwd=tmp_path,
                  env={"PGPASSWORD": SECRET})  # fmt: skip
    assert exp.returncode == 0, exp.stderr
    texts = [(out / "README.md").read_text("utf-8"), done.stderr, stats.stderr, exp.stderr]
    if cli_log(tmp_path).exists():
        texts.append(cli_log(tmp_path).read_text("utf-8"))
    assert not any(SECRET in t for t in texts)


def test_in_a_terminal_the_password_is_asked_for_and_never_echoed(
    password_server: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    pid, fd = pty.fork()
    if pid == 0:  # the child: main.py in a terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, str(ROOT / "main.py"), "stats", password_server], env)  # fmt: skip
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"Password:" in seen:
            os.write(fd, SECRET.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert answered, text
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "articles" in text
    assert SECRET not in text  # getpass does not echo
