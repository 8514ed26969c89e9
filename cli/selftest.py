"""``Tandai --self-test``: the whole path a user takes, run inside the build, with no display.

It proves on every change that a packaged app works: the bundled resources are found, the
language profiles load, the project file is written and read back, labels survive a re-open,
the exports run, and the Qt platform plugins are in the bundle. Each step is a small function
with a name that is printed, so a failure says exactly where the build is broken. Exit status
0 means every step passed.

It uses the same ``storage.Project`` operations the GUI calls. The one step that needs Qt,
showing the main window, is handed in by ``main.py`` as ``show_window`` (cli/ never imports
gui/); without it that step fails and says so.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from core.edits import stance_key
from core.models import Article
from core.query import ArticleFilter
from core.version import __version__
from resources import resource_path
from storage import Project

ANNOTATOR = "self-test"
#: Languages the bundled sample must come out as (langdetect's profiles are in the bundle).
EXPECTED_LANGS = {"id", "en", "ar"}


class ShowWindow(Protocol):
    """Shows the main window on ``project`` offscreen, closes it, and describes what ran."""

    def __call__(self, project: Project, *, annotator: str) -> str: ...


class SelfTestFailure(Exception):
    """A check did not hold; the message says what was expected and what was found."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


@dataclass
class Context:
    """What the steps hand on to each other."""

    folder: Path
    path: Path = field(init=False)
    project: Project | None = None
    article: Article | None = None
    expected_spans: set[tuple[str, str, int, int]] = field(default_factory=set)
    expected_doc: dict[str, str] = field(default_factory=dict)
    langs: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    show_window: ShowWindow | None = None

    def __post_init__(self) -> None:
        self.path = self.folder / "selftest.tandai"

    @property
    def open_project(self) -> Project:
        check(self.project is not None, "no open project (an earlier step failed)")
        assert self.project is not None
        return self.project


# ---- the steps ------------------------------------------------------------------------------


def create_project(ctx: Context) -> str:
    ctx.project = Project.create(ctx.path)
    check(ctx.path.exists(), f"project file {ctx.path} was not written")
    return str(ctx.path)


def import_sample(ctx: Context) -> str:
    sample = resource_path("sample", "articles.jsonl")
    report = ctx.open_project.imports.import_files([sample])
    problems = getattr(report, "problems", None)
    check(report.imported > 0, f"nothing imported from {sample}")
    check(not problems, f"import reported problems: {problems}")
    ctx.articles = ctx.open_project.count_articles()
    check(ctx.articles == report.imported, f"{report.imported} imported but {ctx.articles} stored")
    return f"{ctx.articles} articles from {sample.name}"


def detect_languages(ctx: Context) -> str:
    ctx.langs = ctx.open_project.stats().by_lang
    check("pending" not in ctx.langs, f"languages left undetected: {ctx.langs}")
    missing = EXPECTED_LANGS - set(ctx.langs)
    check(not missing, f"languages {sorted(missing)} not detected; found {ctx.langs}")
    return ", ".join(f"{lang} {n}" for lang, n in sorted(ctx.langs.items()))


def _indonesian_article(project: Project) -> Article:
    first = project.list_articles(ArticleFilter(langs=("id",)), limit=1)
    check(first, "no article detected as Indonesian (id)")
    return project.article(first[0].id)


def _first_word(text: str) -> tuple[int, int]:
    start = next(i for i, ch in enumerate(text) if ch.isalpha())
    end = start
    while end < len(text) and text[end].isalpha():
        end += 1
    return start, end


def _last_line(text: str) -> tuple[int, int]:
    """The last non-empty line: where scraped boilerplate ("Tinggalkan komentar") sits."""
    stripped = text.rstrip()
    start = stripped.rfind("\n") + 1
    return start, len(stripped)


def add_labels(ctx: Context) -> str:
    project = ctx.open_project
    article = ctx.article = _indonesian_article(project)
    schema = project.schema()
    check(schema.entity_labels, "the default schema has no entity labels")
    check(schema.stance_targets, "the default schema has no stance target")
    entity = schema.entity_labels[0].name
    start, end = _first_word(article.text)
    project.labels.add_span(
        article.id, annotator=ANNOTATOR, layer="entity", label=entity, start=start, end=end
    )
    kind = schema.default_boilerplate_kind
    b_start, b_end = _last_line(article.text)
    project.labels.add_span(
        article.id, annotator=ANNOTATOR, layer="boilerplate", label=kind, start=b_start, end=b_end
    )
    target = schema.stance_targets[0]
    key, value = stance_key(target.name), target.options[0].value
    project.labels.set_doc_label(article.id, annotator=ANNOTATOR, key=key, value=value)
    project.labels.set_status(article.id, annotator=ANNOTATOR, status="done")
    ctx.expected_spans = {("entity", entity, start, end), ("boilerplate", kind, b_start, b_end)}
    ctx.expected_doc = {key: value}
    return (
        f"article {article.id}: {entity} {article.text[start:end]!r}, "
        f"boilerplate {article.text[b_start:b_end]!r}, {key}={value}"
    )


