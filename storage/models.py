"""The tables of a project, as peewee models made per database.

Models are built by :func:`make_models` for one database object instead of being bound to a
global one, so that two projects can be open in one process (tests, copy tools) and a
background thread never rebinds another's models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee as pw

# A model class made at run time by make_models. Its fields exist only on the class built for
# one database, so no static type can name them; the type checker reads such classes as Any
# and checks the code around them.
ModelClass = Any


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Models:
    """The model classes of one open project, bound to its database."""

    Meta: ModelClass
    ImportBatch: ModelClass
    Article: ModelClass
    ArticleText: ModelClass
    Annotator: ModelClass
    Span: ModelClass
    DocLabel: ModelClass
    Progress: ModelClass
    Suggestion: ModelClass
    Rejection: ModelClass

    def all(self) -> list[ModelClass]:
        return [getattr(self, name) for name in self.__dataclass_fields__]


def make_models(db: pw.Database) -> Models:
    """Model classes of the current schema version, bound to ``db``."""

    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Meta(Base):
        """Key/value rows: schema_version, the label schema, guidelines, settings."""

        key = pw.CharField(primary_key=True, max_length=200)
        value = pw.TextField()

    class ImportBatch(Base):
        created = pw.DateTimeField(default=_now)
        paths = pw.TextField(default="")
        imported = pw.IntegerField(default=0)

    class Article(Base):
        external_id = pw.CharField(default="", max_length=500, index=True)
        content_hash = pw.CharField(unique=True, max_length=64)
        title = pw.TextField(default="")
        url = pw.TextField(default="")
        source = pw.CharField(default="", max_length=500, index=True)
        published = pw.CharField(default="", max_length=100)
        lang = pw.CharField(null=True, max_length=16, index=True)
        lang_confidence = pw.FloatField(null=True)
        meta = pw.TextField(default="{}")
        batch = pw.ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")
        created = pw.DateTimeField(default=_now)

    class ArticleText(Base):
        """Bodies apart, so that listing and counting never read them."""

        article = pw.ForeignKeyField(Article, primary_key=True, on_delete="CASCADE")
        text = pw.TextField()

    class Annotator(Base):
        name = pw.CharField(unique=True, max_length=200)
        created = pw.DateTimeField(default=_now)

    class Span(Base):
        # Version 1 made an index on article alone too (these models make the version-1
        # tables); version 12 drops it: (article, annotator) below leads with it.
        article = pw.ForeignKeyField(Article, on_delete="CASCADE")
        annotator = pw.ForeignKeyField(Annotator, on_delete="CASCADE")
        layer = pw.CharField(max_length=50)
        label = pw.CharField(max_length=200)
        start = pw.IntegerField()
        end = pw.IntegerField()
        origin = pw.CharField(default="manual", max_length=200)
        created = pw.DateTimeField(default=_now)
        updated = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("article", "annotator"), False),)

    class DocLabel(Base):
        article = pw.ForeignKeyField(Article, on_delete="CASCADE")
        annotator = pw.ForeignKeyField(Annotator, on_delete="CASCADE")
        key = pw.CharField(max_length=200)
        value = pw.CharField(max_length=200)
        created = pw.DateTimeField(default=_now)
        updated = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("article", "annotator", "key"), True),)

    class Progress(Base):
        article = pw.ForeignKeyField(Article, on_delete="CASCADE")
        annotator = pw.ForeignKeyField(Annotator, on_delete="CASCADE")
        status = pw.CharField(max_length=20, index=True)
        note = pw.TextField(default="")
        seconds = pw.FloatField(default=0.0)
        updated = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("article", "annotator"), True),)

    class Suggestion(Base):
        # Version 1 made an index on article alone too (these models make the version-1
        # tables); version 15 drops it: the unique index below leads with article.
        article = pw.ForeignKeyField(Article, on_delete="CASCADE", index=True)
        layer = pw.CharField(max_length=50)
        label = pw.CharField(max_length=200)
        start = pw.IntegerField()
        end = pw.IntegerField()
        source = pw.CharField(max_length=200)
        score = pw.FloatField(default=1.0)

        class Meta:
            indexes = ((("article", "layer", "label", "start", "end", "source"), True),)

    class Rejection(Base):
        """A suggestion an annotator turned down, so that it does not come back."""

        article = pw.ForeignKeyField(Article, on_delete="CASCADE")
        annotator = pw.ForeignKeyField(Annotator, on_delete="CASCADE")
        layer = pw.CharField(max_length=50)
        label = pw.CharField(max_length=200)
        start = pw.IntegerField()
        end = pw.IntegerField()
        created = pw.DateTimeField(default=_now)

        class Meta:
            indexes = ((("article", "layer", "label", "start", "end", "annotator"), True),)

    return Models(
        Meta=Meta,
        ImportBatch=ImportBatch,
        Article=Article,
        ArticleText=ArticleText,
        Annotator=Annotator,
        Span=Span,
        DocLabel=DocLabel,
        Progress=Progress,
        Suggestion=Suggestion,
        Rejection=Rejection,
    )


def make_repeated_line_model(db: pw.Database) -> ModelClass:
    """The repeated-line index (schema version 4): per source, in how many articles each
    line occurs, keyed by a hash of the line. Kept out of :class:`Models` so that the
    version-1 step, which creates ``Models.all()``, keeps creating the version-1 shape."""

    class RepeatedLine(pw.Model):
        source = pw.CharField(max_length=500)
        key = pw.CharField(max_length=32)
        articles = pw.IntegerField(default=0)
        sample = pw.TextField(default="")
        #: JSON list of the first article ids with this line (capped), so that the articles
        #: seen before the line became frequent can be given their suggestions too.
        first_ids = pw.TextField(default="[]")

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "repeated_line"
            indexes = ((("source", "key"), True),)

    return RepeatedLine


def make_role_model(db: pw.Database, annotator_model: ModelClass) -> ModelClass:
    """Roles of a project's annotators (schema version 5): ``annotator`` or ``lead``
    (``core.edits.ROLES``). An annotator without a row has no role; a project with no lead
    is open to every edit. Kept out of :class:`Models` for the reason given above."""

    class AnnotatorRole(pw.Model):
        annotator = pw.ForeignKeyField(annotator_model, primary_key=True, on_delete="CASCADE")
        role = pw.CharField(max_length=20)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "annotator_role"

    return AnnotatorRole


def make_adjudication_model(db: pw.Database, article_model: ModelClass) -> ModelClass:
    """Adjudication state per article (schema version 6): ``done`` (the rule decided
    everything), ``review`` (in the review queue: something undecided) or ``settled`` (a
    reviewer settled it by hand: a re-run leaves it alone). ``auto_doc`` holds the document
    labels the rule stored, so that a re-run tells them from ones a reviewer changed."""

    class Adjudication(pw.Model):
        article = pw.ForeignKeyField(article_model, primary_key=True, on_delete="CASCADE")
        state = pw.CharField(max_length=20, index=True)
        origin = pw.CharField(max_length=200, default="")
        undecided = pw.TextField(default="")
        auto_doc = pw.TextField(default="{}")
        updated = pw.DateTimeField(default=_now)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "adjudication"

    return Adjudication


def make_assignment_model(db: pw.Database, models: Models | None = None) -> ModelClass:
    """Who is to label which article (schema version 7): one row per article and annotator,
    several for an article shared for agreement. Apart from :class:`Models` for the same
    reason as the repeated-line index."""

    m = models or make_models(db)

    class Assignment(pw.Model):
        article = pw.ForeignKeyField(m.Article, on_delete="CASCADE")
        annotator = pw.ForeignKeyField(m.Annotator, on_delete="CASCADE")
        created = pw.DateTimeField(default=_now)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "assignment"
            # (annotator, article) serves "their queue" in id order; the unique pair makes a
            # re-run or a reassignment unable to give one article twice to one person.
            indexes = ((("annotator", "article"), True), (("article",), False))

    return Assignment


def make_learning_models(db: pw.Database) -> tuple[ModelClass, ModelClass]:
    """The tables of schema version 8: trained models with their held-out scores, and how
    unsure the latest models are about each article (for "most uncertain first"). Kept out
    of :class:`Models` for the reason given above."""

    class LearnedModel(pw.Model):
        layer = pw.CharField(max_length=50)
        target = pw.CharField(max_length=200, default="")
        data = pw.BlobField()
        created = pw.DateTimeField(default=_now)
        trained_on = pw.IntegerField(default=0)
        negatives = pw.IntegerField(default=0)
        #: JSON of core.learn.scores.Evaluation
        evaluation = pw.TextField(default="{}")

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "learned_model"
            indexes = ((("layer", "target"), True),)

    class Uncertainty(pw.Model):
        article = pw.IntegerField()  # plain id: rewritten whole by each training, read by id
        model = pw.CharField(max_length=250)  # "entity" or "stance:<target>"
        value = pw.FloatField()

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "uncertainty"
            primary_key = pw.CompositeKey("model", "article")
            indexes = ((("model", "value"), False),)  # most uncertain first

    return LearnedModel, Uncertainty


def make_near_duplicate_models(db: pw.Database) -> ModelClass:
    """The near-duplicate table (schema versions 9 and 11, storage.near_duplicates): each
    grouped article's group and its sketch, by which later articles find their candidates."""

    class NearDuplicate(pw.Model):
        article = pw.IntegerField(
            primary_key=True,
            column_name="article_id",
            constraints=[pw.SQL("REFERENCES article (id) ON DELETE CASCADE")],
        )
        group_id = pw.IntegerField(index=True)
        sketch = pw.BlobField(null=True)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "near_duplicate"

    return NearDuplicate


