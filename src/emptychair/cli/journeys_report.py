"""``emptychair journeys satisfaction|report``: satisfaction on the map, and a stored run's
charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records


def register(journeys_app: typer.Typer) -> None:
    """Add ``satisfaction`` and ``report`` to ``emptychair journeys``."""

    @journeys_app.command("satisfaction")
    def satisfaction_command(
        workspace: WorkspaceOption = None,
        by: Annotated[
            str, typer.Option("--by", help="touchpoint or variant (of the journey answered about).")
        ] = "touchpoint",
        level: Annotated[
            str,
            typer.Option(
                "--level", help="Touchpoint level: channel, touchpoint or channel:touchpoint."
            ),
        ] = "channel:touchpoint",
        gap_hours: Annotated[
            float, typer.Option("--gap-hours", help="Hours without events that end a journey.")
        ] = 48.0,
        min_responses: Annotated[
            int, typer.Option("--min-responses", help="Smaller groups are flagged small.")
        ] = 30,
        top: Annotated[int, typer.Option("--top", help="Show this many groups per score.")] = 15,
        json: JsonOption = False,
    ) -> None:
        """NPS, CSAT, CES (with 95 % intervals) and verbatim sentiment per touchpoint or variant."""
        from emptychair.journeys import workspace_event_log
        from emptychair.journeys.satisfaction import satisfaction_map

        with open_workspace(workspace, read_only=True) as ws:
            log = workspace_event_log(ws, level=level, gap_hours=gap_hours)
            frame = satisfaction_map(ws, log, by=(by,), min_responses=min_responses)
        if json:
            print_json(
                {"level": log.level, "by": by, "events": log.events, "scores": records(frame)}
            )
            return
        if frame.empty:
            console.print("No survey answer to place on the journeys.")
            return
        for kind, rows in frame.groupby("kind", sort=False):
            shown = rows.head(top).drop(columns=["dimension", "kind"])
            shown = shown.rename(columns={"group_value": by}).round(3)
            print_frame(shown, title=f"{str(kind).upper()} by {by} (95 % interval)")

    @journeys_app.command("report")
    def report_command(
        workspace: WorkspaceOption = None,
        run_id: Annotated[
            str | None, typer.Option("--run", help="Run id (default: latest).")
        ] = None,
        charts: Annotated[
            Path | None, typer.Option("--charts", help="Write the charts into this folder.")
        ] = None,
        chart_format: Annotated[
            str, typer.Option("--format", help="Chart files: png, svg or json (Vega-Lite).")
        ] = "png",
        funnel_steps: Annotated[
            str | None,
            typer.Option("--funnel", help="Also draw this funnel: activities a,b,c in order."),
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Show a stored journeys run; with --charts, write its graph, Sankey, frictions by
        team, satisfaction per touchpoint (and --funnel) as charts."""
        from emptychair.journeys import workspace_event_log
        from emptychair.journeys.funnels import funnel
        from emptychair.journeys.report import journeys_report, save_charts

        with open_workspace(workspace, read_only=True) as ws:
            stored = journeys_report(ws, run_id)
            if funnel_steps:
                steps = [step.strip() for step in funnel_steps.split(",") if step.strip()]
                log = workspace_event_log(
                    ws, level=stored.settings["level"], gap_hours=stored.settings["gap_hours"]
                )
                stored.funnel = funnel(log, steps)
        written = save_charts(stored, charts, chart_format) if charts else []
        if json:
            print_json(
                {
                    "headline": stored.headline(),
                    **{name: records(table) for name, table in stored.tables.items()},
                    "funnel": None if stored.funnel is None else records(stored.funnel),
                    "charts": [str(path) for path in written],
                }
            )
            return
        print_mapping(stored.headline(), title="Journeys")
        friction = stored.tables["journeys_friction"]
        if len(friction):
            by_team = friction[friction["dimension"] == "team"].pivot(
                index="group_value", columns="indicator", values="share"
            )
            print_frame(
                (by_team * 100).round(1).reset_index().rename(columns={"group_value": "team"}),
                title="Friction by team of the journey's first handled step (% of journeys)",
            )
        for path in written:
            console.print(f"chart: {path}")
