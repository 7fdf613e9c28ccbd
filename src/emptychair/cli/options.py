"""Options shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emptychair.workspace import Workspace, default_location

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="EMPTYCHAIR_WORKSPACE",
        help="Workspace folder (default: $EMPTYCHAIR_WORKSPACE, else the current folder).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
]

MaskOption = Annotated[
    bool, typer.Option("--mask", help="Hide personal fields (e-mail, phone, names...).")
]
CreateMissingOption = Annotated[
    bool,
    typer.Option(
        "--create-missing-customers",
        help="Create bare customers for unknown customer ids instead of quarantining.",
    ),
]


def open_workspace(path: Path | None, *, read_only: bool = False) -> Workspace:
    return Workspace(path or default_location(), read_only=read_only)
