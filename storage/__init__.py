"""Storage layer: peewee models, migrations and the ``Project`` API (the only DB access)."""

from storage.errors import LabelError, ProjectError, ProjectLocked
from storage.importing import ImportProgress
from storage.packages import PackageWritten, package_file_name
from storage.project import PROJECT_SUFFIX, Project

__all__ = [
    "PROJECT_SUFFIX",
    "ImportProgress",
    "LabelError",
    "PackageWritten",
    "Project",
    "ProjectError",
    "ProjectLocked",
    "package_file_name",
]
