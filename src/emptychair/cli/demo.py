"""``emptychair demo``: build the demo company and show what was built."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emptychair.cli.options import JsonOption
from emptychair.cli.output import console, print_frame, print_json, print_mapping


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        directory: Annotated[Path, typer.Argument(help="Workspace folder to create.")] = Path(
            "demo-workspace"
        ),
        customers: Annotated[int, typer.Option(help="How many customers.")] = 50_000,
        seed: Annotated[int, typer.Option(help="Random seed (same seed, same company).")] = 0,
        serve: Annotated[
            bool,
            typer.Option(
                "--serve/--no-serve",
                help="End by serving the dashboard on 127.0.0.1 (not with --json).",
            ),
        ] = True,
        port: Annotated[int, typer.Option(help="Port of the dashboard.")] = 8000,
        json: JsonOption = False,
    ) -> None:
        """Generate a realistic company with known ground truth, import it for real, run every
        analysis and serve the dashboard."""
        from emptychair.demo.service import build_demo

        report = build_demo(directory, customers=customers, seed=seed, show_progress=not json)
        if json:
            print_json(report.to_dict())
            return
        print_frame(report.imports, title=f"Demo company imported into {report.workspace}")
        print_frame(report.tables, title="Workspace tables")
        if report.value_headline is not None and report.value is not None:
            print_mapping(report.value_headline, title="Customer value")
            print_frame(
                report.value,
                title="Value models: estimates (95 % interval) beside the demo's true parameters",
            )
        if report.voice_headline is not None and report.themes is not None:
            print_mapping(report.voice_headline, title="Voice of the customer")
            print_frame(
                report.themes.round(3),
                title="Themes planted in the verbatims: found by the analysis",
            )
        if report.drivers is not None and len(report.drivers):
            print_frame(
                report.drivers[["kind", "drivers_compared", "rank_correlation", "top_5_shared"]],
                title="Key drivers found from the text against those of the planted themes",
            )
        if report.emerging is not None and len(report.emerging):
            print_frame(
                report.emerging.round(3),
                title="The planted new topic (gift cards), found among the emerging themes",
            )
        if report.frictions is not None and len(report.frictions):
            by_team = report.frictions[report.frictions["dimension"] == "team"]
            table = by_team.pivot(index="group_value", columns="indicator", values="share")
            print_frame(
                (table * 100).round(1).reset_index().rename(columns={"group_value": "team"}),
                title="Journey frictions by team (% of journeys): the weakest team shows",
            )
        console.print(f"Ground truth: {report.truth}")
        console.print(
            f"Try: [bold]emptychair customer show {report.example_customer} -w {directory}[/bold]"
        )
        if serve:
            serve_dashboard(directory, port)


DEMO_ACCOUNT = "demo"


def serve_dashboard(directory: Path, port: int) -> None:
    """Give the demo an admin account with a fresh token, print how to sign in, and serve."""
    import uvicorn

    from emptychair.accounts.tables import ensure_account_tables
    from emptychair.accounts.users import AccountExistsError, add_account, new_token
    from emptychair.api.app import create_app
    from emptychair.api.logs import install_log_filters
    from emptychair.workspace import Workspace

    with Workspace(directory) as workspace:
        ensure_account_tables(workspace)
        try:
            _, token = add_account(workspace, DEMO_ACCOUNT, "admin")
        except AccountExistsError:
            token = new_token(workspace, DEMO_ACCOUNT)
    console.print(
        f"\n[bold]Dashboard:[/bold] http://127.0.0.1:{port}/ui/  "
        f"(account [bold]{DEMO_ACCOUNT}[/bold], token [bold]{token}[/bold]; Ctrl+C stops it)"
    )
    application = create_app(directory)
    install_log_filters()
    uvicorn.run(application, host="127.0.0.1", port=port, log_level="warning")
