"""Event log files: read any CSV or Parquet event log, write pm4py-compatible ones.

A file read here goes through an in-memory DuckDB connection, so the variants and the graph of
a file are computed by the same expressions as those of a workspace. Columns are found by the
names process-mining tools use (``case:concept:name``, ``concept:name``, ``time:timestamp``,
as pm4py writes them) or common plain names (``case_id``, ``activity``, ``timestamp``...), or
named explicitly.

Written logs use pm4py's column names, one row per event in journey and step order, plus the
channel, touchpoint, team and customer of each event when the log has them; XES files follow
the IEEE 1849 standard (concept and time extensions), one trace per journey.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from emptychair.errors import ImportFileError, InvalidParameterError
from emptychair.journeys.events import EventLog, count_exclusions, number_journeys
from emptychair.journeys.paths import activity_codes, journey_paths

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"
CASE_NAMES = (CASE, "case_id", "case", "journey_id", "journey", "session_id", "trace_id")
ACTIVITY_NAMES = (ACTIVITY, "activity", "event", "touchpoint", "action", "step")
TIMESTAMP_NAMES = (TIMESTAMP, "timestamp", "time", "occurred_at", "event_time", "date")
EXPORT_FORMATS = ("csv", "parquet", "xes")
EXTRA_COLUMNS = ("customer_id", "channel", "touchpoint", "team", "reason", "outcome", "source")
FILE_ORDER = ("timestamp", "code")


def _pick(
    path: Path, columns: list[str], given: str | None, names: tuple[str, ...], what: str
) -> str:
    if given is not None:
        if given not in columns:
            raise ImportFileError(
                f"{path.name}: no column {given!r} for the {what}; columns: {', '.join(columns)}"
            )
        return given
    lowered = {c.lower(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    raise ImportFileError(
        f"{path.name}: cannot tell which column holds the {what}; name it with "
        f"--{what} COLUMN (columns: {', '.join(columns)})"
    )


def _read(path: Path) -> tuple[Any, ir.Table]:
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    connection = ibis.duckdb.connect()
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return connection, connection.read_parquet(path)
        if suffix in (".csv", ".txt", ".tsv", ".gz"):
            return connection, connection.read_csv(path)
    except Exception as error:  # the reader's message says what is wrong
        raise ImportFileError(f"{path.name}: cannot be read ({error})") from None
    raise ImportFileError(f"{path.name}: read CSV or Parquet event logs (.csv, .parquet)")


def read_event_log(
    path: str | Path,
    *,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
) -> EventLog:
    """An event log read from a CSV or Parquet file.

    Parameters
    ----------
    path
        The file.
    case, activity, timestamp
        The columns holding the case (journey), the activity and the time; found by name
        when not given (pm4py's names first).

    Returns
    -------
    EventLog
        Rows without a case, activity or readable timestamp are left out and counted
        (``missing_customer`` counts the rows without a case); exact duplicates (same case,
        activity and time) are removed and counted. Integer cases keep their number as the
        journey key; other cases are numbered in order of their first event.

    Examples
    --------
    >>> log = read_event_log("events.csv", case="ticket", activity="step")  # doctest: +SKIP
    >>> variants(log).head()                                                 # doctest: +SKIP
    """
    source = Path(path)
    connection, raw = _read(source)
    columns = list(raw.columns)
    case_column = _pick(source, columns, case, CASE_NAMES, "case")
    activity_column = _pick(source, columns, activity, ACTIVITY_NAMES, "activity")
    time_column = _pick(source, columns, timestamp, TIMESTAMP_NAMES, "timestamp")
    time = raw[time_column]
    if time.type().is_date():
        time = time.cast("timestamp")
    if not time.type().is_timestamp():
        time = time.cast("string").try_cast("timestamp") if time.type().is_string() else time
        if not time.type().is_timestamp():
            raise ImportFileError(
                f"{source.name}: column {time_column!r} holds {raw[time_column].type()}, "
                "not timestamps"
            )
    case_value = raw[case_column]
    integer_case = case_value.type().is_integer()
    events = raw.select(
        journey=case_value.cast("int64") if integer_case else case_value.cast("string"),
        activity=raw[activity_column].cast("string"),
        timestamp=time.cast("timestamp"),
    )
    excluded, kept, kept_rows = count_exclusions(
        events,
        {
            "journey": "missing_customer",
            "timestamp": "missing_timestamp",
            "activity": "missing_activity",
        },
    )
    # An integer code stands for each activity's name, and the journeys' ordered steps are
    # stored once in the in-memory database: variants and graph neither read the file again
    # nor handle text. The events themselves stay a view of the file.
    connection.raw_sql(f"CREATE TABLE activities AS {connection.compile(activity_codes(kept))}")
    activities = connection.table("activities")
    coded = kept.join(activities, "activity").select("journey", "code", "timestamp")
    if not integer_case:
        coded = number_journeys(coded.rename(case_label="journey"), "case_label")
    log = EventLog(coded, FILE_ORDER, excluded, 0, "file", activities)
    paths_sql = connection.compile(journey_paths(log, deduplicate=True))
    connection.raw_sql(f"CREATE TABLE paths AS {paths_sql}")
    log = replace(log, table=coded.distinct())
    paths = connection.table("paths")
    events_kept = int(paths["steps"].length().sum().to_pyarrow().as_py() or 0)
    excluded["duplicates"] = kept_rows - events_kept
    return replace(log, events=events_kept, paths=paths)


def _ordered(log: EventLog) -> ir.Table:
    """The events with pm4py's column names, in journey and step order."""
    table = log.table
    if "activity" not in table.columns and log.activities is not None:
        table = table.join(log.activities, "code")
    table = table.order_by(["journey", *log.order])
    extra = {c: table[c] for c in EXTRA_COLUMNS if c in table.columns}
    return table.select(
        **{CASE: table["journey"].cast("string"), ACTIVITY: table["activity"]},
        **{TIMESTAMP: table["timestamp"]},
        **extra,
    )


def export_event_log(log: EventLog, path: str | Path, fmt: str | None = None) -> Path:
    """Write the log as a pm4py-compatible CSV, Parquet or XES file.

    Parameters
    ----------
    log
        The event log.
    path
        The file to write.
    fmt
        ``csv``, ``parquet`` or ``xes``; taken from the file's suffix when not given.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    target = Path(path)
    chosen = (fmt or target.suffix.lstrip(".")).lower()
    if chosen not in EXPORT_FORMATS:
        raise InvalidParameterError(
            f"cannot write {target.name} as {chosen or '(no suffix)'!r}; use "
            f"{', '.join(EXPORT_FORMATS)}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    ordered = _ordered(log)
    if chosen == "csv":
        ordered.to_csv(target)
    elif chosen == "parquet":
        ordered.to_parquet(target)
    else:
        _write_xes(ordered, target)
    return target


def _attribute(name: str, value: object) -> str:
    if hasattr(value, "isoformat"):
        stamp = value.isoformat(timespec="milliseconds")
        return f'<date key={quoteattr(name)} value="{stamp}+00:00"/>'
    return f"<string key={quoteattr(name)} value={quoteattr(str(value))}/>"


def _write_xes(ordered: ir.Table, target: Path) -> None:
    """Stream the ordered events into an XES file, one trace per journey."""
    with target.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<log xes.version="1.0" xes.features="nested-attributes" '
            'xmlns="http://www.xes-standard.org/">\n'
            '<extension name="Concept" prefix="concept" '
            'uri="http://www.xes-standard.org/concept.xesext"/>\n'
            '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        )
        current: str | None = None
        batch: pa.RecordBatch
        for batch in ordered.to_pyarrow_batches():
            for row in batch.to_pylist():
                case = row.pop(CASE)
                if case != current:
                    if current is not None:
                        out.write("</trace>\n")
                    out.write(f"<trace>{_attribute(ACTIVITY, case)}\n")
                    current = case
                cells = "".join(_attribute(k, v) for k, v in row.items() if v is not None)
                out.write(f"<event>{cells}</event>\n")
        if current is not None:
            out.write("</trace>\n")
        out.write("</log>\n")
