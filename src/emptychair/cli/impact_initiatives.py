"""``emptychair impact initiative``: record initiatives and measure their effect."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping
from emptychair.errors import InvalidParameterError

LanguageOption = Annotated[str, typer.Option("--lang", help="Language of the verdict: fr or en.")]


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def register_initiatives(app: typer.Typer) -> None:
    """Add the ``initiative`` group (``add``, ``list``, ``measure``) to ``app``."""
    initiative_app = typer.Typer(
        help="Initiatives: record what was changed, for whom and when; measure what it did."
    )
    app.add_typer(initiative_app, name="initiative")

    @initiative_app.command("add")
    def add(
        name: Annotated[str, typer.Argument(help="What the initiative is called.")],
        start: Annotated[str, typer.Option("--start", help="Start date, YYYY-MM-DD.")],
        target: Annotated[
            str,
            typer.Option(
                "--target",
                help="Who it targets, column=value: team=CC Lille, channel=web,app, "
                "country=FR, segment=at risk.",
            ),
        ],
        kpi: Annotated[
            str,
            typer.Option(
                "--kpi",
                help="The KPI it should move: csat, nps, ces, repeat_contact, "
                "complaint_rate, purchase_rate or revenue_per_customer.",
            ),
        ],
        comparison: Annotated[
            str | None,
            typer.Option(
                "--comparison",
                help="Comparison group, column=value (default: everyone else).",
                show_default=False,
            ),
        ] = None,
        end: Annotated[
            str | None,
            typer.Option("--end", help="End date, YYYY-MM-DD, if it stopped.", show_default=False),
        ] = None,
        direction: Annotated[
            str | None,
            typer.Option(
                "--direction",
                help="up or down (default: the KPI's own).",
                show_default=False,
            ),
        ] = None,
        description: Annotated[
            str, typer.Option("--description", help="What was done, in a sentence.")
        ] = "",
        initiative_id: Annotated[
            str | None,
            typer.Option(
                "--id", help="Id to measure it by (default: from the name).", show_default=False
            ),
        ] = None,
        by: Annotated[
            str | None,
            typer.Option(
                "--by", help="Who records it (default: your user name).", show_default=False
            ),
        ] = None,
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Record an initiative: start, target group, KPI and comparison group."""
        from emptychair.impact.initiatives import record_initiative

        with open_workspace(workspace) as ws:
            initiative = record_initiative(
                ws,
                name,
                start=start,
                target=target,
                kpi=kpi,
                comparison=comparison,
                end=end,
                direction=direction,
                description=description,
                initiative_id=initiative_id,
                recorded_by=by or _user(),
            )
        if json:
            print_json(initiative.to_dict())
            return
        console.print(f"recorded initiative [bold]{initiative.initiative_id}[/bold]")
        print_mapping(initiative.to_dict())

    @initiative_app.command("list")
    def list_(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
        """List the recorded initiatives, by start date."""
        from emptychair.impact.initiatives import list_initiatives

        with open_workspace(workspace, read_only=True) as ws:
            found = list_initiatives(ws)
        frame = pd.DataFrame([i.to_dict() for i in found])
        if json:
            print_json(frame)
            return
        if not frame.empty:
            frame = frame[["initiative_id", "name", "start", "end", "target", "comparison", "kpi"]]
        print_frame(frame, title="Initiatives", empty="none recorded yet")

    @initiative_app.command("measure")
    def measure(
        initiative_id: Annotated[str, typer.Argument(help="The initiative's id.")],
        period_days: Annotated[
            int, typer.Option("--period-days", help="Length of one period, in days.")
        ] = 7,
        pre_periods: Annotated[
            int | None,
            typer.Option(
                "--pre-periods",
                help="Periods before the start (default: as many as after).",
                show_default=False,
            ),
        ] = None,
        post_periods: Annotated[
            int | None,
            typer.Option(
                "--post-periods",
                help="Periods after the start (default: up to the end or the data's end).",
                show_default=False,
            ),
        ] = None,
        min_units: Annotated[
            int, typer.Option("--min-units", help="Fewest customers per group and window.")
        ] = 30,
        chart: Annotated[
            Path | None,
            typer.Option(
                "--chart",
                help="Write the chart of both groups over time to this .png, .svg or .json file.",
                show_default=False,
            ),
        ] = None,
        language: LanguageOption = "en",
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Measure an initiative by difference-in-differences, with a verdict."""
        from emptychair.chart_files import write_charts
        from emptychair.impact.initiatives import measure_initiative

        if language not in ("fr", "en"):
            raise InvalidParameterError(f"--lang {language!r}: use fr or en")
        with open_workspace(workspace, read_only=True) as ws:
            result = measure_initiative(
                ws,
                initiative_id,
                period_days=period_days,
                pre_periods=pre_periods,
                post_periods=post_periods,
                min_units=min_units,
            )
        if chart is not None:
            fmt = chart.suffix.lstrip(".").lower()
            write_charts({chart.stem: result.chart(language)}, chart.parent, fmt)
        if json:
            print_json(result.to_dict(language))
            return
        console.print(f"[bold]{result.verdict(language)}[/bold]")
        effect = result.to_dict(language)
        print_mapping(
            {
                "effect": effect["effect"]["estimate"],
                "interval": f"{effect['effect']['low']:.4g} to {effect['effect']['high']:.4g}",
                "p value": effect["effect"]["p_value"],
                "pre-trend (placebo)": (
                    effect["pre_trend"]["estimate"] if effect["pre_trend"] else "not checked"
                ),
                "periods before / after": (
                    f"{effect['periods_before']} / {effect['periods_after']} of {period_days} days"
                ),
            }
        )
        print_frame(result.means, title="Mean per group, before and after the start")
        for note in result.notes:
            console.print(f"[yellow]note:[/yellow] {note}")
        if chart is not None:
            console.print(f"chart written to {chart}")
