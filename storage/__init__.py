"""Storage layer: peewee models, migrations and the ``Project`` API (the only DB access)."""

from storage.errors import (
    LabelError,
    PasswordNeeded,
    ProjectBusy,
    ProjectError,
    ProjectLocked,
    StorageFault,
)
from storage.importing import ImportProgress
from storage.project import PROJECT_SUFFIX, Project

__all__ = [
    "PROJECT_SUFFIX",
    "ImportProgress",
    "LabelError",
    "PasswordNeeded",
    "Project",
    "ProjectBusy",
    "ProjectError",
    "ProjectLocked",
    "StorageFault",
]
