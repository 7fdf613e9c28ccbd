"""``emptychair voice run|report|score-text``: what the verbatims say, stored per run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from emptychair.cli.options import JsonOption, WorkspaceOption, open_workspace
from emptychair.cli.output import console, print_frame, print_json, print_mapping, records

if TYPE_CHECKING:
    from emptychair.voice.report import VoiceReport

TaxonomyOption = Annotated[
    Path | None,
    typer.Option(
        help="Taxonomy file (default: the workspace's themes.yaml, else the shipped one)."
    ),
]


def _percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    shown = frame.copy()
    for column in columns:
        if column in shown:
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    return shown


def _print_report(report: VoiceReport, brief: bool) -> None:
    tables = report.tables
    print_mapping(report.headline(), title="Voice of the customer")
    irritants = tables["irritants"]
    if len(irritants):
        shown = irritants[irritants["rank"].notna()][
            [
                *("rank", "theme", "frequency", "impact", "impact_low", "impact_high"),
                *("customers", "value_at_risk"),
            ]
        ].head(8 if brief else len(irritants))
        shown = _percent(shown, ["frequency"])
        for column in ("impact", "impact_low", "impact_high"):
            shown[column] = shown[column].round(3)
        shown["value_at_risk"] = shown["value_at_risk"].round(0)
        print_frame(
            shown,
            title="Irritants: frequency of negative mentions × score drop (0–1 scale), "
            "value at risk = Σ CLV × P(alive) of the customers who raise them",
        )
    themes = tables["themes"]
    if len(themes):
        shown = themes[["theme", "mentions", "share", "sentiment", "negative_share"]]
        shown = shown.assign(sentiment=shown["sentiment"].round(2))
        shown = _percent(shown, ["share", "negative_share"])
        print_frame(shown.head(10 if brief else len(shown)), title="Themes and their sentiment")
    learned = tables["sentiment_models"]
    if len(learned):
        print_frame(
            learned.round(3),
            title="Sentiment: cross-validated macro-F1 of a model re-trained on your scores "
            "against the shipped one (the better is used)",
        )
    drivers = tables["drivers"]
    if len(drivers):
        shown = drivers[drivers["rank"].notna() & (drivers["rank"] <= 5)]
        shown = shown[["kind", "rank", "driver", "share", "low", "high", "effect", "quadrant"]]
        print_frame(
            _percent(shown.round({"low": 3, "high": 3, "effect": 3}), ["share"]),
            title="Key drivers (relative weights; low/high: interval of the weight)",
        )
    if brief:
        return
    alerts = tables["alerts"]
    if len(alerts):
        shown = alerts[["week", "metric", "previous", "current", "direction", "q_value"]]
        print_frame(shown.round(3), title="Alerts: significant week-over-week changes")
    complaints = tables["complaints"]
    if len(complaints):
        shown = complaints[
            [
                *("dimension", "group_value", "complaints", "open", "days_to_close_median"),
                *("reopened_share", "repeat_share", "satisfied_after_share"),
            ]
        ]
        print_frame(
            _percent(
                shown.round({"days_to_close_median": 1}),
                ["reopened_share", "repeat_share", "satisfied_after_share"],
            ),
            title="Complaints",
        )
        console.print(
            f"{len(tables['closed_loop']):,} customers to call back: "
            "[bold]emptychair voice closed-loop[/bold]"
        )
    lapsing = tables["lapsing"]
    if len(lapsing):
        shown = lapsing[["theme", "lapsing_share", "retained_share", "q_value", "significant"]]
        print_frame(
            _percent(shown, ["lapsing_share", "retained_share"]),
            title="Negative mentions: lapsing (P(alive) < threshold) vs retained customers",
        )
    scores = tables["scores"]
    by_group = scores[~scores["dimension"].isin(["all", "month"])]
    if len(by_group):
        shown = by_group[["kind", "dimension", "group_value", "responses", "score", "low", "high"]]
        print_frame(shown.round(3), title="Scores by group")


def register(voice_app: typer.Typer) -> None:
    """Add the stored-run commands to ``emptychair voice``."""

    @voice_app.command("run")
    def run(
        workspace: WorkspaceOption = None,
        taxonomy: TaxonomyOption = None,
        value_run: Annotated[
            str | None, typer.Option(help="Value run giving CLV and P(alive) (default: latest).")
        ] = None,
        min_responses: Annotated[
            int, typer.Option(help="Smaller groups and themes are flagged, never ranked.")
        ] = 30,
        lapsing_threshold: Annotated[
            float, typer.Option(help="P(alive) below which a customer counts as lapsing.")
        ] = 0.5,
        learn: Annotated[
            bool,
            typer.Option(
                help="Re-train sentiment on the company's scored verbatims; used only where "
                "cross-validation shows it beats the shipped model."
            ),
        ] = True,
        json: JsonOption = False,
    ) -> None:
        """Read every answer and verbatim: scores, themes, sentiment, irritants; store the run."""
        from emptychair.voice.report import voice_report
        from emptychair.voice.service import VoiceSettings, run_voice

        settings = VoiceSettings(
            taxonomy=str(taxonomy) if taxonomy else None,
            min_responses=min_responses,
            lapsing_threshold=lapsing_threshold,
            value_run=value_run,
            learn_from_scores=learn,
        )
        with open_workspace(workspace) as ws:
            if json:
                result = run_voice(ws, settings)
            else:
                with console.status("voice analysis") as status:
                    result = run_voice(ws, settings, on_step=lambda s: status.update(s))
            stored = voice_report(ws, result.run_id)
        if json:
            print_json({"headline": stored.headline()})
            return
        _print_report(stored, brief=True)
        console.print("Full report and charts: [bold]emptychair voice report --charts DIR[/bold]")

    @voice_app.command("report")
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
        """Show a stored voice run: scores, themes, irritants, lapsing customers."""
        from emptychair.voice.report import save_charts, voice_report

        with open_workspace(workspace, read_only=True) as ws:
            stored = voice_report(ws, run_id)
        written = save_charts(stored, charts, chart_format) if charts else []
        if json:
            summary = {
                name: records(table)
                for name, table in stored.tables.items()
                if name not in ("verbatims", "mentions")
            }
            print_json(
                {"headline": stored.headline(), **summary, "charts": [str(p) for p in written]}
            )
            return
        _print_report(stored, brief=False)
        for path in written:
            console.print(f"chart: {path}")

    @voice_app.command("score-text")
    def score_text(
        file: Annotated[Path, typer.Argument(help="CSV, Parquet or JSON-lines file.")],
        text_column: Annotated[str, typer.Option(help="The column holding the comments.")],
        lang: Annotated[str, typer.Option(help="fr, en or auto (detect each comment).")] = "auto",
        output: Annotated[
            Path | None, typer.Option(help="Write the scored rows here (.csv, .parquet, .jsonl).")
        ] = None,
        taxonomy: Annotated[Path | None, typer.Option(help="Taxonomy file to use.")] = None,
        drop_text: Annotated[
            bool, typer.Option(help="Leave the original text out (keep the redacted one).")
        ] = False,
        learn_from: Annotated[
            str | None,
            typer.Option(
                help="Score column (NPS, CSAT, CES) to learn the sentiment from, cross-fitted."
            ),
        ] = None,
        scale_max: Annotated[
            int | None,
            typer.Option(help="10 (NPS 0-10), 5 (CSAT 1-5) or 7 (CES 1-7); default: inferred."),
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Add language, sentiment, themes and redacted text to each row of any file."""
        from emptychair.voice.taxonomy_file import load_taxonomy
        from emptychair.voice.text_files import (
            learn_and_score_text_frame,
            read_text_table,
            score_text_file,
            write_table,
        )

        chosen = load_taxonomy(taxonomy) if taxonomy else None
        validation = None
        with console.status(f"reading {file.name}"):
            if learn_from is None:
                scored = score_text_file(
                    file, text_column, language=lang, taxonomy=chosen, drop_text=drop_text
                )
            else:
                scored, learned = learn_and_score_text_frame(
                    read_text_table(file),
                    text_column,
                    learn_from,
                    scale_max=scale_max,
                    language=lang,
                    taxonomy=chosen,
                    drop_text=drop_text,
                    source=str(file),
                )
                validation = learned.summary
        if output is not None:
            write_table(scored, output)
        if json:
            rows = records(scored.drop(columns=[text_column], errors="ignore"))
            if validation is None:
                print_json(rows)
            else:
                print_json({"rows": rows, "validation": records(validation)})
            return
        labels = scored["sentiment_label"].value_counts()
        summary = {
            "rows": len(scored),
            "with text": int(scored["sentiment"].notna().sum()),
            **{f"{label}": int(count) for label, count in labels.items()},
        }
        print_mapping(summary, title=f"Scored {file.name}")
        if validation is not None:
            shown = validation.assign(
                chosen=validation["chosen"].map({True: "used", False: ""}),
                **{c: validation[c].round(3) for c in ("positive_share", "macro_f1", "spearman")},
            )
            print_frame(
                shown,
                title=f"Sentiment learned from {learn_from!r}: cross-validated figures "
                "(the method with the best macro-F1 is used)",
            )
        themes = scored["themes"].str.split(";").explode()
        counts = themes[themes.astype(bool)].value_counts().rename_axis("theme")
        print_frame(counts.reset_index(name="rows").head(15), title="Themes")
        if output is not None:
            console.print(f"written: {output}")
