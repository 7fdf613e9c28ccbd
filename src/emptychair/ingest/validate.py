"""Row validation in the engine, in two steps and a few small side tables.

:func:`parsed_rows` reads every cell once; :func:`checked_rows` turns it into final
typed values with one ``_error__<column>`` per column; :func:`row_problems` lists the
problems that span columns, rows or tables (usually few); :func:`bad_rows` is the set
of rows with any problem. Everything runs in the engine, so a file of any size is
validated without entering Python.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from emptychair.ingest.parse import ParseOptions, clean_text, parse_value, value_error
from emptychair.schema import TableSchema

ERROR_PREFIX = "_error__"
#: Top of the scale assumed when a feedback row gives none.
DEFAULT_SCALE = {"nps": 10, "csat": 5, "ces": 7, "review": 5}


def error_column(name: str) -> str:
    return ERROR_PREFIX + name


PRESENT_PREFIX = "_present__"


def parsed_rows(stage: ir.Table, table: TableSchema, options: ParseOptions) -> ir.Table:
    """Step one: each raw column parsed once into its typed value.

    The result has ``_row``, one typed column per canonical column (integers still
    as floats) and ``_present__<column>`` (the raw cell held something). Plain
    values take fast paths, so :func:`checked_rows` can run over it in the same
    pass; on engines without that, store it first.
    """
    columns: dict[str, ir.Value] = {"_row": stage["_row"]}
    for column in table.columns:
        raw = stage[column.name] if column.name in stage.columns else ibis.null().cast("string")
        columns[column.name] = parse_value(column, raw, options)
        if options.clean_input or not raw.type().is_string():
            present = raw.notnull()  # typed or already trimmed: no text to clean
        else:
            present = clean_text(raw).notnull()
        columns[PRESENT_PREFIX + column.name] = present
    return stage.select(**columns)


def checked_rows(
    parsed: ir.Table,
    table: TableSchema,
    options: ParseOptions,
    known_customers: ir.Table | None = None,
) -> ir.Table:
    """Step two: the final typed values and one error column per column.

    Parameters
    ----------
    parsed
        The output of :func:`parsed_rows`.
    table
        The canonical table the rows are for.
    options
        How dates were read, and the plausible date range.
    known_customers
        A table with a ``customer_id`` column: rows referring to other customers
        get an "unknown customer" error. ``None`` skips the check.

    Returns
    -------
    ir.Table
        ``_row``, every canonical column and ``_error__<column>`` (null when the
        value is fine). Rules across rows and tables are in :func:`row_problems`.
    """
    checks_customers = known_customers is not None and "customer_id" in table.column_names
    if known_customers is not None and checks_customers:
        # looked up in the same pass; customer ids are unique in customers (its key)
        known = known_customers.select(_known_id=known_customers["customer_id"])
        parsed = parsed.left_join(known, parsed["customer_id"] == known["_known_id"])
    values: dict[str, ir.Value] = {"_row": parsed["_row"]}
    errors: dict[str, ir.Value] = {}
    for column in table.columns:
        present = parsed[PRESENT_PREFIX + column.name]
        values[column.name], errors[error_column(column.name)] = value_error(
            column, parsed[column.name], present, options
        )
    if table.name == "feedback":
        values["scale_max"] = ibis.coalesce(
            values["scale_max"],
            values["kind"].substitute(DEFAULT_SCALE, else_=ibis.null()).cast("float64"),
        )
    values[KEY_HASH] = _key_hash(values, errors, table)
    if checks_customers:
        name = error_column("customer_id")
        unknown = values["customer_id"].notnull() & parsed["_known_id"].isnull()
        errors[name] = ibis.coalesce(
            errors[name], ibis.ifelse(unknown, UNKNOWN_CUSTOMER, ibis.null()).cast("string")
        )
    return parsed.select(**values, **errors)


KEY_HASH = "_key_hash"


def _key_hash(
    values: dict[str, ir.Value], errors: dict[str, ir.Value], table: TableSchema
) -> ir.Value:
    """A 64-bit hash of the row's key, null when the key is missing or unreadable.

    Rows are grouped by it to find repeated keys cheaply; only rows whose hash
    repeats are compared exactly.
    """
    keys = list(table.key)
    text = values[keys[0]].cast("string")
    for key in keys[1:]:
        text = text + "\x1f" + values[key].cast("string")
    usable = ibis.and_(*(errors[error_column(k)].isnull() & values[k].notnull() for k in keys))
    return ibis.ifelse(usable, text.hash(), ibis.null()).cast("int64")


UNKNOWN_CUSTOMER = (
    "unknown customer: import it into customers first, or use --create-missing-customers"
)


def has_column_error(checked: ir.Table, table: TableSchema) -> ir.BooleanValue:
    return ibis.or_(*(checked[error_column(c)].notnull() for c in table.column_names))


def row_problems(
    checked: ir.Table, table: TableSchema, known_customers: ir.Table | None = None
) -> ir.Table:
    """Problems that involve several columns, rows or tables: ``_row``, ``column_name``, ``reason``.

    Rows needing one of several columns, dates in the wrong order, scores above the
    scale, keys repeated inside the file and, when ``known_customers`` is given (a
    table with ``customer_id``), customers that do not exist. Usually few rows.
    """
    parts = [*_row_rules(checked, table), _duplicate_keys(checked, table)]
    if known_customers is not None and "customer_id" in table.column_names:
        parts.append(_unknown_customers(checked, known_customers))
    return ibis.union(*parts)


def bad_rows(checked: ir.Table, problems: ir.Table, table: TableSchema) -> ir.Table:
    """The ``_row`` of every row with at least one problem."""
    with_errors = checked.filter(has_column_error(checked, table)).select("_row")
    return with_errors.union(problems.select("_row"), distinct=True)


def _problem(rows: ir.Table, column: str, reason: ir.Value | str) -> ir.Table:
    return rows.select(
        _row=rows["_row"],
        column_name=ibis.literal(column),
        reason=(ibis.literal(reason) if isinstance(reason, str) else reason).cast("string"),
    )


def _row_rules(checked: ir.Table, table: TableSchema) -> list[ir.Table]:
    parts = []
    for group in table.one_of:
        missing = checked.filter(ibis.and_(*(checked[c].isnull() for c in group)))
        parts.append(_problem(missing, group[0], "needs a value in one of: " + ", ".join(group)))
    for earlier, later in table.ordered:
        reversed_order = checked.filter(checked[later] < checked[earlier])
        parts.append(_problem(reversed_order, later, f"before {earlier}"))
    if table.name == "feedback":
        above = checked.filter(checked["score"] > checked["scale_max"])
        top = above["scale_max"].cast("int64").cast("string")
        parts.append(_problem(above, "score", "above the top of the scale (" + top + ")"))
    return parts


def _usable(checked: ir.Table, columns: list[str]) -> ir.Table:
    return checked.filter(
        ibis.and_(*(checked[error_column(k)].isnull() & checked[k].notnull() for k in columns))
    )


def _duplicate_keys(checked: ir.Table, table: TableSchema) -> ir.Table:
    """Later rows repeating a key already seen in the same file.

    Keys are first grouped by their 64-bit hash (cheap, whatever the key's type);
    only rows whose hash repeats are compared exactly.
    """
    keys = list(table.key)
    hashed = checked.filter(checked[KEY_HASH].notnull())
    counted = hashed.group_by(KEY_HASH).aggregate(_copies=hashed.count())
    repeated_hashes = counted.filter(counted["_copies"] > 1).select(KEY_HASH)
    candidates = hashed.semi_join(repeated_hashes, KEY_HASH).select("_row", *keys)
    firsts = candidates.group_by(keys).aggregate(_first_row=candidates["_row"].min())
    joined = candidates.join(firsts, keys)
    later = joined.filter(joined["_row"] != joined["_first_row"])
    label = "+".join(keys)
    reason = f"duplicate {label}: first seen on row " + later["_first_row"].cast("string")
    return _problem(later, keys[0], reason)


def _unknown_customers(checked: ir.Table, known_customers: ir.Table) -> ir.Table:
    # customer ids are unique in the customers table (its key)
    usable = _usable(checked, ["customer_id"])
    unknown = usable.anti_join(known_customers.select("customer_id"), "customer_id")
    return _problem(
        unknown,
        "customer_id",
        "unknown customer: import it into customers first, or use --create-missing-customers",
    )
