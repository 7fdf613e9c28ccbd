"""Server logs without personal data: access lines keep the path, never the query string.

A search such as ``/customers?q=jane@example.com`` must not leave the e-mail in a log
file, so the query string is cut from uvicorn's access lines.
"""

from __future__ import annotations

import logging


class DropQueryStrings(logging.Filter):
    """Cut the query string from uvicorn access-log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if query:
                record.args = (*args[:2], path + "?…", *args[3:])
        return True


def install_log_filters() -> None:
    """Attach :class:`DropQueryStrings` to uvicorn's access logger."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryStrings) for f in access.filters):
        access.addFilter(DropQueryStrings())
