"""Shared fixtures: fresh projects on real SQLite files, and on a real PostgreSQL server."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("TANDAI_TEST_PG_URL", "")


class _QtBlocker(importlib.abc.MetaPathFinder):
    """Makes Qt unimportable, so core/ and storage/ tests prove those layers need no Qt."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] in {"PySide6", "shiboken6"}:
            raise ImportError(
                f"{name} imported while Qt is blocked: core/ and storage/ must not use Qt"
            )


if os.environ.get("TANDAI_BLOCK_QT"):
    sys.meta_path.insert(0, _QtBlocker())

# Qt tests never open a window on the developer's screen: offscreen unless the caller chose
# a platform (set here, before pytest-qt makes the QApplication).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: pytest-qt's settings in pyproject.toml, declared here when the plugin is switched off
#: (core/ and storage/ run with ``-p no:pytest-qt``) so that --strict-config accepts them.
_PYTEST_QT_INI = {"qt_api": "string", "qt_default_raising": "bool"}


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if pluginmanager.is_blocked("pytest-qt") or pluginmanager.is_blocked("pytestqt"):
        for name, kind in _PYTEST_QT_INI.items():
            parser.addini(name, "pytest-qt setting (plugin switched off)", type=kind)


def _reset_postgres(url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
    finally:
        conn.close()


def postgres_url_or_skip() -> str:
    """The test server's URL, emptied first; a missing server skips, or fails under CI."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not PG_URL:
        reason = "no PostgreSQL server: set TANDAI_TEST_PG_URL (.ci/run starts one)"
        if in_ci:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    try:
        _reset_postgres(PG_URL)
    except Exception as exc:
        if in_ci:
            pytest.fail(f"PostgreSQL at TANDAI_TEST_PG_URL not usable: {exc}")
        pytest.skip(f"PostgreSQL at TANDAI_TEST_PG_URL not usable: {exc}")
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def project_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where to create a project: an SQLite file in tmp_path, or the emptied test database."""
    if request.param == "sqlite":
        return str(tmp_path / "test.tandai")
    return postgres_url_or_skip()


@pytest.fixture
def project(project_target: str) -> Iterator[object]:
    from storage import Project

    with Project.create(project_target) as proj:
        yield proj
