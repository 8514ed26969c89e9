"""What an agreement computation found: the figures per layer, pair and label, as data
(``to_json``, what ``agreement --json`` prints and the dataset card reads) and in words
(``describe_report``, for a terminal).

Kept apart from :mod:`core.agreement`, which counts: the GUI, the CLI and the card only
read reports and need none of the counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ---- the report --------------------------------------------------------------------------


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass
class PairFigures:
    a: str
    b: str
    units: int
    agreement: float | None
    kappa: float | None
    confusion: dict[str, dict[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "units": self.units,
            "agreement": _round(self.agreement),
            "kappa": _round(self.kappa),
            "confusion": self.confusion,
        }


@dataclass
class AlphaFigures:
    """Alpha over every annotator and the figures of each pair (stance target, boilerplate)."""

    units: int
    alpha: float | None
    pairs: list[PairFigures]

    def to_json(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "alpha": _round(self.alpha),
            "pairs": [p.to_json() for p in self.pairs],
        }


@dataclass
class EntityPair:
    a: str
    b: str
    articles: int
    f1: float | None
    per_label: dict[str, float | None]
    overlap_f1: float | None
    spans_a: int
    spans_b: int
    matched: int

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "articles": self.articles,
            "f1": _round(self.f1),
            "per_label": {k: _round(v) for k, v in self.per_label.items()},
            "overlap_f1": _round(self.overlap_f1),
            "spans_a": self.spans_a,
            "spans_b": self.spans_b,
            "matched": self.matched,
        }


@dataclass
class EntityFigures:
    f1: float | None
    pairs: list[EntityPair]
    overlap_f1: float | None
    token_alpha: float | None = None
    token_units: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "f1": _round(self.f1),
            "overlap_f1": _round(self.overlap_f1),
            "pairs": [p.to_json() for p in self.pairs],
        }
        if self.token_units is not None:
            out["token_alpha"] = _round(self.token_alpha)
            out["token_units"] = self.token_units
        return out


@dataclass(frozen=True, slots=True)
class Disputed:
    article_id: int
    items: int  # entity spans, boilerplate lines and stance targets not all finishers share


@dataclass
class AgreementReport:
    annotators: list[str]
    articles: int  # articles finished by at least two of them
    stance: dict[str, AlphaFigures] | None
    boilerplate: AlphaFigures | None
    entity: EntityFigures | None
    disputed: list[Disputed]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"annotators": self.annotators, "articles": self.articles}
        if self.stance is not None:
            out["stance"] = {t: f.to_json() for t, f in self.stance.items()}
        if self.boilerplate is not None:
            out["boilerplate"] = self.boilerplate.to_json()
        if self.entity is not None:
            out["entity"] = self.entity.to_json()
        out["disputed"] = [{"article": d.article_id, "items": d.items} for d in self.disputed]
        return out


# ---- in words -----------------------------------------------------------------------


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _pair_lines(pairs: list[PairFigures]) -> list[str]:
    return [
        f"    {p.a} / {p.b}: {p.units:,} units, agreement {_pct(p.agreement)}, "
        f"kappa {_num(p.kappa)}"
        for p in pairs
    ]


def describe_report(report: AgreementReport) -> str:
    """The figures as text for a terminal."""
    lines = [
        f"annotators: {', '.join(report.annotators) or 'none'}; "
        f"{report.articles:,} articles finished by two or more of them"
    ]
    if report.stance is not None:
        lines.append("\nstance")
        if not report.stance:
            lines.append("  (no stance labels on articles finished by two annotators)")
        for target, fig in report.stance.items():
            lines.append(f"  {target}: alpha {_num(fig.alpha)} over {fig.units:,} articles")
            lines += _pair_lines(fig.pairs)
    if report.boilerplate is not None:
        fig = report.boilerplate
        lines.append(f"\nboilerplate lines: alpha {_num(fig.alpha)} over {fig.units:,} lines")
        lines += _pair_lines(fig.pairs)
    if report.entity is not None:
        ent = report.entity
        lines.append(f"\nentity: mean F1 {_num(ent.f1)} (exact), {_num(ent.overlap_f1)} (overlap)")
        if ent.token_units is not None:
            lines.append(
                f"  token alpha (BIO) {_num(ent.token_alpha)} over {ent.token_units:,} tokens"
            )
        for p in ent.pairs:
            lines.append(
                f"    {p.a} / {p.b}: {p.articles:,} articles, F1 {_num(p.f1)}, "
                f"overlap F1 {_num(p.overlap_f1)}"
            )
            for label, f1 in p.per_label.items():
                lines.append(f"      {label}: {_num(f1)}")
    if report.disputed:
        top = ", ".join(f"{d.article_id} ({d.items})" for d in report.disputed[:10])
        lines.append(f"\nmost disputed articles (id (items)): {top}")
    return "\n".join(lines)
