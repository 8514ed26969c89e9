"""Agreement figures of a project: whose judgements count and the counting over them.

The judgements themselves (finished work only, read in pages of article ids) come from
:mod:`storage.judgements`; a large project is counted in two processes
(:mod:`storage.agreement_split`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from core.agreement import (
    LAYER_NAMES,
    AgreementCounter,
    ArticleJudgements,
    Judgement,
)
from core.agreement_report import AgreementReport
from core.entity_codes import EntityCodes
from storage.agreement_split import count_agreement
from storage.errors import ProjectError
from storage.judgements import JudgementProgress, JudgementReader
from storage.part import ProjectPart

#: The annotator adjudicated labels are stored under; left out of agreement unless named.
GOLD = "gold"

__all__ = ["GOLD", "AgreementFigures", "JudgementProgress"]


class AgreementFigures(ProjectPart):
    """Agreement figures, a piece of ``project.agreement``: reads only."""

    def agreement_annotators(self, names: Sequence[str] | None = None) -> list[str]:
        """The named annotators (each must exist), or every annotator but ``gold`` who has
        finished at least one article."""
        known = self.project.annotators()
        if not names:
            finished = {
                row[0]
                for row in self.db.execute_sql(
                    "SELECT DISTINCT a.name FROM annotator a WHERE EXISTS (SELECT 1 FROM"
                    " progress p WHERE p.annotator_id = a.id AND p.status = 'done')"
                ).fetchall()
            }
            return [a for a in known if a != GOLD and a in finished]
        missing = [n for n in names if n not in known]
        if missing:
            raise ProjectError(
                f"{self.name}: no annotator called {', '.join(map(repr, missing))} "
                f"(annotators: {', '.join(known) or 'none'})"
            )
        return sorted(set(names))

    def entity_codes(self) -> EntityCodes:
        """Codes for the schema's labels and boilerplate kinds, which the database can then
        write itself (a label not in the schema gets its code as it turns up)."""
        schema = self.project.schema()
        return EntityCodes([*(e.name for e in schema.entity_labels), *schema.boilerplate_kinds])

    @property
    def reader(self) -> JudgementReader:
        """Reads the judgements (``reader.judgements(...)``): finished work, in pages."""
        return JudgementReader(self.db)

    def article_judgements(
        self, article_id: int, annotators: Sequence[str] | None = None
    ) -> ArticleJudgements:
        """One article's judgements (and text): what the review mode opens. ``annotators``:
        default every annotator but gold."""
        names = set(annotators) if annotators else None
        p = self.db.param
        rows = self.db.execute_sql(
            "SELECT a.id, a.name FROM progress g JOIN annotator a ON a.id = g.annotator_id"
            f" WHERE g.article_id = {p} AND g.status = 'done'",
            [article_id],
        ).fetchall()
        ids = {
            aid: name
            for aid, name in rows
            if (names is None and name != GOLD) or (names is not None and name in names)
        }
        spans: dict[int, tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]] = {
            aid: (set(), set()) for aid in ids
        }
        for aid, layer, label, start, end in self.db.execute_sql(
            f'SELECT annotator_id, layer, label, start, "end" FROM span WHERE article_id = {p}',
            [article_id],
        ).fetchall():
            if aid in spans and layer in ("entity", "boilerplate"):
                spans[aid][layer == "boilerplate"].add((start, end, label))
        docs: dict[int, dict[str, str]] = {aid: {} for aid in ids}
        for aid, key, value in self.db.execute_sql(
            f"SELECT annotator_id, key, value FROM doc_label WHERE article_id = {p}",
            [article_id],
        ).fetchall():
            if aid in docs:
                docs[aid][key] = value
        text = self.db.execute_sql(
            f"SELECT text FROM article_text WHERE article_id = {p}", [article_id]
        ).fetchone()
        by = {
            name: Judgement(frozenset(spans[aid][0]), frozenset(spans[aid][1]), docs[aid])
            for aid, name in ids.items()
        }
        return ArticleJudgements(article_id, by, text[0] if text else None)

    def agreement(
        self,
        annotators: Sequence[str] | None = None,
        *,
        layers: Iterable[str] = LAYER_NAMES,
        token_alpha: bool = False,
        on_progress: Callable[[JudgementProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        processes: int | None = None,
    ) -> AgreementReport:
        """Agreement of ``annotators`` (default: all but gold) over their finished work.
        ``processes``: how many count side by side (default: two on a large project, see
        :mod:`storage.agreement_split`)."""
        names = self.agreement_annotators(annotators)
        counter = AgreementCounter(names, layers=layers, token_alpha=token_alpha)
        counter.codes = self.entity_codes()
        count_agreement(
            counter,
            self.db,
            self.project.target,
            names,
            processes=processes,
            on_progress=on_progress,
            should_stop=should_stop,
        )
        return counter.report()
