"""``emptychair serve``, and the account and audit commands that go with the API."""

from __future__ import annotations

from typing import Annotated

import typer

from emptychair.cli.options import WorkspaceOption
from emptychair.workspace import default_location


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``user`` and ``audit`` to the main app."""
    from emptychair.cli import audit, users

    users.register(app)
    audit.register(app)

    @app.command("serve")
    def serve(
        workspace: WorkspaceOption = None,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    ) -> None:
        """Serve the REST API over the workspace (the server becomes its only writer)."""
        import uvicorn

        from emptychair.api.app import create_app
        from emptychair.api.logs import install_log_filters

        application = create_app(workspace or default_location())
        install_log_filters()
        uvicorn.run(application, host=host, port=port, log_level=log_level)
