"""The import bench's clock of the catch-up's passes: it reads the progress the real passes
report, so a pass that stopped reporting its last article would leave the issue's "fully
processed" figure unmeasured (printed as such), never a figure taken too early."""

from __future__ import annotations

import time
from pathlib import Path

from bench.progress_clocks import ISSUE_PASSES, PassClock
from storage import Project
from storage.import_progress import ImportProgress
from storage.near_duplicates import NearDuplicateProgress
from storage.repeated_lines import SuggestProgress

TEXTS = [
    "Banjir merendam ratusan rumah warga di tepi sungai kota itu sejak Rabu malam.",
    "The minister said the new hospital would open in the city before the rains.",
    "Harga beras di pasar naik lagi minggu ini, kata pedagang kepada wartawan.",
]


def test_each_pass_is_timed_when_it_reports_its_last_article() -> None:
    clock = PassClock()
    clock.seen(ImportProgress("languages", 1, 2, 1))
    clock.seen(SuggestProgress("index", 2, 2))  # the suggesters' line count: not a pass here
    assert clock.done == {}
    clock.seen(ImportProgress("languages", 2, 2, 2))
    assert set(clock.done) == {"languages"}
    assert "index, suggest: no progress reported" in clock.text(ISSUE_PASSES, 1.0)
    clock.seen(ImportProgress("index", 2, 2, 2))
    clock.seen(SuggestProgress("suggest", 2, 2))
    figure = clock.text(ISSUE_PASSES, 1.0).split(" s wall")[0]
    time.sleep(0.01)
    clock.seen(NearDuplicateProgress("near-duplicates", 2, 2))  # timed, not one of the three
    assert "near-duplicates" in clock.done
    assert clock.text(ISSUE_PASSES, 1.0).split(" s wall")[0] == figure


def test_the_app_catch_up_reports_the_end_of_each_pass_the_issue_names(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        "".join(f'{{"title": "t{i}", "text": "{text}"}}\n' for i, text in enumerate(TEXTS * 4)),
        encoding="utf-8",
    )
    with Project.create(tmp_path / "p.tandai") as project:
        project.imports.import_files([path], detect=False)
        clock = PassClock()
        project.imports.process_pending(on_progress=clock.seen)
        ended = time.perf_counter()
    # The near-duplicate pass is timed too (printed beside them), not counted among them.
    assert set(clock.done) - {"near-duplicates"} == set(ISSUE_PASSES)
    assert all(clock.start <= at <= ended for at in clock.done.values())
    text = clock.text(ISSUE_PASSES, 0.0)
    assert "no progress reported" not in text
    assert all(f"{name} " in text.split("each done:")[1] for name in clock.done)
