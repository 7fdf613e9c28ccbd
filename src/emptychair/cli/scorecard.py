"""``emptychair scorecard``: outcome KPIs beside productivity KPIs, and where they diverge."""

from __future__ import annotations

from typing import Annotated

import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, records
from emptychair.errors import InvalidParameterError

ByOption = Annotated[str, typer.Option("--by", help="Compare teams or channels: team, channel.")]
PeriodOption = Annotated[
    str,
    typer.Option(
        "--period", help="Periods for trend warnings: half, quarter, month, or none (peers only)."
    ),
]
AgentsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--agents", help="Agents of a team, for contacts per agent: TEAM=COUNT (repeatable)."
    ),
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of the warnings: en or fr.")]
SHOWN = {
    "handled": "contacts",
    "aht_s": "AHT s",
    "contacts_per_agent": "/agent",
    "fcr": "FCR %",
    "csat": "CSAT %",
    "easy": "easy %",
    "complaints_per_1000": "compl./1000",
    "resolution_days": "days to close",
    "retention": "reorder %",
}
SHARES = ("fcr", "csat", "easy", "retention")


def _agents(values: list[str] | None) -> dict[str, int]:
    agents: dict[str, int] = {}
    for value in values or []:
        team, sep, count = value.rpartition("=")
        if not sep or not team or not count.strip().isdigit():
            raise InvalidParameterError(
                f"--agents {value!r} is not TEAM=COUNT with a whole number, e.g. 'CC Lille=34'"
            )
        agents[team.strip()] = int(count)
    return agents


def _period(value: str) -> str | None:
    return None if value == "none" else value


def _language(value: str) -> str:
    if value not in ("en", "fr"):
        raise InvalidParameterError(f"--lang {value!r} is not supported; use en or fr")
    return value


def register(app: typer.Typer) -> None:
    scorecard_app = typer.Typer(
        help="Customer-orientation scorecard: outcomes beside productivity, per team and channel."
    )
    app.add_typer(scorecard_app, name="scorecard")

    @scorecard_app.command("show")
    def show(
        workspace: WorkspaceOption = None,
        by: ByOption = "team",
        period: PeriodOption = "half",
        agents: AgentsOption = None,
        lang: LangOption = "en",
        json_output: JsonOption = False,
    ) -> None:
        """KPIs per team (or channel) and the warnings where productivity rises as outcomes fall."""
        from emptychair.scorecard import ScorecardSettings, scorecard

        language = _language(lang)
        settings = ScorecardSettings(agents=_agents(agents))
        with open_workspace(workspace, read_only=True) as ws:
            card = scorecard(ws, by, period=_period(period), settings=settings)
        if json_output:
            print_json({"by": by, "kpis": records(card.kpis), "warnings": records(card.warnings)})
            return
        columns = [by, *(["channel"] if "channel" in card.kpis and by == "team" else []), *SHOWN]
        shown = card.kpis[columns].copy()
        for share in SHARES:
            shown[share] = (100 * shown[share]).round(0)
        shown = shown.round({"aht_s": 0, "complaints_per_1000": 1, "resolution_days": 1})
        if shown["contacts_per_agent"].isna().all():
            shown = shown.drop(columns="contacts_per_agent")
        print_frame(shown.rename(columns=SHOWN), title=f"Scorecard by {by}")
        if card.warnings.empty:
            console.print(
                "[green]No warning: no group gains productivity at the customer's expense.[/green]"
            )
        for message in card.warnings[f"message_{language}"]:
            console.print(f"[yellow]warning:[/yellow] {message}")

    @scorecard_app.command("run")
    def run(
        workspace: WorkspaceOption = None,
        period: PeriodOption = "half",
        agents: AgentsOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Compute the scorecard by team and by channel and store it as a run."""
        from emptychair.scorecard import ScorecardSettings, run_scorecard

        settings = ScorecardSettings(agents=_agents(agents))
        with open_workspace(workspace) as ws:
            run_id, cards = run_scorecard(ws, period=_period(period), settings=settings)
        warnings = sum(len(card.warnings) for card in cards.values())
        if json_output:
            print_json({"run_id": run_id, "warnings": warnings})
            return
        console.print(f"scorecard run [bold]{run_id}[/bold]: {warnings} warning(s) stored")


__all__ = ["register"]
