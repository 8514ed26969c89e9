"""Storage layer: peewee models, migrations and the ``Project`` API (the only DB access)."""

from storage.errors import AccessDenied, LabelError, ProjectError, ProjectLocked
from storage.importing import ImportProgress
from storage.project import PROJECT_SUFFIX, Project

__all__ = [
    "PROJECT_SUFFIX",
    "AccessDenied",
    "ImportProgress",
    "LabelError",
    "Project",
    "ProjectError",
    "ProjectLocked",
]
