"""Paths through the journeys: variants and the directly-follows graph.

Both are computed in the engine (the same Ibis expressions on DuckDB and Spark); only one row
per variant or per edge comes back. Activities are replaced by small integer codes before the
heavy grouping (sequences of integers group much faster than sequences of text) and named again
on the way out.

* A **variant** is the ordered sequence of the activities of a journey; two journeys with the
  same sequence follow the same variant. Its duration is the time from the first to the last
  event of each journey (0 for a journey of one step).
* The **directly-follows graph** has an edge ``a → b`` for each pair of consecutive steps of a
  journey; its weight is the number of such pairs, and the transition time is the time between
  the two steps. These are the counts pm4py calls the DFG (``pm4py.discover_dfg``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.journeys.events import EventLog

VARIANT_COLUMNS: tuple[str, ...] = (
    "variant", "steps", "journeys", "share", "median_duration_s",
)  # fmt: skip
GRAPH_COLUMNS: tuple[str, ...] = (
    "source", "target", "transitions", "share", "median_s", "p90_s",
)  # fmt: skip
#: Journeys longer than this are paired by position, not by array (see :func:`step_pairs`).
LONG_JOURNEY = 1_000
OUTCOME_NAMES = {
    "is_purchase": "purchase_share",
    "is_complaint": "complaint_share",
    "is_detractor": "detractor_share",
}


def coded_log(log: EventLog) -> tuple[ir.Table, ir.Table]:
    """The log with an integer ``code`` per activity, and the code → activity dictionary."""
    if log.activities is not None:
        return log.table, log.activities
    names = activity_codes(log.table)
    return log.table.join(names, "activity"), names


def activity_codes(table: ir.Table) -> ir.Table:
    """``activity`` → ``code`` (0, 1, ...), codes in the alphabetical order of the activities,
    so that ordering by code orders by activity."""
    names = table.select("activity").distinct()
    return names.mutate(code=ibis.row_number().over(order_by="activity").cast("int32"))


def activity_names(log: EventLog, names: ir.Table) -> dict[int, str]:
    frame = names.to_pyarrow().to_pydict()
    return dict(zip(frame["code"], frame["activity"], strict=True))


def _order(log: EventLog, table: ir.Table) -> list[ir.Value]:
    """The step order, with the activity code in place of the activity name (same order)."""
    return [table["code"] if c in ("activity", "code") else table[c] for c in log.order]


def journey_paths(log: EventLog, *, deduplicate: bool = False) -> ir.Table:
    """One row per journey: ``journey``, ``steps`` and the journey's outcome flags.

    ``steps`` lists the journey's events in step order, each as a record of its order keys
    (``k0`` the time, then the tie-breakers with the activity ``code`` in place of its name,
    see :func:`step_code`). The events are collected unordered, then each journey's short
    list is sorted: much faster than sorting every event. Variants and the graph both start
    from this table (stored once for a log read from a file).

    With ``deduplicate``, equal steps (every order key equal) are kept once: for a log whose
    order keys are all its columns, this removes exact duplicates at a fraction of the cost
    of a ``distinct`` over every event.
    """
    if log.paths is not None:
        return log.paths
    table, _ = coded_log(log)
    step = ibis.struct({f"k{i}": key for i, key in enumerate(_order(log, table))})
    flags = {f: table[f].max() for f in log.outcomes}
    paths = table.group_by("journey").aggregate(steps=step.collect().sort(), **flags)
    if not deduplicate:
        return paths
    # equal steps are neighbours once sorted: only journeys that have some are rebuilt (pairing
    # the arrays is fastest on short journeys, counting distinct steps on long ones)
    steps = paths["steps"]
    neighbours = steps[:-1].zip(steps[1:]).map(lambda pair: pair["f1"] == pair["f2"]).anys()
    repeated = ibis.ifelse(
        steps.length() <= LONG_JOURNEY, neighbours, steps.unique().length() < steps.length()
    )
    return paths.mutate(steps=ibis.ifelse(repeated.fill_null(False), steps.unique().sort(), steps))


def step_pairs(paths: ir.Table) -> ir.Table:
    """One row per pair of consecutive steps of :func:`journey_paths`: ``journey``,
    ``before`` and ``after`` (steps).

    Journeys of up to :data:`LONG_JOURNEY` steps pair their arrays element by element; longer
    ones (where pairing arrays costs the square of their length in the engine) are unnested
    and paired by position.
    """
    length = paths["steps"].length()
    short = paths.filter((length > 1) & (length <= LONG_JOURNEY))
    steps = short["steps"]
    zipped = short.select("journey", pair=steps[:-1].zip(steps[1:])).unnest("pair")
    pairs = zipped.select("journey", before=zipped["pair"]["f1"], after=zipped["pair"]["f2"])
    long = paths.filter(length > LONG_JOURNEY)
    flat = long.select("journey", after=long["steps"]).unnest("after", offset="position")
    by_position = ibis.window(group_by="journey", order_by="position")
    flat = flat.mutate(before=flat["after"].lag().over(by_position))
    flat = flat.filter(flat["before"].notnull())
    return pairs.union(flat.select("journey", "before", "after"))


def step_code(log: EventLog, step: ir.StructValue) -> ir.IntegerValue:
    """The activity code of a step of :func:`journey_paths`."""
    position = next(i for i, c in enumerate(log.order) if c in ("activity", "code"))
    return step[f"k{position}"]


def step_seconds(step: ir.StructValue) -> ir.IntegerValue:
    """The time of a step of :func:`journey_paths`, in seconds since 1970."""
    return step["k0"].epoch_seconds()


def variants(log: EventLog, top: int | None = None) -> pd.DataFrame:
    """The variants of the journeys, most frequent first.

    Parameters
    ----------
    log
        The event log.
    top
        Keep only this many variants (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``variant`` (tuple of activities), ``steps``, ``journeys``,
        ``share`` of all journeys, ``median_duration_s`` and, for a workspace log, the share
        of its journeys with a purchase, a complaint and a detractor answer
        (``purchase_share``, ``complaint_share``, ``detractor_share``). Ties in ``journeys``
        are ordered by the variant, so the order is stable.
    """
    if top is not None and top < 1:
        raise InvalidParameterError(f"top must be at least 1, not {top}")
    paths = journey_paths(log)
    steps = paths["steps"]
    duration = (step_seconds(steps[steps.length() - 1]) - step_seconds(steps[0])).cast("float64")
    shares = {OUTCOME_NAMES[f]: paths[f].cast("float64").mean() for f in log.outcomes}
    grouped = paths.group_by(codes=steps.map(lambda step: step_code(log, step))).aggregate(
        journeys=paths.count(), median_duration_s=duration.median(), **shares
    )
    # codes follow the activities' alphabetical order, so ordering the lists of codes orders
    # the variants by their names
    ordered = grouped.order_by([ibis.desc("journeys"), "codes"]).to_pyarrow()
    lookup = activity_names(log, coded_log(log)[1])
    names = [lookup[c] for c in range(max(lookup, default=-1) + 1)]
    frame = ordered.drop_columns(["codes"]).to_pandas()
    codes = ordered.column("codes").to_pylist()
    frame["variant"] = [tuple(names[c] for c in variant) for variant in codes]
    total = int(frame["journeys"].sum())
    frame["steps"] = np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))
    frame["journeys"] = frame["journeys"].astype("int64")
    frame["share"] = frame["journeys"] / total if total else 0.0
    frame = frame[[*VARIANT_COLUMNS, *shares]]
    return frame.head(top).reset_index(drop=True) if top is not None else frame


def directly_follows(log: EventLog, min_count: int = 1, min_share: float = 0.0) -> pd.DataFrame:
    """The directly-follows graph: how often each activity is followed by another, and how fast.

    Parameters
    ----------
    log
        The event log.
    min_count
        Leave out edges seen fewer times than this (rare paths).
    min_share
        Leave out edges that carry less than this share of all transitions (0–1).

    Returns
    -------
    pandas.DataFrame
        One row per edge: ``source``, ``target``, ``transitions``, ``share`` of all
        transitions, and the ``median_s`` and ``p90_s`` of the transition time in seconds;
        most frequent first. The filters do not
        change ``share``: it is always relative to every transition in the log.
    """
    if min_count < 1:
        raise InvalidParameterError(f"min_count must be at least 1, not {min_count}")
    if not 0.0 <= min_share <= 1.0:
        raise InvalidParameterError(f"min_share must be between 0 and 1, not {min_share}")
    zipped = step_pairs(journey_paths(log))
    before, after = zipped["before"], zipped["after"]
    pairs = zipped.select(
        source=step_code(log, before),
        target=step_code(log, after),
        gap_s=(step_seconds(after) - step_seconds(before)).cast("float64"),
    )
    edges = pairs.group_by(["source", "target"]).aggregate(
        transitions=pairs.count(),
        median_s=pairs["gap_s"].median(),
        p90_s=pairs["gap_s"].quantile(0.9),
    )
    frame = edges.to_pyarrow().to_pandas()
    lookup = activity_names(log, coded_log(log)[1])
    frame["source"] = frame["source"].map(lookup)
    frame["target"] = frame["target"].map(lookup)
    total = int(frame["transitions"].sum())
    frame["transitions"] = frame["transitions"].astype("int64")
    frame["share"] = frame["transitions"] / total if total else 0.0
    kept = frame[(frame["transitions"] >= min_count) & (frame["share"] >= min_share)]
    kept = kept.sort_values(
        ["transitions", "source", "target"], ascending=[False, True, True], ignore_index=True
    )
    return kept[list(GRAPH_COLUMNS)]
