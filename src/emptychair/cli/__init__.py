"""The ``emptychair`` command: a thin layer over the Python API.

Typed errors from the library become a red message and an exit code here, in one place.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from emptychair._version import __version__
from emptychair.cli.output import errors
from emptychair.errors import EmptyChairError


class _Commands(TyperGroup):
    """Maps library errors to a readable message and the error's exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EmptyChairError as error:
            errors.print(f"[bold red]error:[/bold red] {error}", markup=True, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            errors.print("[yellow]interrupted: nothing was changed by the unfinished step[/yellow]")
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_Commands,
    help="Empty Chair: one validated store of customer signals, and the customer's view of it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"emptychair {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Empty Chair command line."""


def _register() -> None:
    from emptychair.cli import (
        actions,
        customers,
        demo,
        gdpr,
        impact,
        imports,
        journeys,
        report,
        scorecard,
        serve,
        value,
        voice,
        workspace,
    )

    workspace.register(app)
    imports.register(app)
    customers.register(app)
    value.register(app)
    voice.register(app)
    journeys.register(app)
    scorecard.register(app)
    actions.register(app)
    impact.register(app)
    report.register(app)
    serve.register(app)
    gdpr.register(app)
    demo.register(app)


_register()


def main() -> None:
    app()


__all__ = ["app", "main"]
