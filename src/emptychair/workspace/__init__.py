"""The workspace: the one module that knows which engine holds the tables."""

from emptychair.workspace.core import Workspace, default_location, new_batch_id, utc_now
from emptychair.workspace.engine import CsvOptions, Engine, StagedFile
from emptychair.workspace.prepared import QueryTemplate
from emptychair.workspace.settings import Settings

__all__ = [
    "CsvOptions",
    "Engine",
    "QueryTemplate",
    "Settings",
    "StagedFile",
    "Workspace",
    "default_location",
    "new_batch_id",
    "utc_now",
]
