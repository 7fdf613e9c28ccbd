"""Friction indicators: where journeys break, from a workspace's event log.

Each indicator is a flag per journey, computed in the engine:

* **contact**: an inbound interaction on an assisted channel (phone, e-mail, chat by default)
  that starts a new request. A phone call that follows a queue or a transferred call of the
  same customer within an hour continues the same contact; so does every step of a phone
  queue → call → transfer → call.
* **repeat contact**: a contact whose customer had already contacted the company for the
  same reason in the ``repeat_days`` before (the inverse of first-contact resolution). A
  journey has a repeat contact when one of its contacts is a repeat.
* **web to phone**: a phone contact less than ``hop_hours`` after a web or app interaction of
  the same customer, with no purchase since that interaction nor at it (a digital journey
  that failed and turned into a call).
* **long wait**: a waiting step (touchpoint ``queue`` by default) longer than ``long_wait_s``.
* **dead end**: a journey whose last step ended in ``error`` or is a complaint.
* **loop**: a journey that comes back to a step it had already left (``a → b → a``); a step
  repeated right after itself (``a → a``) is not a loop.

Two indicators need nothing but the steps and their times, so they work on any event log
file too (:data:`FILE_INDICATORS`): **loop**, and **long gap**, two consecutive steps more
than ``long_gap_hours`` apart.

:func:`friction_summary` gives, for each indicator, the journeys flagged and their share.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.journeys.events import EventLog
from emptychair.journeys.paths import journey_paths, step_code, step_pairs, step_seconds

DAY_S, HOUR_S = 86_400, 3_600
INDICATORS: tuple[str, ...] = ("repeat_contact", "web_to_phone", "long_wait", "dead_end", "loop")
#: The indicators of a log without channels, teams or outcomes (an event log file).
FILE_INDICATORS: tuple[str, ...] = ("loop", "long_gap")
NEEDED = ("person_id", "channel", "touchpoint", "outcome", "direction", "duration_s", "reason")


@dataclass(frozen=True)
class FrictionSettings:
    """What counts as friction (see the module's docstring)."""

    repeat_days: float = 7.0
    hop_hours: float = 24.0
    long_wait_s: float = 600.0
    long_gap_hours: float = 24.0
    assisted_channels: tuple[str, ...] = ("phone", "email", "chat")
    wait_touchpoints: tuple[str, ...] = ("queue",)

    def checked(self) -> FrictionSettings:
        for name in ("repeat_days", "hop_hours", "long_wait_s", "long_gap_hours"):
            if not getattr(self, name) > 0:
                raise InvalidParameterError(
                    f"{name} must be more than 0, not {getattr(self, name)}"
                )
        return self


def _contacts(log: EventLog, settings: FrictionSettings) -> ir.Table:
    """Every event with ``is_contact`` (it starts a new request) and ``is_hop``."""
    table = log.table
    by_person = ibis.window(group_by="person_id", order_by=list(log.order))
    so_far = ibis.window(group_by="person_id", order_by=list(log.order), rows=(None, 0))
    seconds = table["timestamp"].epoch_seconds()
    inbound = table["direction"].fill_null("inbound") != "outbound"
    assisted = table["channel"].isin(list(settings.assisted_channels)) & inbound
    assisted = assisted & (table["source"] == "interactions")
    digital = table["channel"].isin(["web", "app"]) & (table["source"] == "interactions")
    marked = table.mutate(
        _s=seconds,
        _assisted=assisted,
        _previous_channel=table["channel"].lag().over(by_person),
        _previous_touchpoint=table["touchpoint"].lag().over(by_person),
        _previous_outcome=table["outcome"].lag().over(by_person),
        _previous_s=seconds.lag().over(by_person),
        # time is ordered: the running maximum is the latest such event so far
        _last_digital_s=ibis.ifelse(digital, seconds, ibis.null("int64")).max().over(so_far),
        _last_purchase_s=ibis.ifelse(table["is_purchase"], seconds, ibis.null("int64"))
        .max()
        .over(so_far),
    )
    since = marked["_s"] - marked["_previous_s"]
    follows_queue = (
        (marked["channel"] == "phone")
        & (marked["_previous_channel"] == "phone")
        & (
            marked["_previous_touchpoint"].isin(list(settings.wait_touchpoints))
            | (marked["_previous_outcome"] == "transferred")
        )
        & (since <= HOUR_S)
    ).fill_null(False)
    is_contact = marked["_assisted"] & ~follows_queue
    last_digital = marked["_last_digital_s"]
    hop = (
        is_contact
        & (marked["channel"] == "phone")
        & (marked["_s"] - last_digital < settings.hop_hours * HOUR_S)
        & (last_digital > marked["_last_purchase_s"].fill_null(-1))
    ).fill_null(False)
    return marked.mutate(is_contact=is_contact, is_hop=hop)


def path_frictions(log: EventLog, settings: FrictionSettings | None = None) -> ir.Table:
    """One row per journey: ``journey``, ``loop`` and ``long_gap``, from its ordered steps.

    Works on any event log, a file's included: a journey **loops** when it has more runs of
    equal consecutive steps than distinct steps (``a → b → a`` has three runs of two steps);
    it has a **long gap** when two consecutive steps are more than ``long_gap_hours`` apart.
    """
    chosen = (settings or FrictionSettings()).checked()
    paths = journey_paths(log)
    pairs = step_pairs(paths)
    before, after = pairs["before"], pairs["after"]
    gap_s = chosen.long_gap_hours * HOUR_S
    per_journey = pairs.group_by("journey").aggregate(
        changes=(step_code(log, before) != step_code(log, after)).cast("int64").sum(),
        long_gap=(step_seconds(after) - step_seconds(before) > gap_s).max(),
    )
    distinct = paths["steps"].map(lambda step: step_code(log, step)).unique().length()
    joined = paths.select("journey", distinct=distinct).left_join(per_journey, "journey")
    return joined.select(
        joined["journey"],
        loop=(joined["changes"].fill_null(0) + 1 > joined["distinct"]).fill_null(False),
        long_gap=joined["long_gap"].fill_null(False),
    )


def journey_frictions(log: EventLog, settings: FrictionSettings | None = None) -> ir.Table:
    """One row per journey: ``journey``, ``contacts`` and the flags of :data:`INDICATORS`.

    Parameters
    ----------
    log
        A workspace event log (see :func:`emptychair.journeys.workspace_event_log`).
    settings
        What counts as friction; the defaults when not given.
    """
    chosen = (settings or FrictionSettings()).checked()
    missing = [c for c in NEEDED if c not in log.table.columns]
    if missing:
        raise InvalidParameterError(
            "repeat contacts, web-to-phone hops, long waits and dead ends need a workspace "
            f"event log; this one has no {', '.join(missing)} (on a file, use the indicators "
            f"{', '.join(FILE_INDICATORS)})"
        )
    events = _contacts(log, chosen)
    contacts = events.filter(events["is_contact"])
    same_reason = ibis.window(group_by=["person_id", "reason"], order_by=list(log.order))
    earlier = contacts["_s"].lag().over(same_reason)
    repeats = contacts.mutate(
        is_repeat=(
            contacts["reason"].notnull() & (contacts["_s"] - earlier <= chosen.repeat_days * DAY_S)
        ).fill_null(False)
    )
    per_contact = repeats.group_by("journey").aggregate(
        contacts=repeats.count(), repeat_contact=repeats["is_repeat"].max()
    )
    last = ibis.window(group_by="journey", order_by=[ibis.desc(c) for c in log.order])
    ranked = events.mutate(_from_end=ibis.row_number().over(last))
    waits = ranked["touchpoint"].isin(list(chosen.wait_touchpoints)) & (
        ranked["duration_s"] > chosen.long_wait_s
    )
    ends_badly = (ranked["_from_end"] == 0) & (
        (ranked["outcome"] == "error").fill_null(False) | ranked["is_complaint"]
    )
    per_journey = ranked.group_by("journey").aggregate(
        web_to_phone=ranked["is_hop"].max(),
        long_wait=waits.fill_null(False).max(),
        dead_end=ends_badly.max(),
    )
    loops = path_frictions(log, chosen).select("journey", "loop")
    joined = per_journey.left_join(per_contact, "journey")
    joined = joined.select(
        per_journey["journey"],
        contacts=joined["contacts"].fill_null(0),
        repeat_contact=joined["repeat_contact"].fill_null(False),
        web_to_phone=joined["web_to_phone"],
        long_wait=joined["long_wait"],
        dead_end=joined["dead_end"],
    )
    return joined.join(loops, "journey")


def is_workspace_log(log: EventLog) -> bool:
    """Whether ``log`` has what every indicator needs (channels, teams, outcomes)."""
    return all(c in log.table.columns for c in NEEDED)


def friction_summary(log: EventLog, settings: FrictionSettings | None = None) -> pd.DataFrame:
    """Per indicator: the ``journeys`` flagged and their ``share`` of all journeys.

    A workspace log gets the indicators of :data:`INDICATORS`; a log read from a file (no
    channels, teams or outcomes) those of :data:`FILE_INDICATORS`.
    """
    if is_workspace_log(log):
        flags, names = journey_frictions(log, settings), INDICATORS
    else:
        flags, names = path_frictions(log, settings), FILE_INDICATORS
    counts = flags.aggregate(
        total=flags.count(), **{name: flags[name].cast("int64").sum() for name in names}
    )
    row = counts.to_pyarrow().to_pylist()[0]
    total = int(row["total"])
    return pd.DataFrame(
        {
            "indicator": list(names),
            "journeys": [int(row[name] or 0) for name in names],
            "share": [(int(row[name] or 0) / total if total else 0.0) for name in names],
        }
    )
