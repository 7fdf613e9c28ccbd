"""Typed errors. Each message names what is wrong (file, row, column, parameter) and what to do.

Surfaces map them to exit codes and HTTP problems in one place; messages never hold
personal data.
"""

from __future__ import annotations


class EmptyChairError(Exception):
    """Base class of every error this library raises on purpose."""

    exit_code = 1


class WorkspaceError(EmptyChairError):
    """The workspace is missing, not a workspace, or unusable."""

    exit_code = 3


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the workspace for writing."""

    exit_code = 4


class InvalidParameterError(EmptyChairError):
    """A parameter outside what the operation accepts."""

    exit_code = 2


class UnknownTableError(EmptyChairError):
    """A table name that is not part of the canonical model."""

    exit_code = 2


class ImportFileError(EmptyChairError):
    """A file that cannot be imported at all (missing, empty, unreadable, wrong header)."""

    exit_code = 5


class StrictImportError(ImportFileError):
    """``--strict`` refused a file because some rows are bad."""


class MappingError(ImportFileError):
    """A header mapping that does not fit the file or the table."""


class NotFoundError(EmptyChairError):
    """A customer, batch or quarantined row that does not exist."""

    exit_code = 6


class IdentityError(EmptyChairError):
    """An identity operation that cannot be done (e.g. unmerging a record that is alone)."""

    exit_code = 7


class ModelError(EmptyChairError):
    """A model that cannot be fitted or used as asked."""

    exit_code = 8


class ModelDataError(ModelError):
    """Data that cannot support the model (e.g. no repeat buyers, a missing column)."""


class NotFittedError(ModelError):
    """A prediction asked of a model that has not been fitted."""


class ConvergenceError(ModelError):
    """The optimiser did not reach a maximum of the likelihood from any start."""
