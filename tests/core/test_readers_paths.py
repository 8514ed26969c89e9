"""Finding the files to read: expand_paths walks folders and reports every unusable path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.readers import SUPPORTED_SUFFIXES, Problem, expand_paths, paths, read_file
from tests.core.reader_helpers import UNSUPPORTED_TAIL, write


def test_supported_suffixes_are_the_seven_formats_and_their_gzipped_forms() -> None:
    assert SUPPORTED_SUFFIXES == (
        ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".conll",
        ".jsonl.gz", ".ndjson.gz", ".json.gz", ".csv.gz", ".tsv.gz", ".txt.gz", ".conll.gz",
    )  # fmt: skip


def test_folders_are_walked_recursively_in_sorted_order_keeping_supported_files(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    for name in [
        "b.jsonl", "a.csv", "m.NDJSON", "sub/z.txt", "sub/deeper/c.json.gz", "sub/y.tsv",
        "README.md", "notes.gz", "LICENSE", ".hidden.jsonl", ".git/objects/x.jsonl",
    ]:  # fmt: skip
        write(root / name, "{}\n")

    files, problems = expand_paths([root])

    assert files == [
        root / "a.csv",
        root / "b.jsonl",
        root / "m.NDJSON",
        root / "sub/deeper/c.json.gz",
        root / "sub/y.tsv",
        root / "sub/z.txt",
    ]
    assert problems == []


def test_named_files_are_taken_as_given_and_unknown_suffixes_are_problems(
    tmp_path: Path,
) -> None:
    docx = write(tmp_path / "report.docx", "x")
    bare = write(tmp_path / "README", "x")
    tarball = write(tmp_path / "dump.tar.gz", "x")
    hidden = write(tmp_path / ".articles.jsonl", "{}\n")
    data = write(tmp_path / "articles.jsonl", "{}\n")

    files, problems = expand_paths([docx, hidden, bare, data, tarball])

    assert files == [hidden, data]
    assert problems == [
        Problem(str(docx), "unsupported file type (.docx)" + UNSUPPORTED_TAIL),
        Problem(str(bare), "unsupported file type (no suffix)" + UNSUPPORTED_TAIL),
        Problem(str(tarball), "unsupported file type (.tar.gz)" + UNSUPPORTED_TAIL),
    ]


def test_a_missing_path_is_a_problem_and_the_other_paths_are_still_expanded(
    tmp_path: Path,
) -> None:
    data = write(tmp_path / "a.jsonl", "{}\n")
    missing = tmp_path / "nowhere" / "b.jsonl"

    files, problems = expand_paths([missing, data])

    assert files == [data]
    assert problems == [Problem(str(missing), "no such file or folder")]
    assert str(problems[0]) == f"{missing}: no such file or folder"


def test_an_unreadable_file_is_a_problem_with_the_system_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(tmp_path / "locked.jsonl", "{}\n")
    fine = write(tmp_path / "fine.jsonl", "{}\n")
    real_open = Path.open

    def refusing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refusing_open)

    files, problems = expand_paths([tmp_path])

    assert files == [fine]
    assert problems == [Problem(str(locked), "cannot read: Permission denied")]


def test_an_unreadable_folder_is_a_problem_with_the_system_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    write(locked / "a.jsonl", "{}\n")
    fine = write(tmp_path / "open" / "b.jsonl", "{}\n")
    real_scandir = os.scandir

    def refusing_scandir(path: os.PathLike[str]) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(paths.os, "scandir", refusing_scandir)

    files, problems = expand_paths([tmp_path])

    assert files == [fine]
    assert problems == [Problem(str(locked), "cannot read: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_a_problem(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.jsonl", "{}\n")
    locked.chmod(0)
    try:
        assert expand_paths([locked]) == (
            [],
            [Problem(str(locked), "cannot read: Permission denied")],
        )
    finally:
        locked.chmod(0o600)


def test_a_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    data = write(tmp_path / "a.jsonl", "{}\n")

    files, problems = expand_paths([data, tmp_path, data])

    assert files == [data]
    assert problems == []


def test_symlink_loops_are_walked_once_and_dead_links_only_matter_for_data_files(
    tmp_path: Path,
) -> None:
    data = write(tmp_path / "a.jsonl", "{}\n")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dead.jsonl").symlink_to(tmp_path / "gone.jsonl")
    (tmp_path / "dead.md").symlink_to(tmp_path / "gone.md")

    files, problems = expand_paths([tmp_path])

    assert files == [data]
    assert problems == [
        Problem(str(tmp_path / "dead.jsonl"), "cannot read: No such file or directory")
    ]


def test_a_named_pipe_or_a_device_is_refused_at_once_and_never_read(tmp_path: Path) -> None:
    import os

    from core.readers.paths import NOT_A_FILE

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)

    files, problems = expand_paths([fifo, Path("/dev/zero")])

    assert files == []
    assert problems == [Problem(str(fifo), NOT_A_FILE), Problem("/dev/zero", NOT_A_FILE)]


def test_a_gzip_bomb_is_stopped_after_a_bounded_amount_and_reported(tmp_path: Path) -> None:
    import zlib

    from core.readers.reading import MAX_RATIO, RATIO_FLOOR

    path = tmp_path / "bomb.jsonl.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = b"0" * (1 << 20)
    with path.open("wb") as fh:
        for _ in range(RATIO_FLOOR // len(zeros) * 2):
            fh.write(packer.compress(zeros))
        fh.write(packer.flush())

    items = list(read_file(path))

    assert path.stat().st_size * MAX_RATIO < RATIO_FLOOR  # a real bomb: ~1,000 times
    assert items[-1] == Problem(
        str(path),
        f"decompresses to more than {MAX_RATIO} times its size (a decompression bomb?);"
        " the rest of the file was not read",
    )
