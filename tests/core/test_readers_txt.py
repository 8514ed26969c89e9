"""Reading a .txt file: one article, title first, its text kept verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.readers import Problem, RawRecord
from tests.core.reader_helpers import ENCODING_HINT, read, write

# An Indonesian content-farm article laid out like the seed article: title, blank lines,
# body, then boilerplate lines that annotators must see exactly as scraped.
SEED_BODY = (
    "Semarang, Kabar Pesisir – Banjir rob setinggi 60 sentimeter merendam ratusan rumah di "
    "pesisir utara Semarang sejak Senin pagi.\n"
    "\n"
    "“Air naik sejak subuh, kami tidak sempat menyelamatkan barang,” kata Siti Aminah, warga "
    "Tambak Lorok, Senin (9/12/2024).\n"
    "\n"
    "Badan Penanggulangan Bencana Daerah mencatat 1.250 warga mengungsi ke balai kelurahan.\n"
    "\n"
    "(luc/luc)\n"
    "\n"
    "Saksikan video di bawah ini:\n"
    "\n"
    "Warga Bertahan di Atap Rumah Saat Rob Datang\n"
    "\n"
    "\n"
    "\n"
    "\n"
    "Next Article\n"
    "\n"
    "\n"
    "\n"
    "Tinggalkan komentar\n"
    "\n"
    "Optimized by Optimole"
)
SEED_TITLE = "Banjir Rob Rendam Pesisir Utara, Ribuan Warga Mengungsi"
SEED_FILE = f"{SEED_TITLE}\n\n\n\n\n{SEED_BODY}\n\n\n"


def test_a_txt_file_in_the_seed_article_layout_keeps_its_boilerplate_verbatim(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "seed.txt", SEED_FILE)

    assert read(path) == [RawRecord(str(path), {"title": SEED_TITLE, "text": SEED_BODY})]


def test_a_txt_file_with_leading_blank_lines_a_bom_and_windows_newlines_is_read(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.txt.gz",
        "\ufeff\r\n  \r\n  Judul  \r\n\r\n  isi menjorok\r\n\r\n\r\nakhir  \r\n \r\n",
    )

    assert read(path) == [
        RawRecord(str(path), {"title": "Judul", "text": "  isi menjorok\n\n\nakhir  "})
    ]


def test_a_txt_file_with_only_a_title_has_an_empty_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Judul saja\n")

    assert read(path) == [RawRecord(str(path), {"title": "Judul saja", "text": ""})]


@pytest.mark.parametrize("content", ["", "\n \n\t\n"])
def test_an_empty_txt_file_is_reported(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "a.txt", content)

    assert read(path) == [Problem(str(path), "empty file")]


def test_a_txt_file_with_a_latin1_byte_reports_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Judul\n\nisi\nna\xefve\n".encode("latin-1"))

    assert read(path) == [
        Problem(f"{path}:4", f"not valid UTF-8 (byte 0xef at column 3); {ENCODING_HINT}")
    ]
