"""``emptychair value``: what customers are worth, with honest uncertainty."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records
from emptychair.errors import InvalidParameterError

if TYPE_CHECKING:
    from emptychair.value.report import ValueReport

ModelOption = Annotated[
    str, typer.Option("--model", help="bgnbd, paretonbd or mbgnbd (purchases; CLV uses it).")
]
MonthsOption = Annotated[int, typer.Option("--months", help="CLV horizon in months.")]
DiscountOption = Annotated[
    float, typer.Option("--discount-rate", help="Monthly discount rate (0.01 ≈ 12.7 %/year).")
]
UnitOption = Annotated[
    str, typer.Option("--unit", help="Time unit of recency and T: weeks or days.")
]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="FILE_COLUMN=MODEL_COLUMN, e.g. nb_achats=frequency (repeatable)."),
]


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(f"--cutoff {text!r}: write the date as YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    value_app = typer.Typer(help="Customer value: RFM, CLV with intervals, segments, cohorts.")
    app.add_typer(value_app, name="value")

    @value_app.command("run")
    def run(
        workspace: WorkspaceOption = None,
        cutoff: Annotated[
            str | None, typer.Option(help="End of observation, YYYY-MM-DD (default: last order).")
        ] = None,
        model: ModelOption = "bgnbd",
        unit: UnitOption = "weeks",
        months: MonthsOption = 12,
        discount_rate: DiscountOption = 0.01,
        margin: Annotated[
            float | None,
            typer.Option(help="Share of spend that is profit (default: from order margins)."),
        ] = None,
        holdout_weeks: Annotated[
            int,
            typer.Option(help="Weeks held out to check the model on unseen purchases (0: none)."),
        ] = 26,
        json: JsonOption = False,
    ) -> None:
        """Score every customer (P(alive), CLV with interval, segment) and store the run."""
        from emptychair.value.report import value_report
        from emptychair.value.service import ValueSettings, run_value

        settings = ValueSettings(
            cutoff=_date(cutoff),
            model=model,
            time_unit=unit,
            months=months,
            discount_rate=discount_rate,
            margin=margin,
            holdout_weeks=holdout_weeks,
        )
        with open_workspace(workspace) as ws:
            if json:
                result = run_value(ws, settings)
            else:
                with console.status("value analysis") as status:
                    result = run_value(ws, settings, on_step=lambda s: status.update(s))
            report = value_report(ws, result.run_id)
        if json:
            print_json({"headline": report.headline(), **_tables_json(report)})
            return
        _print_report(report, brief=True)
        console.print("Full report and charts: [bold]emptychair value report --charts DIR[/bold]")

    @value_app.command("report")
    def report(
        workspace: WorkspaceOption = None,
        run_id: Annotated[
            str | None, typer.Option("--run", help="Run id (default: latest).")
        ] = None,
        charts: Annotated[
            Path | None, typer.Option(help="Write the charts into this folder.")
        ] = None,
        chart_format: Annotated[
            str, typer.Option("--format", help="Chart files: png, svg or json (Vega-Lite).")
        ] = "png",
        json: JsonOption = False,
    ) -> None:
        """Show a stored value run: parameters, segments, tiers, concentration, cohorts."""
        from emptychair.value.report import save_charts, value_report

        with open_workspace(workspace, read_only=True) as ws:
            stored = value_report(ws, run_id)
        written = save_charts(stored, charts, chart_format) if charts else []
        if json:
            print_json(
                {
                    "headline": stored.headline(),
                    **_tables_json(stored),
                    "charts": [str(p) for p in written],
                }
            )
            return
        _print_report(stored, brief=False)
        for path in written:
            console.print(f"chart: {path}")

    @value_app.command("fit")
    def fit(
        summary: Annotated[Path, typer.Option(help="RFM summary file (CSV, Parquet, JSONL).")],
        model: Annotated[
            str,
            typer.Option(help="bgnbd, paretonbd, mbgnbd, bgbb, sbg or gammagamma."),
        ] = "bgnbd",
        mapping: MapOption = None,
        weights: Annotated[
            str | None, typer.Option(help="Column with the number of customers per row.")
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Fit a model on a summary you already have and print its estimates."""
        from emptychair.ingest.mapping import parse_map_options
        from emptychair.value.summary_fit import fit_summary_file

        fitted = fit_summary_file(summary, model, parse_map_options(mapping or []), weights)
        facts = {
            "model": model,
            "rows": fitted.rows,
            "customers": fitted.model.n_customers_,
            "log_likelihood": fitted.model.log_likelihood_,
            **{k: v for k, v in fitted.model.diagnostics_.items() if k != "message"},
        }
        if json:
            print_json({**facts, "parameters": records(fitted.table())})
            return
        print_frame(fitted.table(), title=f"{model} fitted on {summary}")
        print_mapping(facts, title="Fit")

    @value_app.command("predict")
    def predict(
        summary: Annotated[Path, typer.Option(help="RFM summary file (CSV, Parquet, JSONL).")],
        output: Annotated[
            Path | None, typer.Option(help="Write every scored row to this .csv or .parquet.")
        ] = None,
        model: ModelOption = "bgnbd",
        mapping: MapOption = None,
        unit: UnitOption = "weeks",
        months: MonthsOption = 12,
        discount_rate: DiscountOption = 0.01,
        margin: Annotated[float, typer.Option(help="Share of spend that is profit.")] = 1.0,
        json: JsonOption = False,
    ) -> None:
        """Fit on a summary file and score each row: P(alive), purchases, CLV."""
        from emptychair.ingest.export import write_csv
        from emptychair.ingest.mapping import parse_map_options
        from emptychair.value.summary_fit import score_summary_file

        scored, fitted = score_summary_file(
            summary,
            model,
            parse_map_options(mapping or []),
            months=months,
            discount_rate=discount_rate,
            margin=margin,
            time_unit=unit,
        )
        if output is not None:
            if output.suffix.lower() == ".parquet":
                scored.to_parquet(output, index=False)
            else:
                write_csv(scored, output)
        if json:
            print_json(
                {
                    "rows": len(scored),
                    "output": str(output) if output else None,
                    "parameters": {f.model_name: records(f.table()) for f in fitted},
                    "scores": records(scored.head(20)),
                }
            )
            return
        for item in fitted:
            print_frame(item.table(), title=f"{item.model_name} fitted on {summary}")
        print_frame(scored.head(20), title=f"First rows of {len(scored):,} scored")
        if output is not None:
            console.print(f"every row: {output}")


