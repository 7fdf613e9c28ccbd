"""Row validation as one Ibis expression: typed columns plus one error column per column.

The result of :func:`checked_rows` has ``_row``, every canonical column (typed),
``_error__<column>`` (null when the value is fine) and ``_bad``. Everything runs in
the engine, so a file of any size is validated without entering Python.
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
    as floats) and ``_present__<column>`` (the raw cell held something). Engines
    should store it before :func:`checked_rows`, so that the regular expressions
    run once per cell.
    """
    columns: dict[str, ir.Value] = {"_row": stage["_row"]}
    for column in table.columns:
        raw = stage[column.name] if column.name in stage.columns else ibis.null().cast("string")
        columns[column.name] = parse_value(column, raw, options)
        columns[PRESENT_PREFIX + column.name] = clean_text(raw, options.clean_input).notnull()
    return stage.select(**columns)


def checked_rows(
    parsed: ir.Table,
    table: TableSchema,
    options: ParseOptions,
    known_customers: ir.Table | None = None,
) -> ir.Table:
    """Step two: check every parsed row against ``table``.

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
    """
    values: dict[str, ir.Value] = {"_row": parsed["_row"]}
    errors: dict[str, ir.Value] = {}
    for column in table.columns:
        present = parsed[PRESENT_PREFIX + column.name]
        values[column.name], errors[error_column(column.name)] = value_error(
            column, parsed[column.name], present, options
        )
    checked = parsed.select(**values, **errors)
    checked = _row_rules(checked, table)
    checked = _duplicate_keys(checked, table)
    if known_customers is not None and "customer_id" in table.column_names:
        checked = _unknown_customers(checked, known_customers)
    any_error = ibis.or_(*(checked[error_column(c)].notnull() for c in table.column_names))
    return checked.mutate(_bad=any_error)


def _add_error(
    checked: ir.Table, column: str, condition: ir.BooleanValue, reason: ir.Value
) -> ir.Table:
    name = error_column(column)
    new = ibis.ifelse(condition, reason, ibis.null()).cast("string")
    return checked.mutate(**{name: ibis.coalesce(checked[name], new)})


def _row_rules(checked: ir.Table, table: TableSchema) -> ir.Table:
    for group in table.one_of:
        missing = ibis.and_(*(checked[c].isnull() for c in group))
        reason = "needs a value in one of: " + ", ".join(group)
        checked = _add_error(checked, group[0], missing, ibis.literal(reason))
    for earlier, later in table.ordered:
        reversed_order = checked[later] < checked[earlier]
        checked = _add_error(checked, later, reversed_order, ibis.literal(f"before {earlier}"))
    if table.name == "feedback":
        scale = ibis.coalesce(
            checked["scale_max"],
            checked["kind"].substitute(DEFAULT_SCALE, else_=ibis.null()).cast("float64"),
        )
        checked = checked.mutate(scale_max=scale)
        above = checked["score"] > checked["scale_max"]
        reason = (
            "above the top of the scale (" + checked["scale_max"].cast("int64").cast("string") + ")"
        )
        checked = _add_error(checked, "score", above, reason)
    return checked


def _duplicate_keys(checked: ir.Table, table: TableSchema) -> ir.Table:
    """Later rows repeating a key already seen in the same file are errors."""
    keys = list(table.key)
    usable = ibis.and_(*(checked[error_column(k)].isnull() & checked[k].notnull() for k in keys))
    # an aggregate, not a window: only the (few) repeated keys come back to be joined
    candidates = checked.filter(usable)
    counted = candidates.group_by(keys).aggregate(
        _first_row=candidates["_row"].min(), _copies=candidates.count()
    )
    repeated = counted.filter(counted["_copies"] > 1).drop("_copies")
    repeated = repeated.rename({f"_dup__{k}": k for k in keys})
    joined = checked.left_join(repeated, [checked[k] == repeated[f"_dup__{k}"] for k in keys])
    label = "+".join(keys)
    reason = f"duplicate {label}: first seen on row " + joined["_first_row"].cast("string")
    duplicate = joined["_first_row"].notnull() & (joined["_row"] != joined["_first_row"])
    checked = _add_error(joined, keys[0], duplicate, reason)
    return checked.drop("_first_row", *(f"_dup__{k}" for k in keys))


def _unknown_customers(checked: ir.Table, known_customers: ir.Table) -> ir.Table:
    # customer ids are unique in the customers table (its key): no distinct needed
    known = known_customers.select(_known_id=known_customers["customer_id"])
    joined = checked.left_join(known, checked["customer_id"] == known["_known_id"])
    unknown = (
        joined["customer_id"].notnull()
        & joined[error_column("customer_id")].isnull()
        & joined["_known_id"].isnull()
    )
    reason = ibis.literal(
        "unknown customer: import it into customers first, or use --create-missing-customers"
    )
    return _add_error(joined, "customer_id", unknown, reason).drop("_known_id")
