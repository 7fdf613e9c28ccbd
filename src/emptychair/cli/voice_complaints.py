"""``emptychair voice complaints`` and ``voice closed-loop``: complaint handling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Read the data as of this date, YYYY-MM-DD (default: the latest date in the data).",
        show_default=False,
    ),
]

#: What the complaints table shows, under short headings (``--json`` gives every column).
LIFECYCLE_SHOWN = {
    "complaints": "n",
    "open": "open",
    "acknowledged_within_share": "ack ≤48h",
    "hours_to_acknowledge_median": "h to ack",
    "days_to_close_median": "d to close",
    "days_to_close_p90": "p90",
    "open_older_than": "open >30d",
    "reopened_share": "reopen",
    "repeat_share": "repeat",
    "satisfied_after_share": "sat. after",
    "answers_after": "answers",
    "small_group": "small",
}
SHARES = ("acknowledged_within_share", "reopened_share", "repeat_share", "satisfied_after_share")


def _percent(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.0%}"


def _lifecycle_display(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    shown = frame[[*by, *LIFECYCLE_SHOWN]].copy()
    for column in SHARES:
        shown[column] = shown[column].map(_percent)
    if "month" in shown:
        shown["month"] = pd.to_datetime(shown["month"]).dt.strftime("%Y-%m")
    for column in by:
        shown[column] = shown[column].fillna("(none)")
    for column in ("hours_to_acknowledge_median", "days_to_close_median", "days_to_close_p90"):
        shown[column] = shown[column].round(1)
    shown["small_group"] = shown["small_group"].map({True: "yes", False: ""})
    return shown.rename(columns=LIFECYCLE_SHOWN)


def _cases_display(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    shown = frame.copy()
    shown["at"] = pd.to_datetime(shown["at"]).dt.strftime("%Y-%m-%d %H:%M")
    shown["days_waiting"] = shown["days_waiting"].round(1)
    score = shown["score"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    scale = shown["scale_max"].map(lambda v: "" if pd.isna(v) else f"/{v:g}")
    shown["about"] = (shown["survey"].fillna("") + " " + score + scale).str.strip()
    about_complaint = shown["category"].fillna("") + " (" + shown["severity"].fillna("?") + ")"
    complaint = shown["case_kind"] == "unresolved_complaint"
    shown.loc[complaint, "about"] = about_complaint[complaint]
    shown["case_kind"] = shown["case_kind"].replace({"unresolved_complaint": "complaint"})
    columns = ["priority", "case_kind", "case_id", "customer_id", "at", "days_waiting"]
    return shown[[*columns, "about", "channel"]].rename(
        columns={
            "priority": "prio",
            "case_kind": "case",
            "customer_id": "customer",
            "days_waiting": "waiting (d)",
        }
    )


def register(voice_app: typer.Typer) -> None:
    """Add the complaint commands to ``emptychair voice``."""

    @voice_app.command("complaints")
    def complaints(
        workspace: WorkspaceOption = None,
        by: Annotated[
            list[str] | None,
            typer.Option(
                "--by",
                help="Group by category, channel, severity, team or month (repeatable; "
                "default: category).",
            ),
        ] = None,
        as_of: AsOfOption = None,
        min_complaints: Annotated[
            int, typer.Option(help="Groups with fewer complaints are flagged small.")
        ] = 30,
        json: JsonOption = False,
    ) -> None:
        """Complaint lifecycle: acknowledged and closed how fast, reopened, repeated, and the
        satisfaction after resolution."""
        from emptychair.voice.complaints import complaint_lifecycle

        groups = by or ["category"]
        with open_workspace(workspace, read_only=True) as ws:
            table = complaint_lifecycle(ws, by=groups, as_of=as_of, min_complaints=min_complaints)
        if json:
            print_json(table)
            return
        print_frame(
            _lifecycle_display(table, groups),
            title=f"Complaints by {', '.join(groups)}" + (f" as of {as_of}" if as_of else ""),
            empty="no complaint",
        )

    @voice_app.command("closed-loop")
    def closed_loop_command(
        workspace: WorkspaceOption = None,
        days: Annotated[
            int, typer.Option(help="Days a case may wait for a follow-up contact.")
        ] = 7,
        as_of: AsOfOption = None,
        output: Annotated[
            Path | None, typer.Option(help="Also write every case to this .csv file.")
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Customers to call back: detractors and unresolved complaints with no follow-up
        contact within --days, most urgent first."""
        from emptychair.ingest.export import write_csv
        from emptychair.voice.closed_loop import closed_loop

        with open_workspace(workspace, read_only=True) as ws:
            cases = closed_loop(ws, days=days, as_of=as_of)
        if output is not None:
            write_csv(cases, output)
        if json:
            print_json(cases)
            return
        print_frame(
            _cases_display(cases),
            title=f"{len(cases)} case(s) with no follow-up contact within {days} days "
            "(1 = critical or high complaint, 2 = detractor, 3 = other complaint)",
            empty="every case was followed up",
        )
        if output is not None:
            console.print(f"written: {output}")
