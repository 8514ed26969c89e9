"""Storage layer: peewee models, migrations and the ``Project`` API (the only DB access).

gui/ and cli/ import only the names listed here (``from storage import X``), never a
submodule: what they need from storage is part of this list on purpose.
"""

from storage.adjudication import AdjudicationReport, ReviewItem
from storage.agreement import GOLD, JudgementProgress
from storage.errors import (
    AccessDenied,
    LabelError,
    PasswordNeeded,
    ProjectBusy,
    ProjectError,
    ProjectLocked,
    StorageFault,
)
from storage.import_progress import ImportProgress
from storage.importing import MAX_CHARS
from storage.listing import ListCursor
from storage.near_duplicates import NearDuplicateProgress, NearDuplicateReport
from storage.packages import PackageWritten, package_file_name
from storage.project import PROJECT_SUFFIX, Project
from storage.propagation import PropagationReport
from storage.repeated_lines import SuggestProgress
from storage.search import highlight_pattern, search_terms
from storage.suggestion_decisions import BulkResult
from storage.suggestion_runs import ALL_SOURCES

__all__ = [
    "ALL_SOURCES",
    "GOLD",
    "MAX_CHARS",
    "PROJECT_SUFFIX",
    "AccessDenied",
    "AdjudicationReport",
    "BulkResult",
    "ImportProgress",
    "JudgementProgress",
    "LabelError",
    "ListCursor",
    "NearDuplicateProgress",
    "NearDuplicateReport",
    "PackageWritten",
    "PasswordNeeded",
    "Project",
    "ProjectBusy",
    "ProjectError",
    "ProjectLocked",
    "PropagationReport",
    "ReviewItem",
    "StorageFault",
    "SuggestProgress",
    "highlight_pattern",
    "package_file_name",
    "search_terms",
]
