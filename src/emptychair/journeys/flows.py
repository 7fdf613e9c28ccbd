"""Flows of the first steps of the journeys: what a Sankey diagram draws.

The journeys are grouped in the engine by their first ``steps`` activities (one row per
distinct beginning comes back); each beginning then adds its journeys to the links between
its consecutive steps. A journey that stops before the last column adds to a link towards
``(end)``, so the size of each step's node is the number of journeys that reach it.
Activities outside the ``top`` most frequent of a column are grouped as ``(other)``.
Journeys of one step make no flow and are left out.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.journeys.events import EventLog
from emptychair.journeys.paths import activity_names, coded_log, journey_paths, step_code

END, OTHER = "(end)", "(other)"
FLOW_COLUMNS: tuple[str, ...] = ("step", "source", "target", "journeys")


def first_step_flows(log: EventLog, steps: int = 5, top: int = 8) -> pd.DataFrame:
    """The links between the first ``steps`` steps of the journeys.

    Parameters
    ----------
    log : EventLog
        A workspace or file event log.
    steps : int, default 5
        How many first steps to follow (at least 2).
    top : int, default 8
        Per step, the most frequent activities kept; the others are ``(other)``.

    Returns
    -------
    pandas.DataFrame
        One row per link: ``step`` (1 = from the first step to the second), ``source``,
        ``target`` (``(end)`` when the journeys stop there) and ``journeys``; by step, most
        journeys first.
    """
    if steps < 2:
        raise InvalidParameterError(f"a flow needs at least 2 steps, not {steps}")
    if top < 1:
        raise InvalidParameterError(f"top must be at least 1, not {top}")
    paths = journey_paths(log)
    paths = paths.filter(paths["steps"].length() > 1)
    beginning = paths["steps"][:steps].map(lambda step: step_code(log, step))
    grouped = paths.group_by(beginning=beginning).aggregate(journeys=paths.count())
    rows = grouped.to_pyarrow().to_pylist()
    names = activity_names(log, coded_log(log)[1])
    reached: list[Counter[str]] = [Counter() for _ in range(steps)]
    for row in rows:
        for k, code in enumerate(row["beginning"]):
            reached[k][names[code]] += row["journeys"]
    kept = [{name for name, _ in counter.most_common(top)} for counter in reached]
    links: Counter[tuple[int, str, str]] = Counter()
    for row in rows:
        path = [names[c] if names[c] in kept[k] else OTHER for k, c in enumerate(row["beginning"])]
        for k in range(len(path) - 1):
            links[(k + 1, path[k], path[k + 1])] += row["journeys"]
        if len(path) < steps:
            links[(len(path), path[-1], END)] += row["journeys"]
    frame = pd.DataFrame(
        [(k, a, b, n) for (k, a, b), n in links.items()], columns=list(FLOW_COLUMNS)
    )
    frame["journeys"] = frame["journeys"].astype("int64")
    return frame.sort_values(
        ["step", "journeys", "source", "target"], ascending=[True, False, True, True]
    ).reset_index(drop=True)