def make_doc_suggestion_models(db: pw.Database) -> tuple[ModelClass, ModelClass]:
    """The tables of schema version 10 (storage.doc_suggestions): document labels proposed
    for an article (a stance carried from a near-duplicate) and the ones an annotator
    turned down, so that they do not come back. The counterparts of ``suggestion`` and
    ``rejection`` for labels that have no offsets."""

    class DocSuggestion(pw.Model):
        article = pw.IntegerField(
            column_name="article_id",
            index=True,
            constraints=[pw.SQL("REFERENCES article (id) ON DELETE CASCADE")],
        )
        key = pw.CharField(max_length=200)
        value = pw.CharField(max_length=200)
        source = pw.CharField(max_length=200)
        score = pw.FloatField(default=1.0)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "doc_suggestion"
            indexes = ((("article", "key", "value", "source"), True),)

    class DocRejection(pw.Model):
        article = pw.IntegerField(
            column_name="article_id",
            constraints=[pw.SQL("REFERENCES article (id) ON DELETE CASCADE")],
        )
        annotator = pw.IntegerField(
            column_name="annotator_id",
            constraints=[pw.SQL("REFERENCES annotator (id) ON DELETE CASCADE")],
        )
        key = pw.CharField(max_length=200)
        value = pw.CharField(max_length=200)
        created = pw.DateTimeField(default=_now)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "doc_rejection"
            indexes = ((("article", "annotator", "key", "value"), True),)

    return DocSuggestion, DocRejection
