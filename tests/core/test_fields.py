"""Mapping raw records to articles: which field is the text, title, url, ... and what is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.fields import (
    DATE_KEYS,
    ID_KEYS,
    SOURCE_KEYS,
    TEXT_KEYS,
    TITLE_KEYS,
    URL_KEYS,
    parse_field_options,
    to_article,
)
from core.models import NewArticle
from core.readers import Problem, RawRecord, read_file

NO_TEXT = "no text (looked for text, content, body, maintext, article)"
# Emoji with a ZWJ sequence, a CJK Extension B character (two UTF-16 units) and Arabic.
UNICODE_TEXT = "Halo 👩‍💻 dunia 🇮🇩\n𠮷野家 の 牛丼\nمرحبا بالعالم\u200f — selesai"


def article(fields: dict[str, object], **options: object) -> NewArticle | Problem:
    return to_article(RawRecord("data.jsonl:7", fields), **options)  # type: ignore[arg-type]


# ---- parse_field_options -----------------------------------------------------------------


def test_field_options_become_a_map_from_target_to_record_key() -> None:
    assert parse_field_options(["text=body", " Title = Judul Berita ", "id=_id"]) == {
        "text": "body",
        "title": "Judul Berita",
        "id": "_id",
    }


def test_no_field_options_give_an_empty_map() -> None:
    assert parse_field_options([]) == {}


@pytest.mark.parametrize("option", ["textbody", "=body", "text=", " = "])
def test_a_field_option_without_target_and_key_is_refused_with_an_example(option: str) -> None:
    with pytest.raises(ValueError, match="--field expects") as caught:
        parse_field_options([option])

    assert str(caught.value) == f"--field expects TARGET=KEY, for example text=body; got {option!r}"


def test_a_field_option_with_an_unknown_target_names_the_targets() -> None:
    with pytest.raises(ValueError, match="unknown target") as caught:
        parse_field_options(["body=text"])

    assert str(caught.value) == (
        "--field 'body=text': unknown target 'body'; use one of text, title, url, date, source, id"
    )


def test_a_target_given_twice_with_different_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="given twice") as caught:
        parse_field_options(["text=body", "text=isi"])

    assert str(caught.value) == "--field text is given twice: 'body' and 'isi'"
    assert parse_field_options(["text=body", "TEXT=body"]) == {"text": "body"}


# ---- automatic mapping -------------------------------------------------------------------


@pytest.mark.parametrize("key", TEXT_KEYS)
def test_every_usual_text_key_is_found(key: str) -> None:
    result = article({key: "Isi berita.", "lang": "id"})

    assert result == NewArticle(text="Isi berita.", meta={"lang": "id"}, origin="data.jsonl:7")


@pytest.mark.parametrize(
    ("keys", "attribute"),
    [
        (TITLE_KEYS, "title"),
        (URL_KEYS, "url"),
        (DATE_KEYS, "published"),
        (SOURCE_KEYS, "source"),
        (ID_KEYS, "external_id"),
    ],
)
def test_every_usual_metadata_key_is_found(keys: tuple[str, ...], attribute: str) -> None:
    for key in keys:
        result = article({"text": "isi", key: " nilai "})

        assert isinstance(result, NewArticle), key
        assert getattr(result, attribute) == "nilai", key
        assert result.meta == {}, key


def test_the_usual_keys_list_the_names_of_common_scrapers() -> None:
    assert TEXT_KEYS == ("text", "content", "body", "maintext", "article")
    assert TITLE_KEYS == ("title", "headline")
    assert URL_KEYS == ("url", "link")
    assert DATE_KEYS == ("date", "published", "date_publish", "publish_date", "pubdate")
    assert SOURCE_KEYS == ("source", "site", "domain", "source_domain")
    assert ID_KEYS == ("id", "_id", "guid")


def test_keys_match_whatever_their_case() -> None:
    result = article({"TEXT": "isi", "Headline": "Judul", "URL": "https://x.id/a", "Id": 5})

    assert result == NewArticle(
        text="isi", title="Judul", url="https://x.id/a", external_id="5", origin="data.jsonl:7"
    )


def test_the_first_usual_key_wins_and_the_others_stay_in_meta() -> None:
    result = article({"body": "tubuh", "text": "teks", "headline": "H", "title": "T"})

    assert isinstance(result, NewArticle)
    assert (result.text, result.title) == ("teks", "T")
    assert result.meta == {"body": "tubuh", "headline": "H"}


def test_empty_usual_fields_are_passed_over_as_news_please_writes_them() -> None:
    record = {
        "title": "Judul",
        "text": None,
        "description": "ringkas",
        "maintext": "Isi utama.",
        "date_publish": "2024-12-18 10:00:00",
        "source_domain": "www.cnbcindonesia.com",
        "date": "",
        "source": None,
    }

    result = article(record)

    assert result == NewArticle(
        text="Isi utama.",
        title="Judul",
        published="2024-12-18 10:00:00",
        source="www.cnbcindonesia.com",
        meta={"text": None, "description": "ringkas", "date": "", "source": None},
        origin="data.jsonl:7",
    )


def test_a_metadata_field_that_is_not_a_plain_value_is_passed_over_and_kept_in_meta() -> None:
    result = article({"text": "isi", "source": {"id": "cnn", "name": "CNN"}, "site": "cnn.com"})

    assert isinstance(result, NewArticle)
    assert result.source == "cnn.com"
    assert result.meta == {"source": {"id": "cnn", "name": "CNN"}}


# ---- explicit mapping --------------------------------------------------------------------


def test_an_explicit_field_map_wins_over_the_usual_keys() -> None:
    fields = {"text": "ringkasan", "isi": "Isi lengkap.", "title": "T", "judul": "Judul"}

    result = article(fields, field_map=parse_field_options(["text=isi", "title=Judul"]))

    assert result == NewArticle(
        text="Isi lengkap.",
        title="Judul",
        meta={"text": "ringkasan", "title": "T"},
        origin="data.jsonl:7",
    )


def test_an_explicit_key_missing_from_a_record_is_a_problem() -> None:
    assert article({"text": "isi"}, field_map={"text": "body"}) == Problem(
        "data.jsonl:7", "no field 'body' (mapped to text)"
    )
    assert article({"text": "isi"}, field_map={"date": "tanggal"}) == Problem(
        "data.jsonl:7", "no field 'tanggal' (mapped to date)"
    )


def test_an_explicit_key_holding_a_structure_for_a_metadata_target_is_a_problem() -> None:
    assert article({"text": "isi", "src": {"name": "CNN"}}, field_map={"source": "src"}) == (
        Problem("data.jsonl:7", "field 'src' is an object, not text (mapped to source)")
    )


def test_an_explicit_key_that_is_empty_gives_an_empty_attribute_or_no_text() -> None:
    assert article({"isi": "   "}, field_map={"text": "isi"}) == Problem(
        "data.jsonl:7", "no text (field 'isi' is empty)"
    )
    result = article({"text": "isi", "judul": None}, field_map={"title": "judul"})
    assert result == NewArticle(text="isi", origin="data.jsonl:7")


def test_an_unknown_target_in_a_field_map_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown field target"):
        article({"text": "isi"}, field_map={"body": "text"})


def test_field_options_map_a_csv_with_its_own_column_names(tmp_path: Path) -> None:
    path = tmp_path / "berita.csv"
    path.write_text("no,judul,isi,tautan\n1,Judul Satu,Isi satu.,https://x.id/1\n")
    field_map = parse_field_options(["text=isi", "title=judul", "url=tautan", "id=no"])

    results = [to_article(item, field_map=field_map) for item in read_file(path)]  # type: ignore[arg-type]

    assert results == [
        NewArticle(
            text="Isi satu.",
            title="Judul Satu",
            url="https://x.id/1",
            external_id="1",
            origin=f"{path}:2",
        )
    ]


# ---- the text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{"title": "Judul saja"}, {"text": ""}, {"text": " \n\t "}, {"content": None}, {"body": []}],
)
def test_a_record_without_text_is_a_problem_naming_the_keys_looked_for(
    fields: dict[str, object],
) -> None:
    assert article(fields) == Problem("data.jsonl:7", NO_TEXT)
    assert str(article(fields)) == f"data.jsonl:7: {NO_TEXT}"


def test_a_text_that_is_only_a_bom_and_nul_characters_is_no_text() -> None:
    assert article({"text": "\ufeff\x00\x00"}) == Problem(
        "data.jsonl:7", "no text (field 'text' is empty)"
    )


@pytest.mark.parametrize(
    ("value", "kind"),
    [(42, "a number"), (4.2, "a number"), (True, "a boolean"), ({"p": "x"}, "an object")],
)
def test_a_text_field_that_is_not_text_is_a_problem(value: object, kind: str) -> None:
    assert article({"text": value}) == Problem("data.jsonl:7", f"field 'text' is {kind}, not text")


def test_a_list_of_paragraphs_is_joined_with_blank_lines() -> None:
    result = article({"content": ["Paragraf satu.", "Paragraf dua.", "(luc/luc)"]})

    assert isinstance(result, NewArticle)
    assert result.text == "Paragraf satu.\n\nParagraf dua.\n\n(luc/luc)"


def test_a_list_holding_something_other_than_text_is_a_problem() -> None:
    assert article({"content": ["Paragraf.", 3]}) == Problem(
        "data.jsonl:7", "field 'content' is a list holding a number, not text"
    )


def test_the_text_is_normalised_and_otherwise_kept_exactly() -> None:
    raw = "\ufeff  Baris satu\r\nBaris\x00 dua\rBaris tiga\n\n\n\tmenjorok  \n\n"

    result = article({"text": raw})

    assert isinstance(result, NewArticle)
    assert result.text == "  Baris satu\nBaris dua\nBaris tiga\n\n\n\tmenjorok  \n\n"


def test_emoji_cjk_extension_b_and_arabic_texts_are_kept_exactly() -> None:
    result = article({"text": UNICODE_TEXT, "title": "𠮷 👩‍💻 مرحبا"})

    assert isinstance(result, NewArticle)
    assert result.text == UNICODE_TEXT
    assert result.title == "𠮷 👩‍💻 مرحبا"
    assert result.text.index("𠮷") == 18  # code points; in UTF-16 units it would be 22


def test_a_text_over_the_limit_is_refused_and_accepted_with_the_limit_raised() -> None:
    text = "a" * 1_000_001

    assert article({"text": "a" * 1_000_000}) == NewArticle(
        text="a" * 1_000_000, origin="data.jsonl:7"
    )
    assert article({"text": text}) == Problem(
        "data.jsonl:7",
        "text has 1,000,001 characters, more than the limit of 1,000,000"
        " (raise it with --max-chars)",
    )
    assert article({"text": "abcdef"}, max_chars=5) == Problem(
        "data.jsonl:7",
        "text has 6 characters, more than the limit of 5 (raise it with --max-chars)",
    )


def test_a_10_mb_article_is_read_then_refused_by_default_and_taken_with_a_raised_limit(
    tmp_path: Path,
) -> None:
    body = "x" * (10 * 1024 * 1024)
    path = tmp_path / "besar.jsonl"
    path.write_text(json.dumps({"title": "Besar", "text": body}) + "\n")

    (record,) = read_file(path)

    assert isinstance(record, RawRecord)
    assert len(record.fields["text"]) == 10_485_760
    assert to_article(record) == Problem(
        f"{path}:1",
        "text has 10,485,760 characters, more than the limit of 1,000,000"
        " (raise it with --max-chars)",
    )
    taken = to_article(record, max_chars=20_000_000)
    assert isinstance(taken, NewArticle)
    assert (taken.title, taken.text == body) == ("Besar", True)


# ---- metadata and meta -------------------------------------------------------------------


def test_metadata_becomes_one_stripped_line_and_numbers_become_strings() -> None:
    result = article(
        {
            "text": "isi",
            "title": "  Aliansi Putin-Kim\r\n  Jong Un\t\tdi   Kursk ",
            "id": 17,
            "url": " https://x.id/a \n",
            "date": 20241218,
            "source": "\ufeffkabarberita.id",
        }
    )

    assert result == NewArticle(
        text="isi",
        title="Aliansi Putin-Kim Jong Un di Kursk",
        url="https://x.id/a",
        published="20241218",
        source="kabarberita.id",
        external_id="17",
        origin="data.jsonl:7",
    )


def test_missing_metadata_is_empty() -> None:
    result = article({"text": "isi"})

    assert result == NewArticle(
        text="isi", title="", url="", source="", published="", external_id="", meta={},
        origin="data.jsonl:7",
    )  # fmt: skip


def test_every_other_field_is_kept_unchanged_in_meta() -> None:
    tags = ["politik", "rusia"]
    author = {"name": "luc", "desk": "internasional"}

    result = article(
        {"text": "isi", "lang": "id", "author": author, "tags": tags, "score": 0.5, "x": None}
    )

    assert isinstance(result, NewArticle)
    assert result.meta == {"lang": "id", "author": author, "tags": tags, "score": 0.5, "x": None}
    assert result.meta["tags"] is tags
    assert result.origin == "data.jsonl:7"


def test_the_seed_article_layout_becomes_an_article_with_its_boilerplate(tmp_path: Path) -> None:
    body = (
        "Jakarta, Kabar Nusantara – Harga cabai rawit di Pasar Induk naik dua kali lipat.\n"
        "\n\n"
        "(luc/luc)\n\nSaksikan video di bawah ini:\n\n\n\nNext Article\n\n"
        "Tinggalkan komentar\n\nOptimized by Optimole"
    )
    path = tmp_path / "berita.txt"
    path.write_text(f"Harga Cabai Melonjak Jelang Natal\n\n\n{body}\n\n")

    (record,) = read_file(path)

    assert to_article(record) == NewArticle(  # type: ignore[arg-type]
        text=body, title="Harga Cabai Melonjak Jelang Natal", origin=str(path)
    )
