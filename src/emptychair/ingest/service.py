"""Import use case: read a file, validate every row, load the good ones atomically.

The whole write (new and changed rows, quarantine, missing customers, identity links
and the batch record) is one transaction: a crash or Ctrl-C leaves the workspace as
it was, and importing the same file again changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import StrictImportError, WorkspaceError
from emptychair.ingest import quarantine
from emptychair.ingest.batches import error_frame, previous_batch, record_batch
from emptychair.ingest.files import prepare
from emptychair.ingest.mapping import map_headers, parse_map_options
from emptychair.ingest.options import parse_options
from emptychair.ingest.parse import ParseOptions
from emptychair.ingest.result import ImportResult, mask_personal_values
from emptychair.ingest.validate import bad_rows, checked_rows, parsed_rows, row_problems
from emptychair.privacy.suppression import skip_suppressed, suppressed_rows
from emptychair.schema import TableSchema, get_table
from emptychair.workspace import CsvOptions, Workspace, new_batch_id, utc_now
from emptychair.workspace.internal import ROW_METADATA

#: ``progress(step, fraction)`` is called as the import advances.
Progress = Callable[[str, float], None]


@dataclass
class Source:
    """Where rows come from, as recorded in the batch and the quarantine."""

    file: str
    file_hash: str
    file_format: str
    encoding: str = "utf-8"
    delimiter: str = ","
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: canonical columns the source provides (None: all of them)
    columns: set[str] | None = None

    @property
    def provided(self) -> set[str] | None:
        if self.columns is not None:
            return self.columns
        return set(self.mapping.values()) if self.mapping else None


def import_file(
    workspace: Workspace,
    table: str,
    path: Path,
    *,
    mapping: Mapping[str, str] | Sequence[str] | None = None,
    strict: bool = False,
    create_missing_customers: bool | None = None,
    file_format: str | None = None,
    delimiter: str | None = None,
    day_first: bool | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate ``path`` and load it into the canonical ``table``.

    Parameters
    ----------
    workspace
        The workspace to load into.
    table
        A canonical table name (``customers``, ``orders``, ...).
    path
        A CSV, Parquet or JSON-lines file.
    mapping
        Header to column mapping (``{"montant": "amount"}`` or ``["montant=amount"]``),
        on top of the workspace's configured mapping and the built-in aliases.
    strict
        Refuse the whole file if any row is bad (nothing is written).
    create_missing_customers
        Create a bare customer for each unknown ``customer_id`` instead of
        quarantining the row. Defaults to the workspace setting.
    file_format, delimiter
        Override what is guessed from the extension and the header line.
    day_first
        Read ``03/04/2024`` as 3 April (``True``) or March 4 (``False``); guessed
        from the data when ``None``, day first when it cannot tell.
    progress
        Called with ``(step, fraction)`` as the import advances.

    Returns
    -------
    ImportResult
        Counts of rows read, loaded, updated, unchanged and quarantined.
    """
    started = time.perf_counter()
    schema = get_table(table)
    _require_writable(workspace)
    explicit = dict(workspace.settings.imports.mappings.get(table, {}))
    if mapping is not None:
        explicit.update(
            parse_map_options(list(mapping)) if not isinstance(mapping, Mapping) else mapping
        )
    if create_missing_customers is None:
        create_missing_customers = workspace.settings.imports.create_missing_customers
    prepared = prepare(path, file_format, delimiter)
    engine = workspace.engine
    stage_name = f"_stage_{new_batch_id().replace('-', '_')}"
    try:
        csv = CsvOptions(delimiter=prepared.delimiter)
        headers = engine.file_columns(prepared.readable, prepared.format, csv)
        header_map = map_headers(headers, schema, explicit, source=str(path))
        report = progress or (lambda step, fraction: None)
        staged = engine.stage_file(
            prepared.readable,
            prepared.format,
            csv,
            stage_name,
            on_progress=lambda fraction: report(f"reading {path.name}", fraction),
        )

        rows = staged.table
        mapped = rows.select(
            "_row", **{target: rows[h] for h, target in header_map.columns.items()}
        )
        options = parse_options(workspace, mapped, schema, day_first, staged.clean)
        source = Source(
            file=str(path),
            file_hash=prepared.sha256,
            file_format=prepared.format,
            encoding=prepared.encoding,
            delimiter=prepared.delimiter,
            mapping=header_map.columns,
            ignored=header_map.ignored,
            notes=list(prepared.notes),
        )
        if header_map.ignored:
            source.notes.append(
                "ignored columns (not in the table; map with --map HEADER=COLUMN): "
                + ", ".join(header_map.ignored)
            )
        result = validate_and_load(
            workspace,
            schema,
            mapped,
            source,
            rejects=staged.rejects,
            strict=strict,
            create_missing_customers=create_missing_customers,
            options=options,
            progress=report,
        )
    finally:
        engine.drop_staged(stage_name)
        prepared.cleanup()
    result.seconds = time.perf_counter() - started
    return result


