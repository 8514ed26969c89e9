"""Time from launching the app to its first main window: the README's start-up figures.

    python packaging/measure_startup.py dist/Tandai/Tandai            # warm, 7 runs
    python packaging/measure_startup.py dist/Tandai/Tandai --cold     # drop page caches first
    python packaging/measure_startup.py .venv/bin/python main.py --first-start

The app runs with ``TANDAI_STARTUP_PROBE=1`` (see ``gui/startup_probe.py``): it prints the
wall-clock time at which the main window was exposed and painted, then quits. The figure is
that time minus the moment just before the process was started, so it includes the
bootloader, Python start, every import, opening the project and the first paint. ``--cold``
drops the page cache before each run (``/proc/sys/vm/drop_caches``, Linux, root), which is
what a first double-click after a reboot meets. Each run gets its own settings and data
folders holding a seeded sample project, so the first-start seeding is not measured.

``--first-start`` measures what a new user meets instead: fresh folders each run (no
annotator, no sample project yet), timed to the first dialog, the annotator's name, which
the probe reports before the main window; the process is then ended. The wall time, the
child's CPU time until it was ended (user + system, from ``getrusage``) and the load average
are printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def one_run(cmd: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Seconds to the first window; the process's whole CPU time (it quits at the window) is
    appended to ``cpu``."""
    before = _children_cpu()
    started = time.time()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    line = next((x for x in result.stdout.splitlines() if x.startswith("first-window ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"no first window reported:\n{result.stdout}\n{result.stderr}")
    if cpu is not None:
        cpu.append(_children_cpu() - before)
    return float(line.split()[1]) - started


def fresh_env(home: Path) -> dict[str, str]:
    """The app's data, settings and cache folders under ``home``, and the start-up probe on."""
    return dict(
        os.environ,
        TANDAI_STARTUP_PROBE="1",
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
    )


def prepared_env(home: Path) -> dict[str, str]:
    """Folders of a returning user: annotator known, sample project already seeded."""
    env = fresh_env(home)
    conf = home / "config" / "Tandai" / "Tandai.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("[annotator]\nname=measure\n", encoding="utf-8")
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_start_run(cmd: list[str], home: Path) -> tuple[float, float]:
    """Seconds from launch to the annotator dialog, in fresh folders: wall, and the CPU the
    process had used when it was ended there (a little after the dialog)."""
    env = fresh_env(home)
    cpu = _children_cpu()
    started = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    wall = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(("dialog ", "first-window ")):
                wall = float(line.split()[1]) - started
                break
    finally:
        proc.kill()
        proc.wait()
    if wall is None:
        raise SystemExit("the app ended before any window")
    return wall, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", nargs="+", help="the command, e.g. dist/Tandai/Tandai")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="drop page caches before each run")
    parser.add_argument(
        "--first-start", action="store_true", help="a new user: time to the annotator dialog"
    )
    args = parser.parse_args(argv)
    if args.first_start:
        runs = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="tandai-first-") as folder:
                runs.append(first_start_run(args.app, Path(folder)))
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"first start to the name dialog: wall median {statistics.median(walls):.3f} s "
            f"(min {min(walls):.3f}, max {max(walls):.3f}), CPU median "
            f"{statistics.median(cpus):.3f} s, over {len(runs)} runs "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
        return 0
    with tempfile.TemporaryDirectory(prefix="tandai-startup-") as folder:
        env = prepared_env(Path(folder))
        one_run(args.app, env)  # the first start seeds the sample project: not measured
        times: list[float] = []
        cpus: list[float] = []
        for _ in range(args.runs):
            if args.cold:
                drop_caches()
            times.append(one_run(args.app, env, cpus))
    kind = "cold" if args.cold else "warm"
    print(
        f"{kind}: median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
        f"max {max(times):.3f} s over {len(times)} runs; CPU of the whole run (to the window "
        f"and quitting) median {statistics.median(cpus):.3f} s "
        f"(platform {os.environ.get('QT_QPA_PLATFORM', 'default')}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