def _json_lines(path: Path) -> list[dict]:
    check(path.exists(), f"{path} was not written")
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _check_export_content(fmt: str, lines: list[dict], ctx: Context) -> None:
    """The labels just added must be in the spans and stance exports, exactly."""
    if fmt == "spans":
        got = {(s["layer"], s["label"], s["start"], s["end"]) for s in lines[0].get("spans", [])}
        check(got == ctx.expected_spans, f"spans export has {got}, expected {ctx.expected_spans}")
    elif fmt == "stance":
        stances = {(stance_key(line["target"]), line["label"]) for line in lines}
        check(stances == set(ctx.expected_doc.items()), f"stance export has {stances}")


def export_formats(ctx: Context) -> str:
    """Every JSONL format, through the same call as ``tandai export``, into the temp folder."""
    from core.export.records import JSONL_FORMATS, ExportOptions

    counts = []
    for fmt in JSONL_FORMATS:
        out = ctx.folder / "export" / fmt
        summary = ctx.open_project.exports.export_dataset(out, ExportOptions(format=fmt))
        lines = _json_lines(out / "data.jsonl")
        check(lines, f"{fmt}: data.jsonl is empty (the labelled article is done, so it belongs)")
        check(summary.articles >= 1, f"{fmt}: the summary counts {summary.articles} articles")
        _check_export_content(fmt, lines, ctx)
        counts.append(f"{fmt} {len(lines)}")
    return ", ".join(counts) + " lines"


def reopen_project(ctx: Context) -> str:
    ctx.open_project.close()
    ctx.project = Project.open(ctx.path)
    project = ctx.open_project
    check(project.count_articles() == ctx.articles, "article count changed after re-opening")
    check(project.stats().by_lang == ctx.langs, "languages changed after re-opening")
    assert ctx.article is not None
    spans = {(s.layer, s.label, s.start, s.end) for s in project.labels.spans(ctx.article.id)}
    check(
        spans == ctx.expected_spans,
        f"spans after re-opening: {spans}, expected {ctx.expected_spans}",
    )
    doc = project.labels.doc_labels(ctx.article.id, annotator=ANNOTATOR)
    check(doc == ctx.expected_doc, f"stance after re-opening: {doc}, expected {ctx.expected_doc}")
    status = project.labels.progress(ctx.article.id, annotator=ANNOTATOR).status
    check(status == "done", f"status after re-opening: {status}")
    return "articles, languages, 2 spans, stance and status all there"


def train_model(_ctx: Context) -> str:
    """python-crfsuite's compiled module and a spawned worker process, as ``learn`` uses."""
    import multiprocessing

    from core.learn.entity import ArticleGuess, EntityExample, EntityTagger, train_entities
    from core.learn.jobs import guess_loaded, load_model

    people = ["Budi", "Sari", "Joko", "Dewi", "Rina", "Agus", "Wati", "Eko", "Tono", "Lina"]
    places = ["Jakarta", "Medan", "Bogor", "Padang", "Malang"]
    examples = []
    for n, person in enumerate(people):
        place = places[n % len(places)]
        text = f"Menteri {person} tiba di {place} hari ini."
        start = text.index(place)
        spans = (("PER", 8, 8 + len(person)), ("GPE", start, start + len(place)))
        examples.append(EntityExample(text, "id", spans))
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(1) as pool:
        data = pool.apply(train_entities, (examples,))
    text = "Menteri Slamet tiba di Kupang hari ini."
    found = {(g.label, text[g.start : g.end]) for g in EntityTagger(data).guess(text, "id").spans}
    # The suggesting workers load the model once, in their initializer, as storage runs them.
    with spawn.Pool(1, initializer=load_model, initargs=("entity", data)) as pool:
        ((_aid, guess),) = pool.apply(guess_loaded, ([(1, text, "id")],))
    check(isinstance(guess, ArticleGuess), f"an entity model guessed {type(guess).__name__}")
    assert isinstance(guess, ArticleGuess)
    there = {(g.label, text[g.start : g.end]) for g in guess.spans}
    check(there == found, f"a suggesting worker tagged {sorted(there)}, not {sorted(found)}")
    check(
        found == {("PER", "Slamet"), ("GPE", "Kupang")},
        f"the model trained in a worker tagged {sorted(found)}",
    )
    return f"a {len(data) / 1000:.0f} kB model tagged an unseen sentence right"


def open_main_window(ctx: Context) -> str:
    check(ctx.show_window is not None, "no window to show: run the self-test through main.py")
    assert ctx.show_window is not None
    return ctx.show_window(ctx.open_project, annotator=ANNOTATOR)


