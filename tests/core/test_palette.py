"""No label colour looks like a selection colour (issue #13: ORG's blue was taken for one)."""

from __future__ import annotations

import json

import pytest

from core.palette import REPLACEMENTS, distance, looks_like, readable_colours
from core.schema import SPARE_COLOURS
from resources import resource_path

#: The text's own selection (gui.annot_text.SELECTION) and the platforms' usual ones:
#: Fusion, Windows, KDE Breeze, macOS, GNOME.
SELECTIONS = ("#263238", "#308cc6", "#0078d7", "#3daee9", "#0064e1", "#3584e4")


def shipped_colours() -> list[str]:
    schema = json.loads(resource_path("schema", "default.json").read_text(encoding="utf-8"))
    return [e["colour"] for e in schema["entity_labels"]]


@pytest.mark.parametrize("colour", [*shipped_colours(), *SPARE_COLOURS, *REPLACEMENTS])
def test_every_shipped_label_colour_is_far_from_every_selection_colour(colour: str) -> None:
    assert not looks_like(colour, SELECTIONS), {s: round(distance(colour, s)) for s in SELECTIONS}


def test_a_stored_colour_like_the_selection_is_painted_as_another() -> None:
    # Projects made before hold ORG as #9fc5f8, a light blue.
    painted = readable_colours({"PER": "#f4a3a3", "ORG": "#9fc5f8"}, ["#308cc6"])
    assert painted["PER"] == "#f4a3a3"
    assert painted["ORG"] != "#9fc5f8"
    assert not looks_like(painted["ORG"], ["#308cc6", "#f4a3a3"])