def _require_writable(workspace: Workspace) -> None:
    if workspace.read_only:
        raise WorkspaceError(f"{workspace.path}: opened read-only; open it for writing to import")


def validate_and_load(
    workspace: Workspace,
    schema: TableSchema,
    mapped: ir.Table,
    source: Source,
    *,
    rejects: pd.DataFrame | None = None,
    strict: bool = False,
    create_missing_customers: bool = False,
    day_first: bool | None = None,
    options: ParseOptions | None = None,
    progress: Progress | None = None,
    kind: str = "import",
    after_load: Callable[[ir.Table, str], None] | None = None,
) -> ImportResult:
    """Check ``mapped`` rows (``_row`` + canonical columns) and load them in one transaction."""
    report = progress or (lambda step, fraction: None)
    mapped = skip_suppressed(workspace, schema, mapped, source.notes)
    engine = workspace.engine
    batch_id = new_batch_id()
    started_at = utc_now()
    rejects = rejects if rejects is not None else pd.DataFrame(columns=["row", "reason", "value"])
    if options is None:
        options = parse_options(workspace, mapped, schema, day_first)
    if not options.day_first:
        source.notes.append("dates read month first (mm/dd/yyyy), as the data requires")
    customers = workspace.table("customers")
    known = None if schema.name == "customers" or create_missing_customers else customers
    report("validating", 0.0)
    tag = batch_id.replace("-", "_")
    # each cell is parsed once (fast paths first) and checked in the same pass
    parsed = parsed_rows(mapped, schema, options)
    try:
        checked = engine.create_table(
            f"_checked_{tag}",
            checked_rows(parsed, schema, options, known),
            temp=True,
            on_progress=lambda fraction: report("checking", fraction),
        )
        problems = engine.create_table(f"_problems_{tag}", row_problems(checked, schema), temp=True)
        bad = engine.create_table(f"_bad_{tag}", bad_rows(checked, problems, schema), temp=True)
        report("validating", 1.0)
        rows_checked = int(engine.execute(checked.count()))
        rows_invalid = int(engine.execute(bad.count()))
        # the bad rows as read, taken from the source once for the report and the quarantine
        source_rows = mapped if rows_invalid else mapped.filter(ibis.literal(False))
        raw_bad = engine.create_table(
            f"_raw_bad_{tag}", quarantine.raw_rows(source_rows, bad, schema), temp=True
        )
        errors = engine.create_table(
            f"_errors_{tag}",
            quarantine.error_rows(
                checked, problems, bad, raw_bad, schema, any_bad=rows_invalid > 0
            ),
            temp=True,
        )
        problem_report = error_frame(workspace, errors, rejects, source.file)
        rows_bad = rows_invalid + len(rejects)
        if strict and rows_bad:
            preview = mask_personal_values(problem_report.head(10), schema.name)
            raise StrictImportError(
                f"{source.file}: --strict refused the file: {rows_bad} of "
                f"{rows_checked + len(rejects)} rows are bad; nothing was loaded.\n"
                + preview.to_string(index=False)
            )
        good_rows = checked.anti_join(bad, "_row") if rows_invalid else checked
        good = good_rows.select(*schema.column_names)
        target = workspace.table(schema.name)
        to_write: ir.Table
        if int(engine.execute(target.count())):
            comparison = _classify(good, target, schema, source.provided)
            changes = workspace.to_pandas(
                comparison.group_by("_change").aggregate(n=comparison.count())
            )
            change_counts = dict(zip(changes["_change"], changes["n"], strict=True))
            # only the rows to write are kept (on a re-import, usually few or none)
            to_write = engine.create_table(
                f"_classified_{tag}",
                comparison.filter(comparison["_change"] != "unchanged"),
                temp=True,
            )
        else:  # an empty table: every good row is new, nothing to compare
            change_counts = {"new": rows_checked - rows_invalid}
            to_write = good.mutate(_change=ibis.literal("new"))
        report("loading", 0.0)
        created = 0
        with engine.transaction():
            stamp = {"_batch_id": ibis.literal(batch_id), "_loaded_at": ibis.literal(started_at)}
            if change_counts.get("updated"):
                changed = to_write.filter(to_write["_change"] == "updated")
                engine.delete_matching(schema.name, changed, schema.key)
            engine.insert(
                schema.name,
                to_write.select(*schema.column_names, **stamp).cast(target.schema()),
            )
            if create_missing_customers and schema.name != "customers":
                created = _create_missing_customers(workspace, good, batch_id, started_at)
            quarantine.replace_open(
                workspace,
                schema,
                mapped,
                raw_bad,
                errors,
                rejects,
                source,
                batch_id,
                kind,
            )
            if kind == "import":
                quarantine.resolve_loaded(workspace, schema, to_write, batch_id)
            if after_load is not None:
                after_load(good_rows.select("_row"), batch_id)
            if schema.name == "customers" or created:
                from emptychair.identity import resolve_identities

                resolve_identities(workspace, batch_id)
            result = ImportResult(
                batch_id=batch_id,
                table=schema.name,
                file=source.file,
                file_hash=source.file_hash,
                file_format=source.file_format,
                encoding=source.encoding,
                delimiter=source.delimiter,
                rows_read=rows_checked + len(rejects),
                rows_loaded=int(change_counts.get("new", 0)),
                rows_updated=int(change_counts.get("updated", 0)),
                rows_unchanged=int(change_counts.get("unchanged", 0)),
                rows_quarantined=rows_bad,
                customers_created=created,
                rows_suppressed=suppressed_rows(source.notes),
                mapping=source.mapping,
                ignored_columns=source.ignored,
                notes=source.notes,
                previously_imported=(
                    previous_batch(workspace, source.file_hash, schema.name)
                    if kind == "import"
                    else None
                ),
                errors=problem_report,
            )
            record_batch(workspace, result, started_at, kind, options, source.provided)
        report("loading", 1.0)
    finally:
        for name in ("_checked_", "_problems_", "_bad_", "_raw_bad_", "_errors_", "_classified_"):
            engine.drop_table(name + tag)
    return result