def _tables_json(report: ValueReport) -> dict[str, object]:
    tables = report.tables
    return {
        "run_id": report.run_id,
        "settings": report.settings,
        "statements": {
            "en": report.summary["statements_en"],
            "fr": report.summary["statements_fr"],
        },
        "diagnostics": report.summary["diagnostics"],
        **{name: records(tables[name]) for name in ("parameters", "segments", "tiers", "holdout")},
        "acquisition": records(tables["acquisition"]),
    }


def _print_report(report: ValueReport, brief: bool) -> None:
    tables = report.tables
    print_mapping(report.headline(), title="Customer value")
    parameters = tables["parameters"]
    print_frame(
        parameters.drop(columns=["log_likelihood", "customers"]),
        title="Model parameters (95 % intervals)",
    )
    console.print("[bold]Concentration[/bold]")
    for sentence in report.summary["statements_en"]:
        console.print(f"  {sentence}")
    print_frame(
        _percentages(tables["tiers"]),
        title="CLV tiers (uncertain: the interval crosses a tier edge)",
    )
    if brief:
        return
    segments = tables["segments"][
        ["segment", "customers", "share_of_customers", "revenue", "share_of_revenue"]
    ]
    print_frame(_percentages(segments), title="RFM segments")
    print_frame(tables["acquisition"], title="Acquisition channels: CLV, CAC and payback")
    if not tables["holdout"].empty:
        print_frame(
            tables["holdout"],
            title="Model check: mean repeat purchases in the held-out weeks, "
            "by repeat purchases before them",
        )
    cohorts = tables["cohorts"]
    recent = cohorts[cohorts["cohort"] >= cohorts["cohort"].max() - pd.DateOffset(months=11)]
    triangle = recent.pivot(
        index="cohort", columns="periods_since_acquisition", values="retention"
    ).iloc[:, :7]
    triangle.index = triangle.index.astype(str).str[:7]
    print_frame(
        (triangle * 100).round(1).reset_index().rename(columns=str),
        title="Retention (%) of the last 12 monthly cohorts, months 0 to 6",
    )


def _percentages(frame: pd.DataFrame) -> pd.DataFrame:
    """Share columns shown as percentages."""
    shown = frame.copy()
    for column in shown.columns:
        if "share" in column:
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    return shown
