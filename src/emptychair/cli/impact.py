"""``emptychair impact``: the driver tree from behaviour to money, and what-if scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json

if TYPE_CHECKING:
    from emptychair.impact.service import Simulation
    from emptychair.impact.tree import DriverTree

EndOption = Annotated[
    str | None,
    typer.Option("--end", help="Last day of the period, YYYY-MM-DD (default: the latest order)."),
]
MonthsOption = Annotated[
    int, typer.Option("--months", help="Length of the period (and of the base period before it).")
]
ChartOption = Annotated[
    Path | None,
    typer.Option("--chart", help="Also draw the tree into this file (.html, .png, .svg, .json)."),
]


def _print_tree(tree: DriverTree) -> None:
    from emptychair.impact.charts import shown

    frame = tree.to_frame()
    frame["value"] = [shown(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)]
    title = f"Driver tree, {tree.period}" + (f", segment {tree.segment}" if tree.segment else "")
    print_frame(frame[["node", "label", "value", "parent"]], title=title)
    for note in tree.notes:
        console.print(f"[dim]note: {note}[/dim]")


def _simulation_frame(result: Simulation) -> pd.DataFrame:
    """One row per scenario and outcome, so that the table stays narrow."""
    rows = []
    for row in result.table.to_dict("records"):
        for outcome in ("revenue", "value", "clv"):
            rows.append(
                {
                    "scenario": row["scenario"] if outcome == "revenue" else "",
                    "outcome": outcome,
                    "before": f"{row[outcome]:,.0f}",
                    "change": f"{row[f'{outcome}_change']:+,.0f}",
                    "interval": f"{row[f'{outcome}_change_low']:+,.0f} to "
                    f"{row[f'{outcome}_change_high']:+,.0f}",
                    "%": f"{100 * row[f'{outcome}_change_relative']:+.2f}",
                }
            )
    return pd.DataFrame(rows)


def _chart_paths(chart: Path, count: int) -> list[Path]:
    if count == 1:
        return [chart]
    return [chart.with_name(f"{chart.stem}-{i}{chart.suffix}") for i in range(1, count + 1)]


def register(app: typer.Typer) -> None:
    impact_app = typer.Typer(
        help="Impact: the driver tree from customer behaviour to money, and what-if scenarios."
    )
    app.add_typer(impact_app, name="impact")

    @impact_app.command("tree")
    def tree(
        workspace: WorkspaceOption = None,
        segment: Annotated[
            str | None,
            typer.Option("--segment", help="A value segment ('at risk'), tier:NAME, or visitors."),
        ] = None,
        end: EndOption = None,
        months: MonthsOption = 12,
        chart: ChartOption = None,
        json: JsonOption = False,
    ) -> None:
        """Fill the driver tree from the workspace: revenue and the returning customers' value."""
        from emptychair.impact.charts import save, tree_chart
        from emptychair.impact.service import driver_tree

        with open_workspace(workspace, read_only=True) as ws:
            found = driver_tree(ws, segment=segment, end=end, months=months)
        written = save(tree_chart(found), chart) if chart else None
        if json:
            print_json({**found.to_dict(), "chart": str(written) if written else None})
            return
        _print_tree(found)
        if written:
            console.print(f"chart written to {written}")

    @impact_app.command("simulate")
    def simulate(
        scenarios: Annotated[
            list[str] | None,
            typer.Argument(
                help="Scenarios: LEVER CHANGE [@SHARE] [in SEGMENT], e.g. "
                "'items+1@5% in visitors', 'retention +2pt in at risk', "
                "'irritant:delivery x0.5'.",
                show_default=False,
            ),
        ] = None,
        workspace: WorkspaceOption = None,
        file: Annotated[
            Path | None,
            typer.Option("--file", help="A YAML or TOML file with a list 'scenarios'."),
        ] = None,
        end: EndOption = None,
        months: MonthsOption = 12,
        resamples: Annotated[
            int, typer.Option("--resamples", help="Bootstrap resamples for the intervals.")
        ] = 200,
        level: Annotated[float, typer.Option("--level", help="Coverage of the intervals.")] = 0.9,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the resampling.")] = 0,
        store: Annotated[
            bool, typer.Option("--store", help="Store the result as an impact run.")
        ] = False,
        chart: ChartOption = None,
        json: JsonOption = False,
    ) -> None:
        """Simulate each scenario on the driver tree: revenue, value and CLV changes with
        intervals. A chart gets one file per scenario (FILE-1, FILE-2... when several)."""
        from emptychair.impact.charts import save, tree_chart
        from emptychair.impact.scenarios import as_scenarios, read_scenarios
        from emptychair.impact.service import run_simulation
        from emptychair.impact.service import simulate as simulate_scenarios

        chosen = as_scenarios([*(read_scenarios(file) if file else []), *(scenarios or [])])
        run_id = None
        with open_workspace(workspace, read_only=not store) as ws:
            if store:
                run_id, result = run_simulation(
                    ws, chosen, end=end, months=months, resamples=resamples, level=level, seed=seed
                )
            else:
                result = simulate_scenarios(
                    ws, chosen, end=end, months=months, resamples=resamples, level=level, seed=seed
                )
        written: list[str] = []
        if chart:
            for path, label in zip(
                _chart_paths(chart, len(chosen)), result.node_changes, strict=True
            ):
                spec = tree_chart(result.tree, result.node_changes[label], title=label)
                written.append(str(save(spec, path)))
        if json:
            print_json({**result.to_dict(), "run_id": run_id, "charts": written})
            return
        console.print(
            f"period {result.tree.period}; intervals: {result.level:.0%}, "
            f"{result.resamples} bootstrap resamples of the customers"
        )
        print_frame(_simulation_frame(result), title="Changes per scenario")
        for label, note in zip(result.table["scenario"], result.table["notes"], strict=True):
            if note:
                console.print(f"[dim]{label}: {note}[/dim]")
        if run_id:
            console.print(f"stored as impact run [bold]{run_id}[/bold]")
        for name in written:
            console.print(f"chart written to {name}")

    from emptychair.cli.impact_initiatives import register_initiatives

    register_initiatives(impact_app)
