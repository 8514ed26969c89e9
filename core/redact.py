"""Passwords never leave the process: one place that masks them in anything shown or stored.

A PostgreSQL URL may carry a password (``postgresql://annot:S3cret@host/db``, or
``?password=S3cret``). Every message, log line, dataset card and settings entry that could
hold a URL goes through :func:`mask_secrets` (any text) or :func:`mask_url` (one URL), so a
password typed once on the command line is used to connect and never seen again.
Without a password in the URL, libpq reads ``PGPASSWORD`` and ``~/.pgpass`` itself.
"""

from __future__ import annotations

import re

MASK = "***"
_SCHEMES = ("postgresql://", "postgres://")
# user:password@ in the authority part. The password runs to the last "@" before the path
# (an unescaped "@" in a password is common enough) and never crosses white space.
_USERINFO = re.compile(r"(?P<head>postgres(?:ql)?://[^\s:/@]*:)(?P<secret>[^\s/]*)(?P<at>@)")
# ?password=… in a URL, and password=… in a libpq "key=value" connection string.
_QUERY = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>[^&\s#)'\"]*)", re.IGNORECASE)


def is_postgres_url(target: str) -> bool:
    return target.startswith(_SCHEMES)


def mask_secrets(text: str) -> str:
    """``text`` with the password of every PostgreSQL URL in it replaced by ``***``."""
    if "postgres" not in text.lower() and "password=" not in text.lower():
        return text
    text = _USERINFO.sub(lambda m: f"{m['head']}{MASK}{m['at']}", text)
    return _QUERY.sub(lambda m: f"{m['head']}{MASK}", text)


def mask_url(url: str) -> str:
    """One URL with its password masked (a path or a URL without password: unchanged)."""
    return mask_secrets(url)


def strip_password(url: str) -> str:
    """A URL that can be opened again without its password (libpq then reads
    ``PGPASSWORD`` or ``~/.pgpass``): for lists of recent projects and the like."""
    if not is_postgres_url(url):
        return url
    url = _USERINFO.sub(lambda m: f"{m['head'][:-1]}{m['at']}", url)
    base, _, query = url.partition("?")
    kept = [p for p in query.split("&") if p and not p.lower().startswith("password=")]
    return f"{base}?{'&'.join(kept)}" if kept else base


def has_password(url: str) -> bool:
    return bool(_USERINFO.search(url) or _QUERY.search(url))
