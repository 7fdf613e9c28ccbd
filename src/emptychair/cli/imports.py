"""``emptychair import`` and ``emptychair quarantine``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from emptychair.cli.options import (
    CreateMissingOption,
    JsonOption,
    WorkspaceOption,
    open_workspace,
)
from emptychair.cli.output import console, errors, print_frame, print_json, print_mapping
from emptychair.errors import ImportFileError
from emptychair.ingest import quarantine
from emptychair.ingest.files import estimated_rows
from emptychair.ingest.result import ImportResult, mask_personal_values
from emptychair.ingest.retry import export_open_rows, retry
from emptychair.schema import TABLES

TableArgument = Annotated[str, typer.Argument(help=f"One of: {', '.join(TABLES)}.")]


class ImportProgress:
    """A Rich progress bar with an estimate of rows per second, on the terminal only."""

    def __init__(self, expected_rows: int, enabled: bool) -> None:
        self.expected_rows = expected_rows
        self.progress = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}
        self.started = time.perf_counter()

    def __enter__(self) -> ImportProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, step: str, fraction: float) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(step, total=self.expected_rows, rate="")
        rows = fraction * self.expected_rows
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        rate = f"~{rows / elapsed:,.0f} rows/s" if step.startswith("reading") else ""
        self.progress.update(self.tasks[step], completed=rows, rate=rate)


def print_result(result: ImportResult) -> None:
    summary = {
        "batch": result.batch_id,
        "file": result.file,
        "table": result.table,
        "format": f"{result.file_format} ({result.encoding}, separator {result.delimiter!r})"
        if result.file_format == "csv"
        else result.file_format,
        "rows read": result.rows_read,
        "loaded (new)": result.rows_loaded,
        "updated": result.rows_updated,
        "unchanged": result.rows_unchanged,
        "quarantined": result.rows_quarantined,
        "time": f"{result.seconds:.2f} s ({result.rows_per_second:,.0f} rows/s)",
    }
    if result.customers_created:
        summary["customers created"] = result.customers_created
    if result.rows_suppressed:
        summary["skipped (erased persons)"] = result.rows_suppressed
    if result.previously_imported:
        summary["note"] = f"this file was imported before (batch {result.previously_imported})"
    print_mapping(summary, title=f"Import into {result.table}")
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if result.rows_quarantined:
        print_frame(
            result.error_report(20).drop(columns="file"),
            title=f"First problems ({result.rows_quarantined} rows quarantined; "
            "see `emptychair quarantine show`)",
        )


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_command(
        table: TableArgument,
        file: Annotated[Path, typer.Argument(help="CSV, Parquet or JSON-lines file.")],
        workspace: WorkspaceOption = None,
        map_: Annotated[
            list[str] | None,
            typer.Option("--map", help="Map a header to a column: SOURCE=TARGET (repeatable)."),
        ] = None,
        strict: Annotated[
            bool, typer.Option("--strict", help="Refuse the whole file if any row is bad.")
        ] = False,
        create_missing_customers: CreateMissingOption = False,
        file_format: Annotated[
            str | None, typer.Option("--format", help="csv, parquet or jsonl (default: extension).")
        ] = None,
        delimiter: Annotated[
            str | None, typer.Option(help="CSV separator (default: guessed from the header).")
        ] = None,
        date_order: Annotated[
            str | None,
            typer.Option(help="dmy (03/04 = 3 April) or mdy; default: guessed, else dmy."),
        ] = None,
        json: JsonOption = False,
    ) -> None:
        """Validate a file and load its good rows; bad rows go to the quarantine."""
        if date_order not in (None, "dmy", "mdy"):
            raise ImportFileError(f"--date-order {date_order!r}: use dmy or mdy")
        expected = estimated_rows(file) if file.is_file() and file.stat().st_size else 1
        with (
            open_workspace(workspace) as ws,
            ImportProgress(expected, enabled=errors.is_terminal and not json) as progress,
        ):
            result = ws.import_file(
                table,
                file,
                mapping=map_ or None,
                strict=strict,
                create_missing_customers=create_missing_customers or None,
                file_format=file_format,
                delimiter=delimiter,
                day_first=None if date_order is None else date_order == "dmy",
                progress=progress,
            )
        if json:
            print_json(result.to_dict())
        else:
            print_result(result)

    quarantine_app = typer.Typer(help="Inspect and re-submit rows that failed validation.")
    app.add_typer(quarantine_app, name="quarantine")

    @quarantine_app.command("list")
    def list_command(workspace: WorkspaceOption = None, json: JsonOption = False) -> None:
        """Open problems per table and file."""
        with open_workspace(workspace, read_only=True) as ws:
            frame = quarantine.summary(ws)
        if json:
            print_json(frame)
        else:
            print_frame(frame, title="Quarantine", empty="no open problems")

    @quarantine_app.command("show")
    def show_command(
        table: Annotated[str | None, typer.Argument(help="Only this table.")] = None,
        workspace: WorkspaceOption = None,
        limit: Annotated[int, typer.Option(help="How many problems to show.")] = 50,
        json: JsonOption = False,
    ) -> None:
        """Each open problem: file, row, column, value (personal data hidden) and reason."""
        with open_workspace(workspace, read_only=True) as ws:
            problems = ws.to_pandas(quarantine.open_problems(ws, table).limit(limit))
        frame = problems.rename(columns={"row_number": "row", "column_name": "column"})
        parts = [
            mask_personal_values(group, str(name)) for name, group in frame.groupby("table_name")
        ]
        frame = pd.concat(parts) if parts else frame
        columns = ["table_name", "source_file", "row", "column", "value", "reason", "batch_id"]
        if json:
            print_json(frame[columns])
        else:
            print_frame(frame[columns], title="Quarantined problems", empty="no open problems")

    @quarantine_app.command("export")
    def export_command(
        table: TableArgument,
        file: Annotated[Path, typer.Argument(help="CSV file to write.")],
        workspace: WorkspaceOption = None,
    ) -> None:
        """Write open rows with their problems to a CSV to fix (formulas are escaped)."""
        with open_workspace(workspace, read_only=True) as ws:
            count = export_open_rows(ws, table, file)
        console.print(
            f"{count} open rows written to {file}; fix them, then "
            f"`emptychair quarantine retry {table} --file {file}`"
        )

    @quarantine_app.command("dismiss")
    def dismiss_command(
        batch: Annotated[str, typer.Argument(help="The batch whose open problems to close.")],
        workspace: WorkspaceOption = None,
        json: JsonOption = False,
    ) -> None:
        """Close a batch's open problems without loading them (they stay recorded)."""
        with open_workspace(workspace) as ws:
            count = quarantine.dismiss(ws, batch)
        if json:
            print_json({"batch_id": batch, "rows_dismissed": count})
        else:
            console.print(f"{count} quarantined rows of batch {batch} dismissed")

    @quarantine_app.command("retry")
    def retry_command(
        table: TableArgument,
        workspace: WorkspaceOption = None,
        batch: Annotated[str | None, typer.Option(help="Only rows of this batch.")] = None,
        file: Annotated[
            Path | None, typer.Option("--file", help="Fixed rows, from `quarantine export`.")
        ] = None,
        create_missing_customers: CreateMissingOption = False,
        json: JsonOption = False,
    ) -> None:
        """Check open rows again (after fixing them or loading missing customers)."""
        with open_workspace(workspace) as ws:
            results = retry(
                ws,
                table,
                batch_id=batch,
                fixed_file=file,
                create_missing_customers=create_missing_customers or None,
            )
        if json:
            print_json([r.to_dict() for r in results])
            return
        for result in results:
            print_result(result)
