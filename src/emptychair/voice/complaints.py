"""Complaint handling: how fast complaints are acknowledged and closed, how many come back,
and how satisfied customers are after the resolution.

Every duration, count and quantile is computed in the engine (the same Ibis expressions run on
DuckDB and Spark); one row per group comes back. Customers are counted as people: the
``customer_id`` of complaints and feedback is replaced by its golden id (see
:func:`emptychair.identity.with_golden_ids`), so complaints filed under two linked records are
one customer's.

How a complaint's state is read at the moment ``as_of``:

* timestamps win over ``status``: a complaint is **closed** when ``closed_at`` is at or before
  ``as_of``; **acknowledged** when it is not closed and ``acknowledged_at`` is at or before
  ``as_of``; **open** otherwise. ``status`` is used only when the timestamp is missing: a
  complaint marked ``closed`` without ``closed_at`` counts as closed (with no time to close), one
  marked ``acknowledged`` without ``acknowledged_at`` counts as acknowledged (with no time to
  acknowledge);
* a complaint closed without an acknowledgement date was acknowledged when it was closed;
* complaints opened after ``as_of`` are left out; timestamps after ``as_of`` are not yet known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.identity import with_golden_ids
from emptychair.workspace import Workspace

#: The groups :func:`complaint_lifecycle` accepts; ``month`` is the month of opening.
GROUPS: tuple[str, ...] = ("category", "channel", "severity", "team", "month")
DAY_S = 86_400
HOUR_S = 3_600
#: Top of the scale of each survey kind when ``scale_max`` is missing.
DEFAULT_SCALE: dict[str, float] = {"nps": 10.0, "csat": 5.0, "ces": 7.0}
LIFECYCLE_COLUMNS: tuple[str, ...] = (
    "complaints", "open", "acknowledged", "closed", "acknowledged_within_share",
    "hours_to_acknowledge_median", "hours_to_acknowledge_p90", "days_to_close_median",
    "days_to_close_p90", "open_age_median_days", "open_older_than", "reopened", "reopened_share",
    "repeat", "repeat_share", "answers_after", "satisfaction_after_mean", "satisfied_after_share",
    "small_group",
)  # fmt: skip


def checked_moment(value: date | datetime | str | None, name: str = "as_of") -> pd.Timestamp | None:
    """A moment from a date, datetime or ISO text; a bare date means the end of that day."""
    if value is None:
        return None
    bare_date = (isinstance(value, date) and not isinstance(value, datetime)) or (
        isinstance(value, str) and len(value.strip()) == 10
    )
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} {value!r} is not a date; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM."
        ) from None
    if moment is pd.NaT:
        raise InvalidParameterError(f"{name} is missing; write it as YYYY-MM-DD.")
    moment = moment.tz_convert(None) if moment.tzinfo is not None else moment
    return moment + pd.Timedelta(days=1) if bare_date else moment


def latest_timestamp(workspace: Workspace) -> pd.Timestamp | None:
    """The latest moment recorded in complaints, feedback and interactions (None if empty)."""
    sources = {
        "complaints": ("opened_at", "acknowledged_at", "closed_at"),
        "feedback": ("received_at",),
        "interactions": ("occurred_at",),
    }
    latest: list[Any] = []
    for name, columns in sources.items():
        table = workspace.table(name)
        found = workspace.engine.execute(
            table.aggregate(**{c: table[c].max() for c in columns if c in table.columns})
        )
        latest.extend(v for v in found.iloc[0].tolist() if v is not None and not pd.isna(v))
    return pd.Timestamp(max(latest)) if latest else None


def resolved_as_of(workspace: Workspace, as_of: date | datetime | str | None) -> pd.Timestamp:
    """``as_of`` checked, or the latest moment in the data; raises when there is no data."""
    moment = checked_moment(as_of) if as_of is not None else latest_timestamp(workspace)
    if moment is None:
        raise ModelDataError(
            "The workspace has no complaint, feedback or interaction yet; import them first "
            "(emptychair import complaints FILE)."
        )
    return moment


def seconds(value: ir.TimestampValue) -> ir.IntegerValue:
    """Seconds since 1970, so durations are plain subtractions on every engine."""
    return value.epoch_seconds()


def moment_seconds(as_of: pd.Timestamp) -> ir.IntegerValue:
    """``as_of`` in seconds since 1970, converted by the engine like the stored timestamps."""
    return seconds(ibis.literal(as_of.to_pydatetime(), type="timestamp"))


def complaint_states(workspace: Workspace, as_of: pd.Timestamp) -> ir.Table:
    """Complaints opened by ``as_of`` with golden customer ids, their ``state`` at ``as_of``,
    ``hours_to_acknowledge``, ``days_to_close``, ``age_days`` and opening ``month``."""
    complaints = with_golden_ids(workspace, workspace.table("complaints"))
    now = moment_seconds(as_of)
    opened = seconds(complaints["opened_at"])
    complaints = complaints.filter(opened <= now)
    opened = seconds(complaints["opened_at"])
    closed_s = seconds(complaints["closed_at"])
    closed_s = ibis.ifelse(closed_s <= now, closed_s, ibis.null("int64"))
    acknowledged_s = seconds(complaints["acknowledged_at"])
    acknowledged_s = ibis.ifelse(acknowledged_s <= now, acknowledged_s, ibis.null("int64"))
    acknowledged_s = acknowledged_s.coalesce(closed_s)
    status = complaints["status"]
    no_close_date = complaints["closed_at"].isnull() & (status == "closed").fill_null(False)
    no_ack_date = complaints["acknowledged_at"].isnull() & (status == "acknowledged").fill_null(
        False
    )
    state = ibis.cases(
        (closed_s.notnull() | no_close_date, "closed"),
        (acknowledged_s.notnull() | no_ack_date, "acknowledged"),
        else_="open",
    )
    return complaints.mutate(
        opened_s=opened,
        acknowledged_s=acknowledged_s,
        closed_s=closed_s,
        state=state,
        hours_to_acknowledge=(acknowledged_s - opened).cast("float64") / HOUR_S,
        days_to_close=(closed_s - opened).cast("float64") / DAY_S,
        age_days=(now - opened).cast("float64") / DAY_S,
        month=complaints["opened_at"].truncate("M").cast("date"),
        was_reopened=complaints["reopened"].fill_null(False),
    )


def survey_answers(workspace: Workspace, as_of: pd.Timestamp) -> ir.Table:
    """NPS, CSAT and CES answers received by ``as_of`` (golden customer ids) that can be read
    on their scale, with ``satisfaction`` (score / scale_max, 0–1), ``satisfied`` and
    ``detractor``.

    Satisfied: NPS 9–10 on 0–10, CSAT in the top two points of its scale (4–5 on 5), CES 5–7 on
    1–7. Detractor: NPS 0–6, CSAT at most 40 % of its scale (1–2 on 5), CES 1–3. NPS must be
    asked on 0–10 and CES on 1–7; other answers (and reviews) are left out.
    """
    feedback = with_golden_ids(workspace, workspace.table("feedback"))
    kind, score = feedback["kind"], feedback["score"].cast("float64")
    scale = (
        feedback["scale_max"]
        .cast("float64")
        .coalesce(kind.cases(*DEFAULT_SCALE.items(), else_=ibis.null("float64")))
    )
    known = kind.isin(list(DEFAULT_SCALE)) & score.notnull() & (score >= 0) & (score <= scale)
    fixed = (kind == "csat") | (scale == kind.cases(*DEFAULT_SCALE.items(), else_=-1.0))
    received = seconds(feedback["received_at"])
    answers = feedback.mutate(
        score=score, scale_max=scale, received_s=received, usable=(known & fixed).fill_null(False)
    )
    answers = answers.filter(answers["usable"] & (received <= moment_seconds(as_of)))
    kind, score, scale = answers["kind"], answers["score"], answers["scale_max"]
    satisfied = kind.cases(("nps", score >= 9), ("csat", score >= scale - 1), else_=score >= 5)
    detractor = kind.cases(("nps", score <= 6), ("csat", score <= 0.4 * scale), else_=score <= 3)
    return answers.mutate(
        satisfaction=score / scale, satisfied=satisfied, detractor=detractor
    ).drop("usable")


def _repeats(states: ir.Table, window_days: int) -> ir.Table:
    """The ids of complaints whose customer filed another one in the ``window_days`` before."""
    this = states.select("complaint_id", "customer_id", "opened_s")
    before = states.select(
        earlier_id=states["complaint_id"],
        earlier_customer=states["customer_id"],
        earlier_s=states["opened_s"],
    )
    pairs = this.join(
        before,
        [
            this["customer_id"] == before["earlier_customer"],
            before["earlier_s"] >= this["opened_s"] - window_days * DAY_S,
            (before["earlier_s"] < this["opened_s"])
            | (
                (before["earlier_s"] == this["opened_s"])
                & (before["earlier_id"] < this["complaint_id"])
            ),
        ],
    )
    return pairs.select("complaint_id").distinct().mutate(is_repeat=ibis.literal(True))


def _answers_after(states: ir.Table, answers: ir.Table, window_days: int) -> ir.Table:
    """Per closed complaint: the customer's answers in the ``window_days`` after closing."""
    closed = states.filter(states["closed_s"].notnull()).select(
        "complaint_id", "customer_id", "closed_s"
    )
    after = answers.select(
        answer_customer=answers["customer_id"],
        answer_s=answers["received_s"],
        satisfaction=answers["satisfaction"],
        satisfied=answers["satisfied"].cast("int64"),
    )
    pairs = closed.join(
        after,
        [
            closed["customer_id"] == after["answer_customer"],
            after["answer_s"] > closed["closed_s"],
            after["answer_s"] <= closed["closed_s"] + window_days * DAY_S,
        ],
    )
    return pairs.group_by("complaint_id").aggregate(
        answers_after=pairs.count(),
        satisfied_after=pairs["satisfied"].sum(),
        satisfaction_sum=pairs["satisfaction"].sum(),
    )


