"""Build the app for this OS with PyInstaller: ``make package`` runs this.

    python packaging/build.py              # one folder: dist/Tandai/ (+ dist/Tandai.app on macOS)
    python packaging/build.py --onefile    # one file:   dist/Tandai (Tandai.exe on Windows)
    python packaging/build.py --check      # then run the built app's --self-test

It prints where the app is and how big it is. A script rather than shell, so that the same
command works in the release workflow on Linux, Windows and macOS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "tandai.spec"
NAME = "Tandai"


def executable(dist: Path, *, onefile: bool = False) -> Path:
    """The built program: what a user double-clicks (inside the .app on macOS)."""
    suffix = ".exe" if sys.platform == "win32" else ""
    if onefile:
        return dist / f"{NAME}{suffix}"
    if sys.platform == "darwin" and (dist / f"{NAME}.app").exists():
        return dist / f"{NAME}.app" / "Contents" / "MacOS" / NAME
    return dist / NAME / f"{NAME}{suffix}"


def folder_size(path: Path) -> int:
    """Bytes on disk of the files in ``path`` (symbolic links count once, as links)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def build(*, dist: Path, work: Path, onefile: bool = False, clean: bool = False) -> Path:
    """Run PyInstaller on the spec; return the built executable."""
    env = dict(os.environ, TANDAI_ONEFILE="1" if onefile else "0")
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={dist}",
        f"--workpath={work}",
        *(["--clean"] if clean else []),
        str(SPEC),
    ]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    exe = executable(dist, onefile=onefile)
    if not exe.exists():
        raise SystemExit(f"PyInstaller finished but {exe} is missing")
    if sys.platform.startswith("linux") and not onefile:
        # Beside the executable: registers the app and *.tandai with the desktop, on request.
        shutil.copy2(ROOT / "packaging" / "linux" / "install-desktop-entry.sh", exe.parent)
    return exe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onefile", action="store_true", help="one self-unpacking file")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--check", action="store_true", help="run the built app's --self-test")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    exe = build(dist=args.dist, work=args.work, onefile=args.onefile, clean=args.clean)
    bundle = exe if args.onefile else args.dist / NAME
    size = folder_size(bundle) / 1_000_000
    print(f"built {exe} in {time.perf_counter() - started:.0f} s; {bundle}: {size:.1f} MB")
    if args.check:
        return subprocess.run([str(exe), "--self-test"], check=False).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
