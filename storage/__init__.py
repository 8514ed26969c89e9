"""Storage layer: peewee models, migrations and the ``Project`` API (the only DB access)."""

from storage.errors import LabelError, ProjectError, ProjectLocked
from storage.importing import ImportProgress
from storage.near_duplicates import NearDuplicateProgress, NearDuplicateReport
from storage.project import PROJECT_SUFFIX, Project
from storage.propagation import PropagationReport

__all__ = [
    "PROJECT_SUFFIX",
    "ImportProgress",
    "LabelError",
    "NearDuplicateProgress",
    "NearDuplicateReport",
    "Project",
    "ProjectError",
    "ProjectLocked",
    "PropagationReport",
]