def _checked(complaints: ir.Table, by: Sequence[str], **numbers: Any) -> None:
    if isinstance(by, str):
        raise InvalidParameterError(f"by must be a list of groups, e.g. [{by!r}], not a string.")
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise InvalidParameterError(
            f"Complaints cannot be grouped by {', '.join(map(repr, unknown))}; "
            f"use some of: {', '.join(GROUPS)}."
        )
    missing = [g for g in by if g != "month" and g not in complaints.columns]
    if missing:
        raise ModelDataError(
            f"The complaints table has no column {', '.join(map(repr, missing))}; re-import the "
            "complaints with that column (a workspace created before it existed needs a new one)."
        )
    for name, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise InvalidParameterError(f"{name} must be a positive number, not {value!r}.")


def complaint_lifecycle(
    workspace: Workspace,
    *,
    by: Sequence[str] = ("category",),
    as_of: date | datetime | str | None = None,
    acknowledge_within_hours: float = 48,
    stale_after_days: int = 30,
    repeat_window_days: int = 90,
    satisfaction_window_days: int = 30,
    min_complaints: int = 30,
) -> pd.DataFrame:
    """Complaints opened, acknowledged, closed and reopened per group, with the time each step
    took, the repeat complaints and the satisfaction of the customers after the resolution.

    Parameters
    ----------
    workspace : Workspace
        Reads ``complaints`` (and ``feedback`` for the satisfaction after resolution).
    by : sequence of str, default ("category",)
        Groups among ``category``, ``channel``, ``severity``, ``team`` and ``month`` (month of
        opening, a date on the 1st); none gives one overall row.
    as_of : date, datetime or str, optional
        The moment the lifecycle is read at (a bare date means the end of that day). Default:
        the latest timestamp in complaints, feedback and interactions, so results do not move
        with the wall clock.
    acknowledge_within_hours : float, default 48
        The acknowledgement target of ``acknowledged_within_share``.
    stale_after_days : int, default 30
        Unresolved complaints older than this are counted in ``open_older_than``.
    repeat_window_days : int, default 90
        A complaint is a repeat when its customer filed another one in the days before.
    satisfaction_window_days : int, default 30
        Answers received up to this many days after closing count as satisfaction after
        resolution.
    min_complaints : int, default 30
        Groups with fewer complaints get ``small_group`` True.

    Returns
    -------
    pandas.DataFrame
        One row per group (the ``by`` columns, then :data:`LIFECYCLE_COLUMNS`):

        * ``complaints``; ``open``, ``acknowledged``, ``closed``: the state at ``as_of``;
        * ``acknowledged_within_share``: acknowledged within the target, among the complaints
          whose target has passed or was met (acknowledged ones with no date are left out);
        * ``hours_to_acknowledge_median``/``_p90`` and ``days_to_close_median``/``_p90``:
          over the complaints with both dates (linear-interpolated quantiles);
        * ``open_age_median_days`` and ``open_older_than``: age of the unresolved (open or
          acknowledged) complaints at ``as_of``;
        * ``reopened`` and ``reopened_share``: reopened complaints, among those closed at
          least once (closed now, or reopened);
        * ``repeat`` and ``repeat_share``: complaints whose customer had filed another one in
          the ``repeat_window_days`` before, among all;
        * ``answers_after``: NPS, CSAT and CES answers of the customer in the
          ``satisfaction_window_days`` after a complaint was closed (an answer counts for every
          complaint of the customer closed in that window before it);
          ``satisfaction_after_mean``: their mean of score / scale_max (0–1, so the kinds can
          be averaged); ``satisfied_after_share``: the share of good scores (NPS 9–10, CSAT
          4–5 on 5, CES 5–7 on 7);
        * ``small_group``.

        An empty complaints table gives an empty frame with these columns.

    Raises
    ------
    InvalidParameterError
        For an unknown group, a group given as a string, or a window that is not positive.
    ModelDataError
        When a group column is missing from the complaints table, or the workspace holds no
        data at all and ``as_of`` is not given.
    """
    _checked(
        workspace.table("complaints"),
        by,
        acknowledge_within_hours=acknowledge_within_hours,
        stale_after_days=stale_after_days,
        repeat_window_days=repeat_window_days,
        satisfaction_window_days=satisfaction_window_days,
        min_complaints=min_complaints,
    )
    keys = list(by)
    moment = resolved_as_of(workspace, as_of)
    states = complaint_states(workspace, moment)
    repeats = _repeats(states, repeat_window_days)
    after = _answers_after(states, survey_answers(workspace, moment), satisfaction_window_days)
    rows = states.left_join(repeats, "complaint_id").select(*states.columns, "is_repeat")
    rows = rows.left_join(after, "complaint_id").select(
        *rows.columns, "answers_after", "satisfied_after", "satisfaction_sum"
    )
    frame = _aggregate(rows, keys, acknowledge_within_hours * HOUR_S, stale_after_days)
    return _lifecycle_frame(frame, keys, min_complaints)


