"""Label colours that can never be mistaken for the text selection.

An annotator took ORG's light blue for "selected" (issue #13): the platform's selection is
blue too. Colours are compared in CIELAB (CIE76 ΔE, the distance the eye roughly sees); a
label colour closer than :data:`MIN_DISTANCE` to a selection colour is painted as the first
spare colour that is far from every selection colour and from the other labels instead. The
rule lives here, pure Python, so the label bar and the text paint the same colour and a unit
test can hold every shipped colour to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: ΔE76 below which two colours read as "the same kind of colour" at a glance.
MIN_DISTANCE = 30.0
#: Colours painted instead of one too close to a selection (light, far from blues).
REPLACEMENTS = (
    "#8fd9c8",
    "#f7c6e0",
    "#ffd8a8",
    "#c7e89a",
    "#e0d0b4",
    "#f0f0a0",
    "#f0a8c8",
    "#e6c3a1",
)


def _lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = linear(r), linear(g), linear(b)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def distance(a: str, b: str) -> float:
    """CIE76 ΔE between two ``#rrggbb`` colours."""
    la, lb = _lab(a), _lab(b)
    return sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5


def looks_like(colour: str, others: Iterable[str]) -> bool:
    """True if ``colour`` is closer than :data:`MIN_DISTANCE` to any of ``others``."""
    return any(distance(colour, o) < MIN_DISTANCE for o in others)


def readable_colours(colours: Mapping[str, str], selections: Iterable[str]) -> dict[str, str]:
    """Label -> the colour to paint: its own, unless it looks like a selection colour; then
    the first replacement that looks like neither a selection nor a colour already painted."""
    avoid = [s.lower() for s in selections]
    out: dict[str, str] = {}
    for name, colour in colours.items():
        if not looks_like(colour.lower(), avoid):
            out[name] = colour
            continue
        taken = [*out.values(), *(c for n, c in colours.items() if n not in out and n != name)]
        out[name] = next(
            (c for c in REPLACEMENTS if not looks_like(c, avoid) and c not in taken),
            REPLACEMENTS[0],
        )
    return out
