"""``main.py import`` as a script runs it: exit codes, hostile inputs, bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def tandai(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        input=stdin,
    )


def lines(*records: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def test_exit_codes_say_all_good_skipped_records_or_failure(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(lines({"text": "Berita satu."}, {"text": "Berita dua."}), encoding="utf-8")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(lines({"text": "Berita tiga."}) + "{broken\n", encoding="utf-8")
    project = tmp_path / "p.tandai"

    ok = tandai("import", project, good, "--no-detect", "-q")
    skipped = tandai("import", project, mixed, "--no-detect", "-q")
    failed = tandai("import", project, tmp_path / "missing.jsonl", "-q")
    usage = tandai("import", project, good, "--field", "nonsense")

    assert ok.returncode == 0, ok.stderr
    assert "2 records read: 2 imported" in ok.stdout
    assert skipped.returncode == 2, skipped.stderr
    assert "2 records read: 1 imported, 0 duplicates skipped, 1 skipped" in skipped.stdout
    assert failed.returncode == 1
    assert usage.returncode == 1 and "--field" in usage.stderr


def test_an_empty_file_and_a_header_only_csv_say_why_nothing_was_imported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("title,text\n")

    run = tandai("import", tmp_path / "p.tandai", empty, header, "--no-detect")

    assert run.returncode == 2
    assert f"{empty}: empty file: no records" in run.stderr
    assert f"{header}: no records: the file holds only a header row" in run.stderr
    assert "0 records read" in run.stdout and "files with a problem" in run.stdout


def test_a_fifo_and_dev_zero_named_are_refused_at_once_and_stdin_is_read_when_named(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)

    refused = tandai("import", tmp_path / "p.tandai", fifo, "/dev/zero", "-q")
    piped = tandai(
        "import", tmp_path / "p.tandai", "-", "--no-detect", stdin=lines({"text": "Dari pipa."})
    )

    assert refused.returncode == 1  # no file could be read: nothing hung, nothing grew
    assert "not a regular file" in refused.stdout + refused.stderr
    assert piped.returncode == 0, piped.stderr
    assert "1 records read: 1 imported" in piped.stdout or "1 record read: 1 imported" in (
        piped.stdout
    )


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory read from /proc")
def test_a_one_megabyte_gzip_bomb_is_reported_and_memory_stays_bounded(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * (1 << 20)
    with bomb.open("wb") as fh:
        fh.write(packer.compress(b'{"text": "berita sebelum bom"}\n'))
        for _ in range(1024):  # 1 GB of zeros without a newline
            fh.write(packer.compress(block))
        fh.write(packer.flush())
    # The child reports its own peak from /proc (VmHWM belongs to the address space made by
    # exec); ru_maxrss would carry over the pytest parent's size from the fork.
    measured = (
        "import atexit, runpy, sys\n"
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            print('peak-kb', line.split()[1], file=sys.stderr)\n"
        "atexit.register(peak)\n"
        "sys.argv = sys.argv[1:]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            measured,
            str(ROOT / "main.py"),
            "import",
            str(tmp_path / "p.tandai"),
            str(bomb),
            "--no-detect",
            "-q",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )

    peak_mb = int(run.stderr.split("peak-kb")[-1].split()[0]) / 1024
    assert bomb.stat().st_size < 2 << 20
    assert run.returncode == 2, run.stderr
    assert "files with a problem: decompresses to more than 100 times its size 1" in run.stdout
    assert "1 imported" in run.stdout
    assert peak_mb < 300  # the 1 GB never came into memory (2.6 GB before)


def test_the_progress_bar_counts_records_read_not_zero(tmp_path: Path) -> None:
    data = tmp_path / "a.jsonl"
    data.write_text(lines(*({"text": f"Berita ke-{i}."} for i in range(30))), encoding="utf-8")

    run = tandai("import", tmp_path / "p.tandai", data)

    bars = [line for line in run.stderr.splitlines() if line.startswith("reading")]
    assert bars and bars[-1].rstrip().endswith("30 records read"), run.stderr
    languages = [line for line in run.stderr.splitlines() if line.startswith("languages")]
    assert languages and "30 articles/30 articles" in languages[-1], run.stderr
    assert "30 records read: 30 imported" in run.stdout
