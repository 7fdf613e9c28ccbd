"""Funnels: how many journeys go through an ordered list of steps, and where they drop off.

A journey **reaches** the first step when it has an event of that activity; it reaches step
*k* when, at or after the time it reached step *k − 1*, it has an event of step *k*'s
activity (other events may come between). The time a journey reaches a step is its first
such event. Everything is computed in the engine; one row per step (and group) comes back.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.journeys.events import EventLog
from emptychair.journeys.paths import activity_names, coded_log

FUNNEL_COLUMNS: tuple[str, ...] = (
    *("step", "activity", "journeys", "conversion_from_previous", "conversion_from_start"),
    *("dropped", "median_time_from_start_s"),
)


def funnel(log: EventLog, steps: Sequence[str], *, by: str | None = None) -> pd.DataFrame:
    """Conversion and drop-off at each step of an ordered funnel.

    Parameters
    ----------
    log : EventLog
        A workspace or file event log.
    steps : sequence of str
        The activities of the funnel, in order (at the log's level, e.g. ``"web:cart"``); at
        least two, each one present in the log.
    by : str, optional
        A column of a workspace log (``channel``, ``team``...) to split the funnel by; a
        journey counts in the group of its first-step event.

    Returns
    -------
    DataFrame
        One row per step (and group): ``step`` (1, 2, ...), ``activity``, ``journeys`` that
        reached it, ``conversion_from_previous`` and ``conversion_from_start`` (shares),
        ``dropped`` (journeys of the previous step that did not reach this one) and
        ``median_time_from_start_s`` (seconds from the first step, among those that reached it).
    """
    steps = list(steps)
    if len(steps) < 2:
        raise InvalidParameterError(f"a funnel needs at least two steps, got {steps!r}")
    table, names = coded_log(log)
    codes = {activity: code for code, activity in activity_names(log, names).items()}
    missing = [step for step in steps if step not in codes]
    if missing:
        known = ", ".join(sorted(codes)[:20])
        raise InvalidParameterError(
            f"no event of {', '.join(map(repr, missing))} in the log; activities at level "
            f"{log.level!r} include: {known}"
        )
    if by is not None and by not in table.columns:
        raise InvalidParameterError(
            f"the log has no column {by!r} to split the funnel by; it has "
            f"{', '.join(c for c in table.columns if c not in ('code', 'journey'))}"
        )
    first = table.filter(table["code"] == codes[steps[0]])
    group = {"group": first[by].min()} if by is not None else {}
    reached = first.group_by("journey").aggregate(t0=first["timestamp"].min(), **group)
    for i, step in enumerate(steps[1:], start=1):
        events = table.filter(table["code"] == codes[step]).select("journey", at=table["timestamp"])
        later = reached.select("journey", previous=reached[f"t{i - 1}"]).join(events, "journey")
        later = later.filter(later["at"] >= later["previous"])
        nxt = later.group_by("journey").aggregate(**{f"t{i}": later["at"].min()})
        reached = reached.left_join(nxt, "journey").select(*reached.columns, nxt[f"t{i}"])
    start = reached["t0"].epoch_seconds()
    metrics = {}
    for i in range(len(steps)):
        at = reached[f"t{i}"]
        metrics[f"n{i}"] = at.count()
        metrics[f"m{i}"] = (at.epoch_seconds() - start).median()
    keys = ["group"] if by is not None else []
    grouped = reached.group_by(keys).aggregate(**metrics) if keys else reached.aggregate(**metrics)
    counts = grouped.to_pandas()
    rows = []
    for record in counts.to_dict("records"):
        start_count = int(record["n0"])
        for i, step in enumerate(steps):
            count = int(record[f"n{i}"])
            previous = int(record[f"n{i - 1}"]) if i else count
            row = {
                "step": i + 1,
                "activity": step,
                "journeys": count,
                "conversion_from_previous": count / previous if previous else float("nan"),
                "conversion_from_start": count / start_count if start_count else float("nan"),
                "dropped": previous - count,
                "median_time_from_start_s": float(record[f"m{i}"])
                if count and record[f"m{i}"] is not None
                else float("nan"),
            }
            if by is not None:
                row = {by: record["group"], **row}
            rows.append(row)
    columns = [by, *FUNNEL_COLUMNS] if by is not None else list(FUNNEL_COLUMNS)
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values([*([by] if by else []), "step"], ignore_index=True)
