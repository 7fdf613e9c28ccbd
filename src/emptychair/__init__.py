"""Empty Chair: the customer's seat at the table, filled with evidence."""

from emptychair._version import __version__
from emptychair.errors import EmptyChairError
from emptychair.workspace import Workspace

__all__ = ["EmptyChairError", "Workspace", "__version__"]