def _classify(
    good: ir.Table, target: ir.Table, schema: TableSchema, provided: set[str] | None = None
) -> ir.Table:
    """Tag each good row ``new``, ``updated`` or ``unchanged`` against what is stored.

    Only the columns the file provides are compared and replaced: a file with just
    ``customer_id`` and ``country`` updates the country and keeps the e-mail.
    """
    columns = schema.column_names
    provided = set(columns) if provided is None else provided | set(schema.key)
    old = target.select(**{f"_old__{c}": target[c] for c in columns})
    joined = good.left_join(old, [good[k] == old[f"_old__{k}"] for k in schema.key])
    exists = joined[f"_old__{schema.key[0]}"].notnull()
    same = ibis.and_(
        *(joined[c].identical_to(joined[f"_old__{c}"]) for c in columns if c in provided)
    )
    change = ibis.cases((~exists, "new"), (same, "unchanged"), else_="updated")
    kept = {
        c: joined[c] if c in provided else ibis.ifelse(exists, joined[f"_old__{c}"], joined[c])
        for c in columns
    }
    return joined.select(**kept, _change=change)


def _create_missing_customers(
    workspace: Workspace, good: ir.Table, batch_id: str, loaded_at: object
) -> int:
    customers = workspace.table("customers")
    missing = (
        good.filter(good["customer_id"].notnull())
        .select("customer_id")
        .distinct()
        .anti_join(customers, "customer_id")
    )
    count = int(workspace.engine.execute(missing.count()))
    if count:
        schema = customers.schema()
        stubs = missing.select(
            **{
                name: (missing["customer_id"] if name == "customer_id" else ibis.null()).cast(dtype)
                for name, dtype in schema.items()
                if name not in ROW_METADATA
            },
            _batch_id=ibis.literal(batch_id),
            _loaded_at=ibis.literal(loaded_at),
        ).cast(schema)
        workspace.engine.insert("customers", stubs)
    return count
