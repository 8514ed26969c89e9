"""The packaged app works: build it with PyInstaller and run the built executable.

Marked ``package`` (a build takes ~20 s here): ``make test`` and CI run it; skip it locally
with ``-m "not package"``. One build serves every test of the module.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from gui.annotator_dialog import SETTINGS_KEY as ANNOTATOR_KEY
from resources import resource_path

ROOT = Path(__file__).resolve().parents[2]


def _load_build_script() -> ModuleType:
    """packaging/build.py, loaded by path (packaging/ is no package, and ``build`` is a
    common module name)."""
    spec = importlib.util.spec_from_file_location("tandai_build", ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


packaging_build = _load_build_script()

SIZE_GOAL_MB = 130  # README: the one-folder build on Linux


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-folder build's executable, built fresh into a temporary folder."""
    base = tmp_path_factory.mktemp("package")
    return packaging_build.build(dist=base / "dist", work=base / "work")


def app_env(home: Path) -> dict[str, str]:
    """No display, and the user's folders inside ``home`` (never the real profile)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return env


def known_annotator(home: Path) -> None:
    """The annotator's name is asked once (gui/annotator_dialog.py); store it as after that
    first answer, so no dialog waits for a person."""
    conf = home / "config" / "Tandai" / "Tandai.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    section, key = ANNOTATOR_KEY.split("/")
    conf.write_text(f"[{section}]\n{key}=ani\n", encoding="utf-8")


@pytest.mark.package
def test_built_app_passes_its_self_test_without_a_display(built: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(built), "--self-test"],
        env=app_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test (packaged)" in result.stdout
    steps = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert steps and all(" ... ok (" in line for line in steps), result.stdout
    # Qt's plugins came from inside the bundle, not from some Qt on the machine.
    plugins = re.search(r"plugins in (.+)\)$", result.stdout, re.MULTILINE)
    assert plugins and Path(plugins.group(1)).resolve().is_relative_to(built.parent.resolve())
    assert " present (plugins in " in result.stdout  # the native platform plugin came along


@pytest.mark.package
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_first_start_from_the_bundle_seeds_the_sample_in_the_data_folder_and_shows_it(
    built: Path, tmp_path: Path
) -> None:
    env = dict(app_env(tmp_path), QT_QPA_PLATFORM="offscreen", TANDAI_STARTUP_PROBE="1")
    # The data folder is empty, so this is the first start that seeds the sample.
    known_annotator(tmp_path)
    titles = []
    for _ in range(2):  # the first start seeds the sample; the second reopens it
        started = time.time()
        result = subprocess.run([str(built)], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        line = next(x for x in result.stdout.splitlines() if x.startswith("first-window "))
        assert " main=1 " in line, line
        assert float(line.split()[1]) > started
        titles.append(re.search(r"title='(.*?)'", line).group(1))
    sample = tmp_path / "data" / "Tandai" / "Tandai" / "sample.tandai"
    assert sample.exists()
    assert titles[0] == titles[1] and titles[0].endswith(str(sample))
    assert not any(built.parent.rglob("*.tandai")), "a project was written into the bundle"


@pytest.mark.package
def test_a_project_file_named_on_the_command_line_opens_in_the_window(
    built: Path, tmp_path: Path
) -> None:
    """How a double-clicked ``.tandai`` arrives once the OS associates it with the app."""
    project = tmp_path / "mine.tandai"
    env = app_env(tmp_path)
    created = subprocess.run(
        [str(built), "import", "--quiet", str(project), str(resource_path("sample"))],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    known_annotator(tmp_path)

    env.update(QT_QPA_PLATFORM="offscreen", TANDAI_STARTUP_PROBE="1")
    shown = subprocess.run(
        [str(built), str(project)], env=env, capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    line = next(x for x in shown.stdout.splitlines() if x.startswith("first-window "))
    assert str(project) in line
    assert not (tmp_path / "data" / "Tandai" / "Tandai" / "sample.tandai").exists()


@pytest.mark.package
def test_bundle_imports_a_large_file_detecting_languages_in_worker_processes(
    built: Path, tmp_path: Path
) -> None:
    """Past 1,500 articles language detection spawns processes: in a bundle each one is the
    frozen executable started again, which only works through ``freeze_support``."""
    records = [
        json.loads(line)
        for line in resource_path("sample", "articles.jsonl").read_text("utf-8").splitlines()
    ]
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as out:
        for i in range(1600):
            record = dict(records[i % len(records)], id=f"big-{i}")
            record["text"] += f"\n\n{i}"  # unique texts: duplicates would be skipped
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    project = tmp_path / "big.tandai"
    env = app_env(tmp_path)

    imported = subprocess.run(
        [str(built), "import", "--quiet", str(project), str(big)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "1,600 imported" in imported.stdout
    stats = subprocess.run(
        [str(built), "stats", str(project)], env=env, capture_output=True, text=True, timeout=60
    )
    assert "1,600 articles" in stats.stdout
    assert "pending" not in stats.stdout
    assert re.search(r"^\s+id\s+\d{3}$", stats.stdout, re.MULTILINE), stats.stdout


@pytest.mark.package
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop.org is Linux's")
def test_desktop_entry_script_registers_the_app_and_tandai_files_for_the_user(
    built: Path, tmp_path: Path
) -> None:
    env = dict(app_env(tmp_path), PATH="/usr/bin:/bin")
    script = built.parent / "install-desktop-entry.sh"
    result = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    entry = (tmp_path / "data" / "applications" / "tandai.desktop").read_text("utf-8")
    assert f'Exec="{built}" %f' in entry
    icon = re.search(r"^Icon=(.+)$", entry, re.MULTILINE).group(1)
    assert Path(icon).is_file()
    mime = (tmp_path / "data" / "mime" / "packages" / "tandai.xml").read_text("utf-8")
    assert '<glob pattern="*.tandai"/>' in mime


@pytest.mark.package
def test_bundle_leaves_out_the_qt_modules_and_translations_the_app_does_not_use(
    built: Path,
) -> None:
    names = [p.relative_to(built.parent).as_posix() for p in built.parent.rglob("*")]
    unwanted = re.compile(r"Qt6?(WebEngine|Qml|Quick|3D|Multimedia|Network|Pdf|Designer)|qtbase_")
    assert [n for n in names if unwanted.search(n)] == []
    assert not any("/translations/" in n for n in names)
    assert any(n.endswith("langdetect/profiles/id") for n in names), "langdetect profiles"
    assert any(n.endswith("resources/sample/articles.jsonl") for n in names)


@pytest.mark.package
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the size goal is Linux's")
def test_one_folder_build_stays_within_the_size_goal(built: Path) -> None:
    size_mb = packaging_build.folder_size(built.parent) / 1_000_000
    assert size_mb <= SIZE_GOAL_MB, f"dist/Tandai is {size_mb:.1f} MB (goal {SIZE_GOAL_MB})"


def uses_meipass(path: Path) -> bool:
    """``sys._MEIPASS`` or ``getattr(sys, "_MEIPASS")`` in code (docstrings may name it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        (isinstance(node, ast.Attribute) and node.attr == "_MEIPASS")
        or (isinstance(node, ast.Constant) and node.value == "_MEIPASS")
        for node in ast.walk(tree)
    )


def test_no_code_looks_for_bundled_files_through_sys_meipass() -> None:
    """Resources are found by resources.resource_path() alone, in a checkout and a bundle."""
    offenders = [
        p.relative_to(ROOT).as_posix()
        for folder in ("core", "storage", "gui", "cli", "resources")
        for p in (ROOT / folder).rglob("*.py")
        if uses_meipass(p)
    ]
    assert offenders == []
