"""The REST API: a FastAPI app with one router per domain (see :func:`create_app`)."""

from emptychair.api.app import create_app

__all__ = ["create_app"]
