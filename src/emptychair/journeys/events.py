"""The event log: one event per row, cut into journeys, each step in a known order.

An event log is an Ibis table (it stays in the engine) with at least these columns:

* ``journey``: an integer key of the journey the event belongs to;
* ``activity``: what happened, at the chosen level (``channel``, ``touchpoint`` or
  ``channel:touchpoint``);
* ``timestamp``: when it happened.

How events become journeys:

1. Events without a timestamp or a customer (or anonymous visitor) are left out and counted.
2. Exact duplicates (every column equal) are removed and counted.
3. An event recorded with a ``journey_id`` belongs to that journey (all its events, whoever the
   customer, e.g. anonymous browsing then a logged-in checkout).
4. The other events of each customer are cut into journeys by inactivity: a new journey starts
   when more than ``gap_hours`` passed since the customer's previous such event.
5. Journeys are numbered 1, 2, ... in order of their first event (ties by their label), so the
   numbers do not depend on the engine or on the order of the rows.
6. Within a journey, simultaneous events are ordered by source (interaction, order, feedback,
   complaint), then activity, channel, touchpoint, team, reason, outcome, direction and
   duration: the order of the steps is the same on every run and every engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from emptychair.errors import InvalidParameterError
from emptychair.workspace import Workspace

LEVELS: tuple[str, ...] = ("channel", "touchpoint", "channel:touchpoint")
DEFAULT_LEVEL = "channel:touchpoint"
DEFAULT_GAP_HOURS = 48.0
HOUR_S = 3_600
#: Columns that break ties between simultaneous events of a workspace log, after the time.
WORKSPACE_ORDER: tuple[str, ...] = (
    "timestamp", "source_rank", "activity", "channel", "touchpoint", "team", "reason", "outcome",
    "direction", "duration_s",
)  # fmt: skip


@dataclass(frozen=True)
class EventLog:
    """Events cut into journeys, as an engine expression, and what was left out.

    Attributes
    ----------
    table
        One row per event: ``journey`` (int64), ``activity`` (or its integer ``code``, see
        ``activities``), ``timestamp`` and, for a
        workspace log, ``person_id``, ``customer_id``, ``source``, ``channel``, ``touchpoint``,
        ``team``, ``reason``, ``outcome``, ``direction``, ``duration_s``, ``journey_id``,
        ``is_purchase``, ``is_complaint``, ``is_detractor``.
    order
        The columns that order the steps of a journey (time first, then tie-breakers).
    excluded
        Rows left out: ``missing_timestamp``, ``missing_customer``, ``duplicates``.
    events
        Events kept.
    level
        The level of ``activity`` (``channel``, ``touchpoint``, ``channel:touchpoint``, or
        ``file`` for a log read from a file).
    activities
        When the table holds an integer ``code`` per activity (a log read from a file): the
        ``activity`` → ``code`` dictionary, codes in the alphabetical order of the activities
        (so ordering by code orders by activity).
    paths
        The journeys' steps already stored (see :func:`emptychair.journeys.paths.journey_paths`).
    """

    table: ir.Table
    order: tuple[str, ...]
    excluded: dict[str, int] = field(default_factory=dict)
    events: int = 0
    level: str = DEFAULT_LEVEL
    activities: ir.Table | None = None
    paths: ir.Table | None = None

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcome flags this log carries (none for a log read from a file)."""
        flags = ("is_purchase", "is_complaint", "is_detractor")
        return tuple(f for f in flags if f in self.table.columns)


def checked_level(level: str) -> str:
    """``level`` if it is one of :data:`LEVELS`; raises a clear error otherwise."""
    if level not in LEVELS:
        raise InvalidParameterError(f"level {level!r} is not known; use one of {', '.join(LEVELS)}")
    return level


def checked_gap(gap_hours: float) -> float:
    """``gap_hours`` if positive; raises a clear error otherwise."""
    if not gap_hours > 0:
        raise InvalidParameterError(f"gap_hours must be more than 0 hours, not {gap_hours!r}")
    return float(gap_hours)


def activity(events: ir.Table, level: str) -> ir.StringValue:
    """The activity of each event at ``level``."""
    if checked_level(level) == "channel":
        return events["channel"]
    if level == "touchpoint":
        return events["touchpoint"]
    return events["channel"].concat(":", events["touchpoint"])


def count_exclusions(
    events: ir.Table, required: dict[str, str]
) -> tuple[dict[str, int], ir.Table, int]:
    """The rows that have every ``required`` column (name → reason counted when missing),
    how many were left out for each reason (a row counts once, for its first reason) and how
    many were kept; one pass over the rows."""
    missing: dict[str, ir.Value] = {}
    seen = ibis.literal(False)
    for column, reason in required.items():
        absent = events[column].isnull()
        missing[reason] = (absent & ~seen).cast("int64").sum()
        seen = seen | absent
    counts = events.aggregate(rows=events.count(), **missing).to_pyarrow().to_pylist()[0]
    excluded = {k: int(counts[k] or 0) for k in missing}
    return excluded, events.filter(~seen), int(counts["rows"]) - sum(excluded.values())


