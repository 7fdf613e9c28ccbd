"""``emptychair voice``: what customers say, with honest margins of error."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json
from emptychair.cli.voice_complaints import register as register_complaints
from emptychair.cli.voice_run import register as register_runs
from emptychair.errors import InvalidParameterError
from emptychair.voice.context import feedback_in_context

KindArgument = Annotated[str, typer.Argument(help="nps, csat or ces.")]
ByOption = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        help="Group by a feedback column (channel, touchpoint...), or by team (of the last "
        "contact before the answer), segment or tier (of the latest value run); repeatable.",
    ),
]
MinimumOption = Annotated[
    int, typer.Option(help="Groups with fewer answers are flagged, never ranked.")
]


def _window(text: str, name: str) -> tuple[date, date]:
    start, _, end = text.partition("..")
    try:
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise InvalidParameterError(
            f"--{name} {text!r}: write the period as YYYY-MM-DD..YYYY-MM-DD (end excluded)"
        ) from None


SHOWN = {
    "nps": ("nps", "nps_low", "nps_high"),
    "csat": ("csat", "csat_low", "csat_high"),
    "ces": ("ces_mean", "ces_low", "ces_high", "easy_share"),
}


def _display(table: pd.DataFrame, kind: str, by: list[str]) -> pd.DataFrame:
    """The columns people read: groups, answers, the score and its interval, the flag."""
    columns = [*by, "period_start", "responses", *SHOWN[kind], "small_group", "rank"]
    shown = table[[c for c in columns if c in table.columns]].copy()
    if "period_start" in shown:
        shown["period_start"] = pd.to_datetime(shown["period_start"]).dt.strftime("%Y-%m-%d")
    for column in SHOWN[kind]:
        if kind == "csat" or column == "easy_share":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    return shown.rename(columns={"period_start": "period", "small_group": "small"})


def register(app: typer.Typer) -> None:
    voice_app = typer.Typer(
        help="Voice of the customer: scores with intervals, verbatims, themes, irritants."
    )
    app.add_typer(voice_app, name="voice")
    register_runs(voice_app)
    register_complaints(voice_app)

    @voice_app.command("scores")
    def scores(
        kind: KindArgument,
        workspace: WorkspaceOption = None,
        by: ByOption = None,
        period: Annotated[str | None, typer.Option(help="Also by week, month or quarter.")] = None,
        min_responses: MinimumOption = 30,
        json: JsonOption = False,
    ) -> None:
        """NPS, CSAT or CES per group and period, with the interval of each score."""
        from emptychair.voice.scores import score_summary

        with open_workspace(workspace, read_only=True) as ws:
            table = score_summary(
                feedback_in_context(ws, by or []),
                kind,
                by=by or [],
                period=period,
                min_responses=min_responses,
            )
        if json:
            print_json(table)
            return
        print_frame(
            _display(table, kind, by or []),
            title=f"{kind.upper()} with 95 % intervals (small groups not ranked)",
        )

    @voice_app.command("compare")
    def compare(
        kind: KindArgument,
        first: Annotated[str, typer.Option(help="First period, YYYY-MM-DD..YYYY-MM-DD.")],
        second: Annotated[str, typer.Option(help="Second period, YYYY-MM-DD..YYYY-MM-DD.")],
        workspace: WorkspaceOption = None,
        by: ByOption = None,
        min_responses: MinimumOption = 30,
        json: JsonOption = False,
    ) -> None:
        """Did the score change between two periods? Tested per group, false alarms controlled."""
        from emptychair.voice.scores import compare_periods

        with open_workspace(workspace, read_only=True) as ws:
            table = compare_periods(
                feedback_in_context(ws, by or []),
                kind,
                _window(first, "first"),
                _window(second, "second"),
                by=by or [],
                min_responses=min_responses,
            )
        if json:
            print_json(table)
            return
        shown = table.drop(columns=["statistic", "p_value"], errors="ignore").rename(
            columns=lambda c: c.replace("responses_", "n_").replace("p_value_adjusted", "p adj.")
        )
        print_frame(shown, title=f"{kind.upper()}: {first} → {second}")
        changed = int(table["significant"].sum())
        console.print(f"{changed} significant change(s) after the Benjamini–Hochberg adjustment")

    @voice_app.command("taxonomy")
    def taxonomy(
        write: Annotated[
            Path | None, typer.Option(help="Write the default taxonomy here, to edit it.")
        ] = None,
        check: Annotated[Path | None, typer.Option(help="Check an edited taxonomy file.")] = None,
        json: JsonOption = False,
    ) -> None:
        """The themes customers talk about: show, write for editing, or check a file."""
        from emptychair.voice.taxonomy_file import load_taxonomy, write_default_taxonomy

        if write is not None:
            console.print(f"written: {write_default_taxonomy(write)}")
            return
        loaded = load_taxonomy(check)
        rows = [
            {
                "theme": theme.id,
                "label_en": theme.label.get("en", ""),
                "label_fr": theme.label.get("fr", ""),
                "terms": sum(len(terms) for terms in theme.terms.values()),
            }
            for theme in loaded.themes
        ]
        if json:
            print_json(rows)
            return
        import pandas as pd

        print_frame(
            pd.DataFrame(rows), title=f"{len(rows)} themes" + (f" in {check}" if check else "")
        )