def _aggregate(rows: ir.Table, keys: list[str], target_s: float, stale_days: int) -> pd.DataFrame:
    state = rows["state"]
    unresolved = state != "closed"
    waited = rows["acknowledged_s"] - rows["opened_s"]
    on_time = (waited <= target_s).fill_null(False)
    unacknowledged = (state == "open") & (rows["age_days"] * DAY_S > target_s)
    due = on_time | (waited > target_s).fill_null(False) | unacknowledged
    ever_closed = (state == "closed") | rows["was_reopened"]

    def count(condition: ir.BooleanValue) -> ir.IntegerScalar:
        return condition.cast("int64").sum()

    metrics: dict[str, Any] = {
        "complaints": rows.count(),
        "open": count(state == "open"),
        "acknowledged": count(state == "acknowledged"),
        "closed": count(state == "closed"),
        "acknowledged_on_time": count(on_time),
        "acknowledgement_due": count(due),
        "hours_to_acknowledge_median": rows["hours_to_acknowledge"].quantile(0.5),
        "hours_to_acknowledge_p90": rows["hours_to_acknowledge"].quantile(0.9),
        "days_to_close_median": rows["days_to_close"].quantile(0.5),
        "days_to_close_p90": rows["days_to_close"].quantile(0.9),
        "open_age_median_days": rows["age_days"].quantile(0.5, where=unresolved),
        "open_older_than": count(unresolved & (rows["age_days"] > stale_days)),
        "reopened": count(rows["was_reopened"]),
        "ever_closed": count(ever_closed),
        "repeat": count(rows["is_repeat"].fill_null(False)),
        "answers_after": rows["answers_after"].sum(),
        "satisfied_after": rows["satisfied_after"].sum(),
        "satisfaction_sum": rows["satisfaction_sum"].sum(),
    }
    grouped = rows.group_by(keys).aggregate(**metrics) if keys else rows.aggregate(**metrics)
    return grouped.to_pandas()


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return (part.astype("float64") / whole).where(whole > 0)


