"""Small made-up articles with known entities, for the learning tests (core and storage).

Sentences from templates with names drawn from short lists: a model that learned anything
finds the names of held-out articles, including names it never saw, by their context.
"""

from __future__ import annotations

import random

PEOPLE = [
    "Budi Santoso",
    "Maria Lopez",
    "Ahmad Yusuf",
    "Sarah Chen",
    "Rina Wijaya",
    "Tom Berg",
    "Dewi Lestari",
    "Omar Haddad",
    "Lena Fischer",
    "Joko Prasetyo",
    "Anna Kowalska",
]
PLACES = [
    "Jakarta",
    "Surabaya",
    "Bandung",
    "Medan",
    "Makassar",
    "Semarang",
    "Denpasar",
    "Padang",
    "Malang",
    "Bogor",
]
TEMPLATES = [
    "Menteri {P} tiba di {L} pada hari Senin.",
    "Kemarin {P} berbicara kepada wartawan di {L}.",
    "Warga {L} menyambut kedatangan {P} dengan meriah.",
    "Gubernur {P} meresmikan jembatan baru di {L}.",
    "Dalam kunjungan ke {L}, {P} berjanji memperbaiki jalan.",
]
FILLER = [
    "Harga beras naik sedikit minggu ini.",
    "Cuaca diperkirakan cerah sepanjang hari.",
    "Pertandingan ditunda karena hujan deras.",
]


def made_up_article(rnd: random.Random) -> tuple[str, list[tuple[str, int, int]]]:
    """A text of a few lines and its PER / GPE spans ``(label, start, end)``."""
    text = ""
    spans: list[tuple[str, int, int]] = []
    for n in range(3):
        template = rnd.choice(TEMPLATES)
        person, place = rnd.choice(PEOPLE), rnd.choice(PLACES)
        line = ""
        parts = template.replace("{L}", "\0L\0").replace("{P}", "\0P\0").split("\0")
        for part in parts:
            base = len(text) + len(line)
            if part == "P":
                spans.append(("PER", base, base + len(person)))
                line += person
            elif part == "L":
                spans.append(("GPE", base, base + len(place)))
                line += place
            else:
                line += part
        text += line + "\n"
        if n == 1:
            text += rnd.choice(FILLER) + "\n"
    return text.rstrip("\n"), spans
