"""Storage layer: peewee models, migrations and the ``Project`` API (the only DB access)."""

from storage.adjudication import AdjudicationReport, ReviewItem
from storage.agreement import GOLD, JudgementProgress
from storage.errors import AccessDenied, LabelError, ProjectError, ProjectLocked
from storage.importing import ImportProgress
from storage.project import PROJECT_SUFFIX, Project

__all__ = [
    "GOLD",
    "PROJECT_SUFFIX",
    "AccessDenied",
    "AdjudicationReport",
    "ImportProgress",
    "JudgementProgress",
    "LabelError",
    "Project",
    "ProjectError",
    "ProjectLocked",
    "ReviewItem",
]
