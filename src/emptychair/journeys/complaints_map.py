"""Complaints on the map: where in the journeys complaints follow.

Beside the answers of :mod:`emptychair.journeys.satisfaction`, the map places each complaint
on the journey it is opened in (the event log cuts complaints into journeys like any other
event) and gives, as the kind ``complaint_rate``:

* per **touchpoint**: among the journeys that pass through it, the share after which the
  same person opens a complaint within :data:`WINDOW_DAYS` days of the journey's first step
  there (the touchpoints customers complain after, not the complaint channel itself);
* per **variant**: the share of the variant's journeys with a complaint of the same person
  from their first step to :data:`WINDOW_DAYS` days after their last.

Complaints are often opened days after what caused them, in a journey of their own: the
window, not the journey cut, links them to what came before.

``responses`` is the number of journeys, ``score`` the share, ``low`` and ``high`` its Wilson
interval. Answers and complaints themselves are not touchpoints here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.journeys.events import EventLog
from emptychair.voice.intervals import wilson_interval

KIND = "complaint_rate"
#: Days after a step in which a complaint of the same person counts as following it.
WINDOW_DAYS = 30.0
#: Sources whose events are what is measured, not places on the map.
NOT_PLACES = ("feedback", "complaints")


def _rates(counts: pd.DataFrame, group: str, level: float, min_journeys: int) -> pd.DataFrame:
    low, high = wilson_interval(counts["flagged"], counts["journeys"], level)
    return pd.DataFrame(
        {
            "group": counts[group],
            "kind": KIND,
            "responses": counts["journeys"].astype(int),
            "score": counts["flagged"] / counts["journeys"],
            "low": low,
            "high": high,
            "small_group": counts["journeys"] < min_journeys,
        }
    )


def _complaints(log: EventLog) -> ir.Table:
    events = log.table
    found = events.filter(events["is_complaint"])
    return found.select(complainant=found["person_id"], complaint_at=found["timestamp"])


def _followed(places: ir.Table, log: EventLog, after: str, window_days: float) -> ir.Table:
    """The rows of ``places`` (with ``person_id`` and the time column ``after``) whose
    person opened a complaint in the ``window_days`` after that time."""
    complaints = _complaints(log)
    window = ibis.interval(seconds=int(window_days * 86_400))
    return places.semi_join(
        complaints,
        [
            places["person_id"] == complaints["complainant"],
            complaints["complaint_at"] > places[after],
            complaints["complaint_at"] <= places[after] + window,
        ],
    )


def touchpoint_complaint_rates(
    log: EventLog, level: float, min_journeys: int, window_days: float = WINDOW_DAYS
) -> pd.DataFrame:
    """Per touchpoint: journeys through it, and the share followed by a complaint of the
    same person in the ``window_days`` after the journey's first step there."""
    events = log.table
    places = events.filter(~events["source"].isin(NOT_PLACES) & events["person_id"].notnull())
    first = places.group_by(["journey", "activity", "person_id"]).aggregate(
        first_at=places["timestamp"].min()
    )
    totals = first.group_by(touchpoint=first["activity"]).aggregate(journeys=first.count())
    hit = _followed(first, log, "first_at", window_days)
    flagged = hit.group_by(touchpoint=hit["activity"]).aggregate(flagged=hit.count())
    counts = totals.left_join(flagged, "touchpoint").select(
        "touchpoint", "journeys", flagged=flagged["flagged"].fill_null(0)
    )
    return _rates(counts.to_pandas(), "touchpoint", level, min_journeys)


def variant_complaint_rates(
    log: EventLog,
    variants: ir.Table,
    level: float,
    min_journeys: int,
    names: Callable[[pd.Series], pd.Series],
    window_days: float = WINDOW_DAYS,
) -> pd.DataFrame:
    """Per variant (``variants``: ``journey`` → ``variant_codes``): the share of its journeys
    with a complaint of the same person from their first step to ``window_days`` after their
    last; ``names`` turns the codes into the variant's written steps."""
    events = log.table
    known = events.filter(events["person_id"].notnull())
    spans = known.group_by(["journey", "person_id"]).aggregate(
        started_at=known["timestamp"].min(), ended_at=known["timestamp"].max()
    )
    complaints = _complaints(log)
    window = ibis.interval(seconds=int(window_days * 86_400))
    hit = spans.semi_join(
        complaints,
        [
            spans["person_id"] == complaints["complainant"],
            complaints["complaint_at"] >= spans["started_at"],
            complaints["complaint_at"] <= spans["ended_at"] + window,
        ],
    ).select("journey", complained=ibis.literal(True))
    joined = variants.left_join(hit, "journey")
    counts = joined.group_by("variant_codes").aggregate(
        journeys=joined.count(),
        flagged=joined["complained"].fill_null(False).cast("int64").sum(),
    )
    frame = counts.to_pandas()
    frame["variant"] = names(frame["variant_codes"])
    return _rates(frame, "variant", level, min_journeys)


def complaint_rate_rows(
    log: EventLog,
    by: Sequence[str],
    variants: ir.Table,
    names: Callable[[pd.Series], pd.Series],
    level: float,
    min_journeys: int,
) -> pd.DataFrame:
    """The ``complaint_rate`` rows of the satisfaction map for the dimensions ``by``
    (``dimension``, ``group_value``, ``kind``, ``responses``, ``score``, ``low``, ``high``,
    ``small_group``); none for a log without complaint flags."""
    if "is_complaint" not in log.table.columns:
        return pd.DataFrame()
    frames = []
    if "touchpoint" in by:
        frames.append(
            touchpoint_complaint_rates(log, level, min_journeys).assign(dimension="touchpoint")
        )
    if "variant" in by:
        frames.append(
            variant_complaint_rates(log, variants, level, min_journeys, names).assign(
                dimension="variant"
            )
        )
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.assign(group_value=frame["group"].astype(str))
    return frame[frame["responses"] > 0].drop(columns="group")


__all__ = ["KIND", "complaint_rate_rows", "touchpoint_complaint_rates", "variant_complaint_rates"]