STEPS: list[tuple[str, Callable[[Context], str]]] = [
    ("create a project", create_project),
    ("import the bundled sample", import_sample),
    ("detect languages", detect_languages),
    ("add an entity, a boilerplate line and a stance label", add_labels),
    ("export every JSONL format", export_formats),
    ("re-open the project and check the labels", reopen_project),
    ("train an entity model in a worker process", train_model),
    ("show the main window (Qt plugins)", open_main_window),
]


# ---- running --------------------------------------------------------------------------------


def _output() -> TextIO:
    """stdout; a windowed Windows build has none, so a log file in the temp folder instead."""
    if sys.stdout is not None:
        return sys.stdout
    return open(Path(tempfile.gettempdir()) / "tandai-selftest.log", "w", encoding="utf-8")


def _no_display() -> None:
    """Never show a window: offscreen, unless the caller chose a platform on purpose (e.g.
    ``QT_QPA_PLATFORM=xcb`` under Xvfb to prove the X11 plugin loads). With no display at
    all (a CI machine, ssh) it is offscreen whatever was asked."""
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class _Watch:
    """What went wrong beside the steps: text written to stderr (a background job's
    traceback) and exceptions raised in threads. Either fails the self-test, so that the
    packaged build's check sees a race that an exit code 0 would hide."""

    def __init__(self) -> None:
        self.stderr: list[str] = []
        self.thread_errors: list[str] = []
        self._saved = (sys.stderr, threading.excepthook)

    def __enter__(self) -> _Watch:
        real = sys.stderr
        watch = self

        class Tee(io.TextIOBase):
            def write(self, text: str) -> int:
                if text.strip():
                    watch.stderr.append(text)
                return real.write(text) if real is not None else len(text)

            def flush(self) -> None:
                if real is not None:
                    real.flush()

        def on_thread_error(args: threading.ExceptHookArgs) -> None:
            name = args.thread.name if args.thread is not None else "?"
            self.thread_errors.append(f"{name}: {args.exc_type.__name__}: {args.exc_value}")
            self._saved[1](args)

        sys.stderr = Tee()
        threading.excepthook = on_thread_error
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stderr, threading.excepthook = self._saved

    def problem(self) -> str:
        if self.thread_errors:
            return f"a thread raised {self.thread_errors[0]}"
        if self.stderr:
            return f"this was written to stderr: {' '.join(self.stderr)[:500].strip()}"
        return ""


def _end_background_jobs() -> None:
    """Background jobs the window started end before the project goes (only if Qt ran)."""
    workers = sys.modules.get("gui.workers")
    if workers is not None:
        workers.wait_for_jobs()


def run_selftest(*, out: TextIO | None = None, show_window: ShowWindow | None = None) -> int:
    """Run every step in a fresh temporary folder; 0 if all passed, 1 on the first failure
    or when anything went wrong beside the steps (see :class:`_Watch`).

    ``show_window`` is the GUI's step (main.py passes it), so that cli/ never imports gui/."""
    out = out or _output()
    _no_display()
    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    print(f"Tandai {__version__} self-test{frozen}, Python {sys.version.split()[0]}", file=out)
    started = time.perf_counter()
    # Windows refuses to delete a file some straggler still holds; that must not fail a pass.
    with (
        _Watch() as watch,
        tempfile.TemporaryDirectory(
            prefix="tandai-selftest-", ignore_cleanup_errors=True
        ) as folder,
    ):
        ctx = Context(Path(folder), show_window=show_window)
        try:
            for number, (name, step) in enumerate(STEPS, 1):
                print(f"[{number}/{len(STEPS)}] {name} ... ", end="", file=out, flush=True)
                t0 = time.perf_counter()
                try:
                    detail = step(ctx)
                except Exception as exc:
                    print("FAILED", file=out)
                    _report_failure(name, exc, out)
                    return 1
                print(f"ok ({(time.perf_counter() - t0) * 1000:.0f} ms): {detail}", file=out)
        finally:
            _end_background_jobs()
            if ctx.project is not None:
                ctx.project.close()
        _end_background_jobs()  # anything the closing started
    problem = watch.problem()
    if problem:
        print(f"self-test FAILED after its steps: {problem}", file=out, flush=True)
        return 1
    print(f"self-test passed in {time.perf_counter() - started:.1f} s", file=out, flush=True)
    return 0


def _report_failure(name: str, exc: BaseException, out: TextIO) -> None:
    if isinstance(exc, SelfTestFailure):
        print(f"self-test FAILED at step {name!r}: {exc}", file=out)
    else:
        print(f"self-test FAILED at step {name!r}: {type(exc).__name__}: {exc}", file=out)
        traceback.print_exception(exc, file=out)
    out.flush()
