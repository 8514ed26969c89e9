"""Passwords in PostgreSQL URLs are masked wherever text leaves the process."""

from __future__ import annotations

import pytest

from core.redact import has_password, mask_secrets, strip_password


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "postgresql://annot:S3cretPW@db.example:5432/news",
            "postgresql://annot:***@db.example:5432/news",
        ),
        ("postgres://a:p%40ss@h/d", "postgres://a:***@h/d"),
        ("postgresql://a:p@ss@h/d", "postgresql://a:***@h/d"),
        (
            "postgresql://h/d?user=a&password=S3cret&sslmode=require",
            "postgresql://h/d?user=a&password=***&sslmode=require",
        ),
        (
            "tandai export postgresql://u:pw@h/d out --format spans",
            "tandai export postgresql://u:***@h/d out --format spans",
        ),
        (
            "argument COMMAND: invalid choice: 'postgresql://u:pw@h/d'",
            "argument COMMAND: invalid choice: 'postgresql://u:***@h/d'",
        ),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
        ("/home/a:b@c/x.tandai", "/home/a:b@c/x.tandai"),
    ],
)
def test_a_password_is_masked_and_nothing_else_changes(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked
    assert "S3cret" not in mask_secrets(text)


def test_a_url_without_its_password_can_be_opened_again_through_pgpass() -> None:
    assert strip_password("postgresql://annot:S3cret@h:5432/db") == "postgresql://annot@h:5432/db"
    assert strip_password("postgresql://h/db?password=S3cret") == "postgresql://h/db"
    assert strip_password("postgresql://h/db?password=S3cret&sslmode=require") == (
        "postgresql://h/db?sslmode=require"
    )
    assert strip_password("/x/y.tandai") == "/x/y.tandai"
    assert has_password("postgresql://a:b@h/d") and not has_password("postgresql://a@h/d")