def _lifecycle_frame(frame: pd.DataFrame, keys: list[str], min_complaints: int) -> pd.DataFrame:
    quantities = ("_median", "_p90", "_sum", "_median_days")
    counts = [c for c in frame.columns if c not in keys and not c.endswith(quantities)]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    if keys and not frame.empty:
        frame = frame.sort_values(keys, na_position="last").reset_index(drop=True)
    if not keys:
        frame = frame[frame["complaints"] > 0].reset_index(drop=True)
    frame["acknowledged_within_share"] = _share(
        frame["acknowledged_on_time"], frame["acknowledgement_due"]
    )
    frame["reopened_share"] = _share(frame["reopened"], frame["ever_closed"])
    frame["repeat_share"] = _share(frame["repeat"], frame["complaints"])
    frame["satisfaction_after_mean"] = _share(
        frame["satisfaction_sum"].astype("float64"), frame["answers_after"]
    )
    frame["satisfied_after_share"] = _share(frame["satisfied_after"], frame["answers_after"])
    frame["small_group"] = frame["complaints"] < min_complaints
    floats = [c for c in LIFECYCLE_COLUMNS if c not in counts and c != "small_group"]
    frame[floats] = frame[floats].astype("float64")
    return frame[[*keys, *LIFECYCLE_COLUMNS]]
