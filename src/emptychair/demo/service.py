"""Build the demo workspace: generate Maison Exemple, import it for real, report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
from rich.console import Console

from emptychair.demo.generator import MINIMUM_CUSTOMERS, generate_company
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.voice_truth import driver_recovery, emerging_recovery, theme_recovery
from emptychair.errors import InvalidParameterError
from emptychair.ingest.result import ImportResult
from emptychair.journeys.events import workspace_event_log
from emptychair.journeys.funnels import funnel
from emptychair.journeys.report import journeys_report, save_charts
from emptychair.journeys.service import run_journeys
from emptychair.schema import TABLES
from emptychair.value.report import value_report
from emptychair.value.service import run_value
from emptychair.voice.report import voice_report
from emptychair.voice.service import run_voice
from emptychair.workspace import Workspace

DATA_FOLDER = "demo-data"
JOURNEY_CHARTS_FOLDER = "charts"
#: The tracked online purchase path of the demo's web visitors (a funnel worth drawing).
DEMO_FUNNEL = ("web:visit", "web:search", "web:cart", "web:checkout")


@dataclass
class DemoReport:
    """What ``emptychair demo`` built."""

    workspace: Path
    truth: Path
    imports: pd.DataFrame
    tables: pd.DataFrame
    example_customer: str
    results: list[ImportResult]
    value: pd.DataFrame | None = None
    value_headline: dict[str, Any] | None = None
    voice_headline: dict[str, Any] | None = None
    #: Planted themes found in the verbatims: precision, recall, sentiment agreement.
    themes: pd.DataFrame | None = None
    #: Drivers found from the text against those of the planted themes, per score kind.
    drivers: pd.DataFrame | None = None
    #: The planted emerging topic (gift cards) found among the emerging themes.
    emerging: pd.DataFrame | None = None
    #: Friction indicators of the journeys run (overall, by channel, team, touchpoint, segment).
    frictions: pd.DataFrame | None = None
    #: Chart files of the journeys run (graph, Sankey, funnel, frictions by team, satisfaction).
    journey_charts: list[Path] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "truth": str(self.truth),
            "example_customer": self.example_customer,
            "imports": [r.to_dict(error_limit=5) for r in self.results],
            "tables": dict(zip(self.tables["table"], self.tables["rows"], strict=True)),
            "value": None if self.value is None else self.value.to_dict("records"),
            "value_headline": self.value_headline,
            "voice_headline": self.voice_headline,
            "themes": None if self.themes is None else self.themes.to_dict("records"),
            "drivers": None if self.drivers is None else self.drivers.to_dict("records"),
            "emerging": None if self.emerging is None else self.emerging.to_dict("records"),
            "frictions": None if self.frictions is None else self.frictions.to_dict("records"),
            "journey_charts": None
            if self.journey_charts is None
            else [str(path) for path in self.journey_charts],
        }


def build_demo(
    directory: Path,
    *,
    customers: int = 50_000,
    seed: int = 0,
    end: date | None = None,
    show_progress: bool = False,
) -> DemoReport:
    """Generate the demo company into ``directory`` and import every file through the importer.

    Running it again with the same seed and end date changes nothing (every row is
    reported unchanged).
    """
    if customers < MINIMUM_CUSTOMERS:
        raise InvalidParameterError(
            f"--customers {customers}: the demo needs at least {MINIMUM_CUSTOMERS} customers"
        )
    console = Console(stderr=True, quiet=not show_progress)
    workspace = Workspace.init(directory, name="Maison Exemple (demo)")
    try:
        with console.status(f"Generating {customers:,} customers..."):
            files = generate_company(
                directory / DATA_FOLDER, customers=customers, seed=seed, end=end
            )
        results = []
        for table, paths in files.files.items():
            for path in paths:
                with console.status(f"Importing {path.name} into {table}..."):
                    results.append(workspace.import_file(table, path))
                console.print(f"[green]✓[/green] {path.name} → {table}")
        imports = pd.DataFrame(
            [
                {
                    "file": Path(r.file).name,
                    "table": r.table,
                    "read": r.rows_read,
                    "loaded": r.rows_loaded,
                    "updated": r.rows_updated,
                    "unchanged": r.rows_unchanged,
                    "quarantined": r.rows_quarantined,
                    "seconds": round(r.seconds, 2),
                }
                for r in results
            ]
        )
        counts = {name: workspace.count(name) for name in TABLES}
        counts["linked customer records"] = workspace.count("_customer_links")
        counts["quarantined problems"] = workspace.count("_quarantine")
        tables = pd.DataFrame({"table": list(counts), "rows": list(counts.values())})
        example = example_customer(workspace)
        with console.status("Scoring customer value (CLV with intervals)..."):
            run = run_value(workspace)
        console.print("[green]✓[/green] customer value scored")
        headline = value_report(workspace, run.run_id).headline()
        with console.status("Reading the verbatims (themes, sentiment, irritants)..."):
            voice = run_voice(workspace)
        console.print("[green]✓[/green] verbatims read")
        voice_headline = voice_report(workspace, voice.run_id).headline()
        themes = theme_recovery(files.truth, voice.tables["voice_mentions"])
        drivers = driver_recovery(
            files.truth, voice.tables["voice_verbatims"], voice.tables["voice_drivers"]
        )
        emerging = emerging_recovery(
            files.truth, voice.tables["voice_verbatims"], voice.tables["voice_emerging"]
        )
        with console.status("Mapping the journeys (variants, graph, frictions)..."):
            journeys = run_journeys(workspace)
        console.print("[green]✓[/green] journeys mapped")
        frictions = journeys.tables["journeys_friction"]
        with console.status("Drawing the journeys (graph, Sankey, funnel, frictions)..."):
            journey_charts = draw_journeys(workspace, journeys.run_id, directory)
        console.print(f"[green]✓[/green] journey charts in {directory / JOURNEY_CHARTS_FOLDER}")
        run_scorecard_and_actions(workspace, console)
    finally:
        workspace.close()
    value = recovered_parameters(run.parameters, DemoParameters(customers, seed, date.today()))
    return DemoReport(
        directory,
        files.truth,
        imports,
        tables,
        example,
        results,
        value,
        headline,
        voice_headline,
        themes,
        drivers,
        emerging,
        frictions,
        journey_charts,
    )


def run_scorecard_and_actions(workspace: Workspace, console: Console) -> None:
    """The team scorecard, the customer-first decisions and the past campaigns weighed (short
    gain against later harm), so every page has its numbers."""
    from emptychair.actions.practices import run_practices
    from emptychair.actions.service import run_actions
    from emptychair.errors import EmptyChairError
    from emptychair.scorecard import run_scorecard

    with console.status("Judging teams on customer outcomes (scorecard)..."):
        run_scorecard(workspace)
    console.print("[green]✓[/green] scorecard")
    with console.status("Choosing the next action for each customer, customer first..."):
        run_actions(workspace)
    console.print("[green]✓[/green] customer-first actions decided")
    with console.status("Weighing past campaigns: short-term gain against later harm..."):
        try:
            found = run_practices(workspace)
        except EmptyChairError as error:  # a very small company may have too few sends
            console.print(f"[yellow]practices not assessed: {error}[/yellow]")
        else:
            flagged = ", ".join(found.flagged) or "none"
            console.print(f"[green]✓[/green] past campaigns weighed (flagged: {flagged})")


def draw_journeys(workspace: Workspace, run_id: str, directory: Path) -> list[Path]:
    """Write the charts of the journeys run, with the online purchase funnel, as PNG files
    into ``directory/charts``."""
    report = journeys_report(workspace, run_id)
    log = workspace_event_log(workspace, level=report.settings["level"])
    report.funnel = funnel(log, DEMO_FUNNEL)
    return save_charts(report, directory / JOURNEY_CHARTS_FOLDER, "png")


def recovered_parameters(estimates: pd.DataFrame, truth: DemoParameters) -> pd.DataFrame:
    """The value models' estimates beside the demo's true parameters."""
    true_values = {
        ("bgnbd", name): getattr(truth.bgnbd, name) for name in ("r", "alpha", "a", "b")
    } | {
        ("gammagamma", name): getattr(truth.gamma_gamma, key)
        for name, key in (("p", "p"), ("q", "q"), ("v", "gamma"))
    }
    frame = estimates[["model", "parameter", "estimate", "standard_error", "lower", "upper"]].copy()
    frame.insert(
        2,
        "truth",
        [true_values.get((m, p)) for m, p in zip(frame["model"], frame["parameter"], strict=True)],
    )
    return frame


def example_customer(workspace: Workspace) -> str:
    """A customer worth showing: merged from records that all have events, with the most
    events across channels."""
    links = workspace.table("_customer_links")
    interactions = workspace.table("interactions")
    orders = workspace.table("orders")
    events = interactions.select("customer_id", "channel").union(
        orders.select("customer_id", "channel")
    )
    records = links.group_by("golden_id").aggregate(records=ibis._.count())
    per_golden = (
        events.join(links, "customer_id")
        .group_by("golden_id")
        .aggregate(
            channels=ibis._.channel.nunique(),
            events=ibis._.count(),
            with_events=ibis._.customer_id.nunique(),
        )
        .join(records, "golden_id")
        # every merged record has events of its own: the timeline shows them side by side
        .filter(ibis._.with_events == ibis._.records)
        .order_by([ibis.desc("channels"), ibis.desc("events"), "golden_id"])
        .limit(1)
    )
    found = workspace.to_pandas(per_golden)
    if not found.empty:
        return str(found["golden_id"].iloc[0])
    customers = workspace.to_pandas(workspace.table("customers").select("customer_id").limit(1))
    return str(customers["customer_id"].iloc[0]) if len(customers) else ""
