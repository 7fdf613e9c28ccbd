"""``emptychair journeys``: how customers move across channels, and where it breaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records
from emptychair.errors import InvalidParameterError

if TYPE_CHECKING:
    from emptychair.journeys import EventLog

EventsOption = Annotated[
    Path | None,
    typer.Option(
        "--events", help="An event log file (CSV or Parquet) to read instead of a workspace."
    ),
]
CaseOption = Annotated[
    str | None, typer.Option("--case", help="Column of the case (journey) in --events.")
]
ActivityOption = Annotated[
    str | None, typer.Option("--activity", help="Column of the activity in --events.")
]
TimestampOption = Annotated[
    str | None, typer.Option("--timestamp", help="Column of the time in --events.")
]
LevelOption = Annotated[
    str, typer.Option("--level", help="Activity level: channel, touchpoint or channel:touchpoint.")
]
GapOption = Annotated[
    float,
    typer.Option("--gap-hours", help="Hours without events that end a journey (no journey_id)."),
]


def _log(
    workspace: Path | None,
    events: Path | None,
    case: str | None,
    activity: str | None,
    timestamp: str | None,
    level: str,
    gap_hours: float,
    run: Callable[[EventLog], pd.DataFrame],
) -> tuple[EventLog, pd.DataFrame]:
    """The event log of --events (which wins over a workspace), or of the workspace, and
    ``run(log)`` computed on it while the workspace is open."""
    from emptychair.journeys import read_event_log, workspace_event_log

    if events is not None:
        log = read_event_log(events, case=case, activity=activity, timestamp=timestamp)
        return log, run(log)
    if case or activity or timestamp:
        raise InvalidParameterError("--case, --activity and --timestamp go with --events FILE")
    with open_workspace(workspace, read_only=True) as ws:
        log = workspace_event_log(ws, level=level, gap_hours=gap_hours)
        return log, run(log)


def _facts(log: EventLog) -> dict[str, Any]:
    return {
        "level": log.level,
        "events": log.events,
        **{f"left out: {k}": v for k, v in log.excluded.items()},
    }


def _readable_variants(frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    shown["variant"] = [" → ".join(v) for v in shown["variant"]]
    shown["median_duration_h"] = shown.pop("median_duration_s") / 3600
    return shown


def register(app: typer.Typer) -> None:
    """Add ``emptychair journeys`` and its commands."""
    from emptychair.cli import journeys_report

    journeys_app = typer.Typer(
        help="Journeys across channels: event log, variants, graph, funnels, friction, "
        "satisfaction per touchpoint, charts."
    )
    app.add_typer(journeys_app, name="journeys")
    journeys_report.register(journeys_app)

    @journeys_app.command("variants")
    def variants_command(
        workspace: WorkspaceOption = None,
        events: EventsOption = None,
        case: CaseOption = None,
        activity: ActivityOption = None,
        timestamp: TimestampOption = None,
        level: LevelOption = "channel:touchpoint",
        gap_hours: GapOption = 48.0,
        top: Annotated[int, typer.Option("--top", help="Show this many variants.")] = 20,
        json: JsonOption = False,
    ) -> None:
        """The most frequent paths (ordered steps) of the journeys, with duration and outcomes."""
        from emptychair.journeys import variants

        log, frame = _log(workspace, events, case, activity, timestamp, level, gap_hours, variants)
        total = int(frame["journeys"].sum())
        shown = frame.head(top)
        if json:
            out = records(shown)
            for row, variant in zip(out, shown["variant"], strict=True):
                row["variant"] = list(variant)
            print_json(
                {**_summary(log), "journeys": total, "variant_count": len(frame), "variants": out}
            )
            return
        print_mapping({**_facts(log), "journeys": total, "variants": len(frame)}, title="Event log")
        print_frame(_readable_variants(shown), title=f"Top {len(shown)} variants")

    @journeys_app.command("graph")
    def graph_command(
        workspace: WorkspaceOption = None,
        events: EventsOption = None,
        case: CaseOption = None,
        activity: ActivityOption = None,
        timestamp: TimestampOption = None,
        level: LevelOption = "channel:touchpoint",
        gap_hours: GapOption = 48.0,
        min_count: Annotated[
            int, typer.Option("--min-count", help="Leave out edges seen fewer times.")
        ] = 1,
        min_share: Annotated[
            float, typer.Option("--min-share", help="Leave out edges below this share (0–1).")
        ] = 0.0,
        json: JsonOption = False,
    ) -> None:
        """The directly-follows graph: transitions between steps, with median and p90 times."""
        from emptychair.journeys import directly_follows

        log, frame = _log(
            workspace,
            events,
            case,
            activity,
            timestamp,
            level,
            gap_hours,
            lambda lg: directly_follows(lg, min_count=min_count, min_share=min_share),
        )
        if json:
            print_json({**_summary(log), "edges": records(frame)})
            return
        print_mapping({**_facts(log), "edges": len(frame)}, title="Event log")
        shown = frame.assign(median_h=frame["median_s"] / 3600, p90_h=frame["p90_s"] / 3600)
        print_frame(shown.drop(columns=["median_s", "p90_s"]), title="Directly-follows graph")

    @journeys_app.command("funnel")
    def funnel_command(
        steps: Annotated[
            str, typer.Option("--steps", help="Ordered activities, comma-separated: a,b,c.")
        ],
        workspace: WorkspaceOption = None,
        events: EventsOption = None,
        case: CaseOption = None,
        activity: ActivityOption = None,
        timestamp: TimestampOption = None,
        level: LevelOption = "channel:touchpoint",
        gap_hours: GapOption = 48.0,
        by: Annotated[
            str | None, typer.Option("--by", help="Split by a column of the log, e.g. channel.")
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Conversion and drop-off at each step of an ordered funnel, and time to convert."""
        from emptychair.journeys.funnels import funnel

        ordered = [step.strip() for step in steps.split(",") if step.strip()]
        log, frame = _log(
            workspace,
            events,
            case,
            activity,
            timestamp,
            level,
            gap_hours,
            lambda log: funnel(log, ordered, by=by),
        )
        if json:
            print_json({**_summary(log), "funnel": records(frame)})
            return
        shown = frame.copy()
        for column in ("conversion_from_previous", "conversion_from_start"):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        shown["median_time_from_start_h"] = (shown.pop("median_time_from_start_s") / 3600).round(2)
        print_frame(shown, title=f"Funnel: {' → '.join(ordered)}")

    @journeys_app.command("run")
    def run_command(
        workspace: WorkspaceOption = None,
        level: LevelOption = "channel:touchpoint",
        gap_hours: GapOption = 48.0,
        json: JsonOption = False,
    ) -> None:
        """Store a journeys run: variants, graph, frictions by channel and team, value at risk."""
        from emptychair.journeys.service import JourneySettings, run_journeys

        settings = JourneySettings(level=level, gap_hours=gap_hours)
        with open_workspace(workspace) as ws:
            if json:
                result = run_journeys(ws, settings)
            else:
                with console.status("journeys") as status:
                    result = run_journeys(ws, settings, on_step=lambda s: status.update(s))
        tables = result.tables
        if json:
            print_json(
                {
                    "run": result.run_id,
                    "events": result.events,
                    "excluded": result.excluded,
                    **{name: records(table) for name, table in tables.items()},
                }
            )
            return
        print_mapping(
            {"run": result.run_id, "events": result.events, **result.excluded},
            title="Journeys run",
        )
        friction = tables["journeys_friction"]
        overall = friction[friction["dimension"] == "all"].drop(
            columns=["dimension", "group_value"]
        )
        if "journeys_value_at_risk" in tables:
            overall = overall.merge(
                tables["journeys_value_at_risk"][["indicator", "customers", "value_at_risk"]],
                on="indicator",
            )
        print_frame(overall.round(4), title="Friction indicators (share of journeys)")
        by_team = friction[friction["dimension"] == "team"].pivot(
            index="group_value", columns="indicator", values="share"
        )
        print_frame(
            (by_team * 100).round(1).reset_index().rename(columns={"group_value": "team"}),
            title="Friction by team of the journey's first handled step (% of journeys)",
        )

    @journeys_app.command("friction")
    def friction_command(
        workspace: WorkspaceOption = None,
        events: EventsOption = None,
        case: CaseOption = None,
        activity: ActivityOption = None,
        timestamp: TimestampOption = None,
        level: LevelOption = "channel:touchpoint",
        gap_hours: GapOption = 48.0,
        repeat_days: Annotated[
            float, typer.Option("--repeat-days", help="Same reason again within this many days.")
        ] = 7.0,
        hop_hours: Annotated[
            float, typer.Option("--hop-hours", help="Web or app, then phone within these hours.")
        ] = 24.0,
        long_wait_s: Annotated[
            float, typer.Option("--long-wait-s", help="A wait longer than this (seconds).")
        ] = 600.0,
        long_gap_hours: Annotated[
            float,
            typer.Option("--long-gap-hours", help="--events: two steps further apart (hours)."),
        ] = 24.0,
        by: Annotated[
            str | None,
            typer.Option("--by", help="Workspace: split by channel, team, touchpoint or segment."),
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Journeys flagged with each friction. A workspace gets repeat contacts, web-to-phone
        hops, long waits, dead ends and loops; an --events file (no channels, teams or
        outcomes) gets loops and long gaps between steps."""
        from emptychair.journeys import FrictionSettings, friction_summary
        from emptychair.journeys.friction_groups import friction_by

        settings = FrictionSettings(
            repeat_days=repeat_days,
            hop_hours=hop_hours,
            long_wait_s=long_wait_s,
            long_gap_hours=long_gap_hours,
        )
        if by is not None and events is not None:
            raise InvalidParameterError("--by needs a workspace: it splits by its columns")
        if by is not None:
            with open_workspace(workspace, read_only=True) as ws:
                log, frame = friction_by(ws, by, settings, level=level, gap_hours=gap_hours)
        else:
            log, frame = _log(
                workspace,
                events,
                case,
                activity,
                timestamp,
                level,
                gap_hours,
                lambda lg: friction_summary(lg, settings),
            )
        if json:
            print_json({**_summary(log), "indicators": records(frame)})
            return
        print_mapping(_facts(log), title="Event log")
        if by is None:
            print_frame(frame, title="Friction (journeys flagged and their share)")
            return
        table = frame.pivot(index="group_value", columns="indicator", values="share")
        print_frame(
            (table * 100).round(1).reset_index().rename(columns={"group_value": by}),
            title=f"Friction by {by} (% of journeys)",
        )

    @journeys_app.command("export")
    def export_command(
        output: Annotated[Path, typer.Argument(help="File to write: .csv, .parquet or .xes.")],
        workspace: WorkspaceOption = None,
        level: LevelOption = "channel:touchpoint",
        gap_hours: GapOption = 48.0,
        file_format: Annotated[
            str | None, typer.Option("--format", help="csv, parquet or xes (default: suffix).")
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Write the workspace's event log for process-mining tools (pm4py column names)."""
        from emptychair.journeys import export_event_log, workspace_event_log

        with open_workspace(workspace, read_only=True) as ws:
            log = workspace_event_log(ws, level=level, gap_hours=gap_hours)
            written = export_event_log(log, output, file_format)
        if json:
            print_json({**_summary(log), "file": str(written)})
            return
        print_mapping(_facts(log), title="Event log")
        console.print(f"written: {written}")


def _summary(log: EventLog) -> dict[str, Any]:
    return {"level": log.level, "events": log.events, "excluded": dict(log.excluded)}
