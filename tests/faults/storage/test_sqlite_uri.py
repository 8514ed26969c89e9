"""An SQLite URI is refused with a message, never "2 imported" into nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.helpers import run_cli


@pytest.mark.parametrize("target", ["file:x.tandai?mode=memory", "file:y.tandai", "FILE:z.tandai"])
def test_an_sqlite_uri_is_refused_and_nothing_is_written(tmp_path: Path, target: str) -> None:
    data = tmp_path / "a.jsonl"
    data.write_text(
        "".join(json.dumps({"text": f"Article number {i} about a city."}) + "\n" for i in (1, 2)),
        "utf-8",
    )
    done = run_cli("import", target, str(data), "--no-detect", cwd=tmp_path)
    assert done.returncode == 1
    assert "SQLite URIs are not supported; give the project file's path" in done.stderr
    assert "imported" not in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["a.jsonl"]
    stats = run_cli("stats", target, cwd=tmp_path)
    assert stats.returncode == 1 and "SQLite URIs are not supported" in stats.stderr


def test_the_summary_names_reasons_with_their_real_numbers(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text('text,title\n"a","b","c"\n"d","e","f","g"\n', "utf-8")
    (tmp_path / "l.jsonl").write_bytes(b'{"text": "caf\xe9 au lait"}\n')
    done = run_cli("import", "p.tandai", "x.csv", "l.jsonl", "--no-detect", cwd=tmp_path)
    summary = done.stdout.strip().splitlines()[-1]
    assert "row has 3 fields, the header has 2 1" in summary
    assert "row has 4 fields, the header has 2 1" in summary
    assert "not valid UTF-8 1" in summary
    assert "UTF-N" not in summary and "N fields" not in summary