def gap_sessions(events: ir.Table, gap_hours: float, order: tuple[str, ...]) -> ir.Table:
    """``events`` with ``session``: the number (1, 2, ...) of the customer's inactivity
    session each event falls in."""
    window = ibis.window(group_by="person_id", order_by=list(order))
    seconds = events["timestamp"].epoch_seconds()
    previous = seconds.lag().over(window)
    gap_s = checked_gap(gap_hours) * HOUR_S
    marked = events.mutate(_starts=(previous.isnull() | (seconds - previous > gap_s)).cast("int64"))
    return marked.mutate(session=marked["_starts"].cumsum().over(window)).drop("_starts")


def number_journeys(events: ir.Table, label: str) -> ir.Table:
    """``events`` with ``journey`` = 1, 2, ... in order of each label's first event."""
    firsts = events.group_by(label).aggregate(first_at=events["timestamp"].min())
    numbered = firsts.select(
        label,
        journey=(ibis.row_number().over(order_by=["first_at", label]) + 1).cast("int64"),
    )
    return events.join(numbered, label).drop(label)


def workspace_event_log(
    workspace: Workspace,
    *,
    level: str = DEFAULT_LEVEL,
    gap_hours: float = DEFAULT_GAP_HOURS,
    sources: tuple[str, ...] | None = None,
) -> EventLog:
    """The event log of a workspace: interactions, orders, feedback and complaints.

    Parameters
    ----------
    workspace
        The workspace to read.
    level
        What ``activity`` says: ``channel``, ``touchpoint`` or ``channel:touchpoint``.
    gap_hours
        Events without a ``journey_id`` start a new journey after this many hours without
        any event of the same customer.
    sources
        The tables to read (default: all four, see :data:`emptychair.journeys.sources.SOURCES`).

    Returns
    -------
    EventLog
        The log (an engine expression) with the counts of rows left out.

    Examples
    --------
    >>> log = workspace_event_log(ws, level="channel", gap_hours=24)   # doctest: +SKIP
    >>> log.excluded                                                   # doctest: +SKIP
    {'missing_timestamp': 0, 'missing_customer': 12, 'duplicates': 0}
    """
    from emptychair.journeys.sources import SOURCES, workspace_events

    chosen = tuple(sources) if sources is not None else SOURCES
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown or not chosen:
        raise InvalidParameterError(
            f"sources {', '.join(unknown) or '(none)'}: choose among {', '.join(SOURCES)}"
        )
    checked_gap(gap_hours)
    raw = workspace_events(workspace, chosen)
    raw = raw.mutate(activity=activity(raw, level))
    excluded, kept, total_kept = count_exclusions(
        raw, {"timestamp": "missing_timestamp", "person_id": "missing_customer"}
    )
    distinct = kept.distinct()
    events = int(distinct.count().to_pyarrow().as_py())
    excluded["duplicates"] = total_kept - events
    explicit = distinct["journey_id"].notnull()
    by_gap = gap_sessions(distinct.filter(~explicit), gap_hours, WORKSPACE_ORDER)
    by_gap = by_gap.mutate(
        journey_label=ibis.literal("gap|").concat(
            by_gap["person_id"], "|", by_gap["session"].cast("string")
        )
    ).drop("session")
    by_id = distinct.filter(explicit)
    by_id = by_id.mutate(journey_label=ibis.literal("id|").concat(by_id["journey_id"]))
    labelled = by_id.union(by_gap.select(*by_id.columns))
    table = number_journeys(labelled, "journey_label")
    return EventLog(table, WORKSPACE_ORDER, excluded, events, level)


def journeys(log: EventLog) -> ir.Table:
    """One row per journey: ``journey``, ``journey_id`` (when recorded), ``customer_id``,
    ``started_at``, ``ended_at``, ``duration_s`` and ``events``."""
    table = log.table
    columns = {
        "started_at": table["timestamp"].min(),
        "ended_at": table["timestamp"].max(),
        "events": table.count(),
    }
    if "journey_id" in table.columns:
        columns["journey_id"] = table["journey_id"].max()
        columns["customer_id"] = table["customer_id"].max()
    per = table.group_by("journey").aggregate(**columns)
    return per.mutate(
        duration_s=per["ended_at"].epoch_seconds() - per["started_at"].epoch_seconds()
    ).order_by("journey")
