"""``emptychair actions``: what to do for each customer, customer benefit first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records
from emptychair.errors import InvalidParameterError

if TYPE_CHECKING:
    from emptychair.actions import ActionsRun, Catalogue
    from emptychair.actions.practices import PracticesResult

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Decide as of this date, YYYY-MM-DD (default: the latest date in the data).",
        show_default=False,
    ),
]
LanguageOption = Annotated[
    str, typer.Option("--lang", help="Language of labels and reasons: fr or en.")
]


def _language(value: str) -> str:
    if value not in ("fr", "en"):
        raise InvalidParameterError(f"--lang {value!r}: use fr or en")
    return value


def _catalogue_frame(catalogue: Catalogue, language: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": rank,
                "id": action.id,
                "label": action.name(language),
                "kind": action.kind,
                "benefit": f"{action.benefit.amount:g} ({action.benefit.unit})",
                "net value": action.net_value,
                "channel": action.channel,
                "consent": action.consent,
            }
            for rank, action in enumerate(catalogue.actions, start=1)
        ]
    )


def _print_run(run: ActionsRun) -> None:
    console.print(
        f"run [bold]{run.run_id}[/bold]: {run.customers:,} customers as of {run.as_of:%Y-%m-%d}"
    )
    for warning in run.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    print_frame(run.actions, title="Decisions per action")
    blocked = run.guardrails[run.guardrails["blocked_customers"] > 0]
    print_frame(blocked, title="Eligible customers blocked by a guardrail", empty="none")


def _run_json(run: ActionsRun) -> dict[str, object]:
    return {
        "run_id": run.run_id,
        "as_of": run.as_of.isoformat(),
        "customers": run.customers,
        "actions": records(run.actions),
        "guardrails": records(run.guardrails),
        "warnings": run.warnings,
    }


#: Columns of the effects table as printed (the JSON output holds every column).
EFFECT_COLUMNS = (
    "practice",
    "outcome",
    "contacted",
    "baseline",
    "effect",
    "low",
    "high",
    "q_value",
    "signal",
)
PRACTICE_COLUMNS = (
    "practice",
    "channel",
    "campaigns",
    "contacted",
    "matched",
    "compared",
    "flagged",
    "status",
)


def _practices_json(found: PracticesResult) -> dict[str, object]:
    settings = {k: v for k, v in vars(found.settings).items() if k != "as_of"}
    return {
        "run_id": found.run_id,
        "as_of": found.as_of.isoformat(),
        "settings": settings,
        "flagged": found.flagged,
        "practices": records(found.practices),
        "effects": records(found.effects),
        "warnings": found.warnings,
    }


def _print_practices(found: PracticesResult) -> None:
    s = found.settings
    stored = f"run [bold]{found.run_id}[/bold]: " if found.run_id else ""
    console.print(
        f"{stored}{len(found.practices)} practice(s) with data up to {found.as_of:%Y-%m-%d}; "
        f"revenue over {s.short_days} days against harm from day {s.short_days} to "
        f"{s.long_days}, false discovery rate {s.alpha:g}"
    )
    flagged = found.practices[found.practices["flagged"].astype(bool)]
    for row in flagged.itertuples():
        console.print(
            f"[bold red]flagged:[/bold red] [bold]{row.practice}[/bold] ({row.channel}) pays "
            f"now and hurts later: {row.harms}"
        )
    if flagged.empty:
        console.print("[green]no practice pays now and hurts later[/green]")
    for warning in found.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    print_frame(found.practices[list(PRACTICE_COLUMNS)], title="Practices")
    shown = [c for c in EFFECT_COLUMNS if c in found.effects]
    print_frame(
        found.effects[shown],
        title=f"Effects on the contacted customers ({1 - s.alpha:.0%} intervals)",
        empty="none assessed",
    )


def register(app: typer.Typer) -> None:
    actions_app = typer.Typer(
        help="Customer-first actions: catalogue, guardrails, decisions and overrides."
    )
    app.add_typer(actions_app, name="actions")

    @actions_app.command("catalogue")
    def catalogue(
        workspace: WorkspaceOption = None,
        check: Annotated[
            Path | None,
            typer.Option("--check", help="Check this catalogue file instead of showing one."),
        ] = None,
        language: LanguageOption = "en",
        json: JsonOption = False,
    ) -> None:
        """Show the actions in ranking order and the guardrail settings, or check a file."""
        from emptychair.actions.arbitration import workspace_catalogue
        from emptychair.actions.catalogue import load_catalogue

        language = _language(language)
        if check is not None:
            found = load_catalogue(check)
        else:
            with open_workspace(workspace, read_only=True) as ws:
                found = workspace_catalogue(ws)
        frame = _catalogue_frame(found, language)
        if json:
            print_json(
                {
                    "source": found.source,
                    "guardrails": vars(found.guardrails),
                    "actions": records(frame),
                }
            )
            return
        if check is not None:
            console.print(f"{check}: {len(found.actions)} action(s), no problem found")
        print_frame(frame, title=f"Actions ({found.source})")
        for action in found.actions:
            console.print(f"  {action.id}: [dim]{action.rule.source}[/dim]")
        print_mapping(vars(found.guardrails), title="Guardrails")

    @actions_app.command("decide")
    def decide(
        customer_id: Annotated[str, typer.Argument(help="Customer id (any of their records).")],
        workspace: WorkspaceOption = None,
        as_of: AsOfOption = None,
        language: LanguageOption = "en",
        json: JsonOption = False,
    ) -> None:
        """Decide for one customer and say why: why this, why not the others."""
        from emptychair.actions import decide as decide_one

        language = _language(language)
        with open_workspace(workspace, read_only=True) as ws:
            decision = decide_one(ws, customer_id, as_of=as_of)
        if json:
            print_json(decision.to_dict(language))
            return
        heading = decision.action.name(language) if decision.action else "no action"
        console.print(f"[bold]{decision.customer_id}[/bold] → [bold green]{heading}[/bold green]")
        console.print(decision.why(language))
        for warning in decision.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}")
        for line in decision.why_not(language):
            console.print(f"  • {line}")
        override = decision.override_text(language)
        if override:
            console.print(f"[bold magenta]{override}[/bold magenta]")

    @actions_app.command("run")
    def run(
        workspace: WorkspaceOption = None,
        as_of: AsOfOption = None,
        json: JsonOption = False,
    ) -> None:
        """Decide for every customer in the engine and store the run."""
        from emptychair.actions import run_actions

        with open_workspace(workspace) as ws:
            if json:
                result = run_actions(ws, as_of=as_of)
            else:
                with console.status("actions") as status:
                    result = run_actions(ws, as_of=as_of, on_step=lambda s: status.update(s))
        if json:
            print_json(_run_json(result))
            return
        _print_run(result)

    @actions_app.command("summary")
    def summary(
        workspace: WorkspaceOption = None,
        run_id: Annotated[
            str | None, typer.Option("--run", help="Run id (default: latest).")
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Counts of a stored run per action and per guardrail."""
        from emptychair.actions import actions_summary

        with open_workspace(workspace, read_only=True) as ws:
            result = actions_summary(ws, run_id)
        if json:
            print_json(_run_json(result))
            return
        _print_run(result)

    @actions_app.command("override")
    def override(
        customer_id: Annotated[str, typer.Argument(help="Customer id (any of their records).")],
        action: Annotated[
            str, typer.Option("--action", help="Action id to apply instead, or none.")
        ],
        reason: Annotated[str, typer.Option("--reason", help="Why the decision is overridden.")],
        by: Annotated[str, typer.Option("--by", help="Who decides.")],
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Replace the decision for a customer by a person's (recorded, never erased)."""
        from emptychair.actions import record_override
        from emptychair.actions.arbitration import workspace_catalogue

        with open_workspace(workspace) as ws:
            recorded = record_override(
                ws,
                customer_id,
                action,
                reason=reason,
                decided_by=by,
                catalogue=workspace_catalogue(ws),
            )
        if json:
            print_json(
                {
                    "customer_id": recorded.customer_id,
                    "action_id": recorded.action_id,
                    "reason": recorded.reason,
                    "decided_by": recorded.decided_by,
                    "recorded_at": recorded.recorded_at,
                }
            )
            return
        console.print(
            f"override recorded for {recorded.customer_id}: "
            f"{recorded.action_id or 'no action'} (by {recorded.decided_by})"
        )

    @actions_app.command("practices")
    def practices(
        workspace: WorkspaceOption = None,
        store: Annotated[
            bool, typer.Option("--store", help="Store the result as a run (practices).")
        ] = False,
        stored: Annotated[
            bool, typer.Option("--stored", help="Show the latest stored run instead.")
        ] = False,
        run_id: Annotated[
            str | None, typer.Option("--run", help="Show this stored run instead.")
        ] = None,
        short_days: Annotated[
            int, typer.Option("--short-days", help="Days of the short-term revenue window.")
        ] = 30,
        long_days: Annotated[
            int, typer.Option("--long-days", help="Day the long-term harm window ends.")
        ] = 180,
        alpha: Annotated[
            float, typer.Option("--alpha", help="False discovery rate across all effects.")
        ] = 0.05,
        min_contacted: Annotated[
            int,
            typer.Option("--min-contacted", help="Contacted customers a practice needs."),
        ] = 50,
        by: Annotated[
            str,
            typer.Option("--by", help="practice (campaign ids without their date) or campaign."),
        ] = "practice",
        as_of: AsOfOption = None,
        json: JsonOption = False,
    ) -> None:
        """Find practices that pay now and hurt later: revenue lift against later harm."""
        from emptychair.actions.practices import (
            PracticeSettings,
            detect_practices,
            practices_summary,
            run_practices,
        )

        if stored or run_id is not None:
            if store:
                raise InvalidParameterError("--stored and --run show a stored run: drop --store")
            with open_workspace(workspace, read_only=True) as ws:
                found = practices_summary(ws, run_id)
        else:
            settings = PracticeSettings(
                short_days=short_days,
                long_days=long_days,
                alpha=alpha,
                min_contacted=min_contacted,
                by=by,
                as_of=as_of,
            )
            with open_workspace(workspace, read_only=not store) as ws:
                compute = run_practices if store else detect_practices
                if json:
                    found = compute(ws, settings)
                else:
                    with console.status("practices") as status:
                        found = compute(ws, settings, on_step=lambda s: status.update(s))
        if json:
            print_json(_practices_json(found))
            return
        _print_practices(found)
