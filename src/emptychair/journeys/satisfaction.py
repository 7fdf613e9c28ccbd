"""Satisfaction on the map: each answer placed on the touchpoint and the journey it is about.

An answer (a row of ``feedback``) is read as being about

* its **touchpoint**: the channel and touchpoint recorded with the answer (at the log's level,
  e.g. ``phone:call``), or, when the answer names no touchpoint, the step just before it in
  its own journey (``(none)`` when there is none);
* its **journey**: the journey of the customer's latest step at that touchpoint in the
  ``answer_window_hours`` before the answer (a survey sent after a call is about the call's
  journey, even days later); failing that, the journey the answer itself falls in;
* its **variant**: the ordered steps of that journey, answers left out (two journeys that
  differ only by the survey answered after them follow the same variant); ``(answer only)``
  when the journey holds nothing but answers, ``(not in a journey)`` when the answer has no
  time or customer.

Per touchpoint and per variant come the NPS, CSAT and CES with their intervals
(:func:`emptychair.voice.scores.score_summary`: normal interval of the NPS, Wilson interval of
the CSAT share, Student t interval of the mean CES) and, when a voice run has read the
verbatims, their mean **sentiment** (−1 to 1) with its Student t interval. Groups with fewer
answers than ``min_responses`` are flagged ``small_group``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.identity import with_golden_ids
from emptychair.journeys.complaints_map import complaint_rate_rows
from emptychair.journeys.events import EventLog
from emptychair.journeys.paths import activity_names, coded_log, journey_paths, step_code
from emptychair.journeys.sources import UNKNOWN_CHANNEL
from emptychair.voice.intervals import checked_level, mean_interval
from emptychair.voice.scores import KINDS, score_summary
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table

BY: tuple[str, ...] = ("touchpoint", "variant")
SATISFACTION_COLUMNS: tuple[str, ...] = (
    *("dimension", "group_value", "kind", "responses", "score", "low", "high", "small_group"),
)
SCORE_COLUMNS = {
    "nps": ("nps", "nps_low", "nps_high"),
    "csat": ("csat", "csat_low", "csat_high"),
    "ces": ("ces_mean", "ces_low", "ces_high"),
}
ANSWER_WINDOW_HOURS = 168.0
NO_TOUCHPOINT, ANSWER_ONLY, NOT_IN_A_JOURNEY = "(none)", "(answer only)", "(not in a journey)"
SEPARATOR = " → "


def _answer_steps(log: EventLog) -> ir.Table:
    """One row per distinct answer event: its keys, ``journey`` and ``previous_activity``
    (the activity of the last other step before it in its journey)."""
    table = log.table
    order = [table[c] for c in log.order]
    stepped = table.mutate(_step=ibis.row_number().over(group_by="journey", order_by=order))
    is_answer = stepped["source"] == "feedback"
    so_far = ibis.window(
        group_by="journey", order_by=[stepped[c] for c in log.order], rows=(None, 0)
    )
    stepped = stepped.mutate(
        _before=ibis.ifelse(is_answer, ibis.null("int64"), stepped["_step"]).max().over(so_far)
    )
    answers = stepped.filter(stepped["source"] == "feedback")
    answers = answers.select(
        "person_id", "timestamp", "channel", "journey", "_before", event=answers["touchpoint"]
    ).distinct()
    others = stepped.filter(stepped["source"] != "feedback")
    others = others.select("journey", _before=others["_step"], previous_activity=others["activity"])
    joined = answers.left_join(others, ["journey", "_before"])
    return joined.select(
        "person_id", "timestamp", "channel", "event", answers["journey"], "previous_activity"
    )


def _journeys_answered_about(log: EventLog, answers: ir.Table, window_s: float) -> ir.Table:
    """``feedback_id`` → ``about_journey``: the journey of the customer's latest step at the
    answer's touchpoint (``_recorded``), at most ``window_s`` seconds before the answer.

    Steps and answers are put in one table, partitioned by customer and activity and ordered
    by time: the running maximum of the steps' times is, at each answer, its latest step.
    """
    table = log.table
    steps = table.filter(table["source"] != "feedback")
    steps = steps.select(
        "person_id",
        "activity",
        "journey",
        _at=steps["timestamp"].epoch_seconds().cast("int64"),
    )
    candidates = steps.select(
        "person_id",
        "activity",
        "_at",
        _step_at=steps["_at"],
        _is_answer=ibis.literal(0, type="int8"),
        feedback_id=ibis.null("string"),
    )
    asked = answers.filter(answers["_recorded"].notnull() & answers["_at"].notnull())
    asked = asked.select(
        person_id=asked["_person"],
        activity=asked["_recorded"],
        _at=asked["_at"].epoch_seconds().cast("int64"),
        _step_at=ibis.null("int64"),
        _is_answer=ibis.literal(1, type="int8"),
        feedback_id=asked["feedback_id"].cast("string"),
    )
    both = candidates.union(asked)
    so_far = ibis.window(
        group_by=["person_id", "activity"], order_by=["_at", "_is_answer"], rows=(None, 0)
    )
    both = both.mutate(_latest=both["_step_at"].max().over(so_far))
    found = both.filter(
        both["feedback_id"].notnull() & (both["_latest"] >= both["_at"] - int(window_s))
    ).select("feedback_id", "person_id", "activity", "_latest")
    at = steps.group_by(["person_id", "activity", "_at"]).aggregate(
        about_journey=steps["journey"].min()
    )
    joined = found.join(
        at,
        [
            found["person_id"] == at["person_id"],
            found["activity"] == at["activity"],
            found["_latest"] == at["_at"],
        ],
    )
    return joined.select("feedback_id", "about_journey")


def _journey_variants(log: EventLog) -> tuple[ir.Table, dict[int, str]]:
    """``journey`` → ``variant_codes`` ("3,0,5") of its steps other than answers, and the
    code → activity names."""
    others = replace(
        log, table=log.table.filter(log.table["source"] != "feedback"), paths=None, activities=None
    )
    paths = journey_paths(others)
    codes = paths["steps"].map(lambda step: step_code(others, step).cast("string"))
    return (
        paths.select("journey", variant_codes=codes.join(",")),
        activity_names(others, coded_log(others)[1]),
    )


def _activity(channel: ir.StringValue, touchpoint: ir.StringValue, level: str) -> ir.StringValue:
    if level == "channel":
        return channel
    if level == "touchpoint":
        return touchpoint
    return channel.concat(":", touchpoint)


def answers_on_the_map(
    workspace: Workspace,
    log: EventLog,
    answer_window_hours: float = ANSWER_WINDOW_HOURS,
    variants: tuple[ir.Table, dict[int, str]] | None = None,
) -> tuple[ir.Table, dict[int, str]]:
    """Each ``feedback`` row (golden customer ids) with its ``journey``, the ``touchpoint`` it
    is about and the ``variant_codes`` of its journey, and the code → activity names.

    Parameters
    ----------
    workspace : Workspace
    log : EventLog
        The workspace's event log, feedback included (:func:`workspace_event_log`).
    answer_window_hours : float, default 168
        How long after a step an answer may come to be about that step's journey.
    variants : tuple, optional
        The journeys' variants and the names of their codes, when already computed.

    Returns
    -------
    tuple of (ibis.expr.types.Table, dict)
        The answers (``feedback_id``, ``customer_id``, ``received_at``, ``kind``, ``score``,
        ``scale_max``, ``journey``, ``touchpoint``, ``variant_codes``; the last is null for
        an answer whose journey has no other step) and the names of the codes.
    """
    if "source" not in log.table.columns:
        raise InvalidParameterError(
            "satisfaction on the map needs a workspace event log (answers are feedback rows)"
        )
    if not answer_window_hours > 0:
        raise InvalidParameterError(
            f"answer_window_hours must be more than 0, not {answer_window_hours!r}"
        )
    steps = _answer_steps(log)
    variants, names = variants or _journey_variants(log)
    feedback = with_golden_ids(workspace, workspace.table("feedback"))
    channel = feedback["channel"].cast("string").fill_null(UNKNOWN_CHANNEL)
    kind = feedback["kind"].cast("string")
    keyed = feedback.mutate(
        _person=feedback["customer_id"].cast("string"),
        _at=feedback["received_at"].cast("timestamp"),
        _channel=channel,
        _event=ibis.literal("feedback_").concat(kind.fill_null("unknown")),
        _recorded=_activity(channel, feedback["touchpoint"].cast("string"), log.level),
    )
    joined = keyed.left_join(
        steps,
        [
            keyed["_person"] == steps["person_id"],
            keyed["_at"] == steps["timestamp"],
            keyed["_channel"] == steps["channel"],
            keyed["_event"] == steps["event"],
        ],
    )
    about = _journeys_answered_about(log, keyed, answer_window_hours * 3_600)
    joined = joined.left_join(about, joined["feedback_id"].cast("string") == about["feedback_id"])
    placed = joined.select(
        joined["feedback_id"],
        "customer_id",
        "received_at",
        "kind",
        "score",
        "scale_max",
        journey=joined["about_journey"].fill_null(joined["journey"]),
        touchpoint=joined["_recorded"].fill_null(joined["previous_activity"]),
    )
    placed = placed.view()
    with_variant = placed.left_join(variants, "journey")
    return with_variant.select(*placed.columns, "variant_codes"), names


def _variant_names(codes: pd.Series, journey: pd.Series, names: dict[int, str]) -> pd.Series:
    def name(value: object, in_journey: bool) -> str:
        if not in_journey:
            return NOT_IN_A_JOURNEY
        if not isinstance(value, str) or not value:
            return ANSWER_ONLY
        return SEPARATOR.join(names[int(c)] for c in value.split(","))

    return pd.Series(
        [name(v, pd.notna(j)) for v, j in zip(codes, journey, strict=True)], index=codes.index
    )


def _sentiment_table(
    answers: ir.Table, verbatims: ir.Table, by: str, min_responses: int, level: float
) -> pd.DataFrame:
    scored = answers.join(verbatims, "feedback_id")
    sentiment = scored["sentiment"].cast("float64")
    grouped = scored.group_by(by).aggregate(
        responses=sentiment.count(), mean=sentiment.mean(), variance=sentiment.var(how="sample")
    )
    frame = grouped.to_pandas()
    n = frame["responses"].to_numpy(float)
    mean, variance = frame["mean"].to_numpy(float), frame["variance"].to_numpy(float)
    low, high = mean_interval(mean, variance, n, level)
    return pd.DataFrame(
        {
            "group": frame[by],
            "kind": "sentiment",
            "responses": frame["responses"].astype("int64"),
            "score": mean,
            "low": low,
            "high": high,
            "small_group": frame["responses"] < min_responses,
        }
    )


def latest_verbatims(workspace: Workspace, voice_run: str | None = None) -> ir.Table | None:
    """``feedback_id`` → ``sentiment`` of a voice run (the latest when ``voice_run`` is
    None); None when there is no voice run."""
    try:
        run = resolve_run(workspace, "voice", voice_run)
    except NotFoundError:
        if voice_run is not None:
            raise
        return None
    table = result_table(workspace, "voice_verbatims", run["run_id"])
    return table.select(table["feedback_id"].cast("string"), "sentiment")


def satisfaction_map(
    workspace: Workspace,
    log: EventLog,
    *,
    by: Sequence[str] = BY,
    min_responses: int = 30,
    level: float = 0.95,
    voice_run: str | None = None,
    answer_window_hours: float = ANSWER_WINDOW_HOURS,
) -> pd.DataFrame:
    """NPS, CSAT, CES, verbatim sentiment and complaints per touchpoint and per variant.

    Parameters
    ----------
    workspace : Workspace
    log : EventLog
        The workspace's event log (its level names the touchpoints).
    by : sequence of {"touchpoint", "variant"}, default both
        The dimensions to score.
    min_responses : int, default 30
        Groups with fewer answers are flagged ``small_group``.
    level : float, default 0.95
        Confidence level of the intervals.
    voice_run : str, optional
        The voice run whose verbatim sentiment is used; the latest when omitted (no
        sentiment without a voice run).
    answer_window_hours : float, default 168
        How long after a step an answer may come to be about that step's journey.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per dimension, group and kind: ``dimension``, ``group_value``,
        ``kind`` (``nps``, ``csat``, ``ces``, ``sentiment``, ``complaint_rate``),
        ``responses`` (answers; journeys for ``complaint_rate``), ``score`` (NPS in points,
        CSAT as the share of the top two points, CES mean on 1–7, sentiment mean on −1 to 1,
        the share of journeys with a complaint after the touchpoint or in the variant, see
        :mod:`emptychair.journeys.complaints_map`), ``low`` and ``high`` (the interval),
        ``small_group``. Kinds without any usable answer are left out.
    """
    unknown = [b for b in by if b not in BY]
    if unknown or isinstance(by, str):
        raise InvalidParameterError(f"by {by!r}: choose among {', '.join(BY)}")
    level = checked_level(level)
    journey_variants = _journey_variants(log)
    answers, names = answers_on_the_map(workspace, log, answer_window_hours, journey_variants)
    # Stored once: every kind and dimension reads the same placed answers.
    stored = workspace.engine.create_table("_journey_answers", answers, temp=True, overwrite=True)
    verbatims = latest_verbatims(workspace, voice_run)
    lookup = stored.select("journey", "variant_codes").distinct().to_pandas()
    variant_of = dict(
        zip(
            lookup["variant_codes"].fillna("").astype(str)
            + "|"
            + lookup["journey"].isna().astype(str),
            _variant_names(lookup["variant_codes"], lookup["journey"], names),
            strict=True,
        )
    )
    keyed = stored.mutate(
        variant_key=stored["variant_codes"]
        .fill_null("")
        .concat("|", ibis.ifelse(stored["journey"].isnull(), "True", "False")),
        touchpoint=stored["touchpoint"].fill_null(NO_TOUCHPOINT),
    )
    frames = []
    for dimension in by:
        column = "variant_key" if dimension == "variant" else "touchpoint"
        for kind in KINDS:
            try:
                table = score_summary(
                    keyed, kind, by=[column], min_responses=min_responses, level=level
                )
            except ModelDataError:
                continue
            score, low, high = SCORE_COLUMNS[kind]
            frames.append(
                pd.DataFrame(
                    {
                        "group": table[column],
                        "kind": kind,
                        "responses": table["responses"],
                        "score": table[score],
                        "low": table[low],
                        "high": table[high],
                        "small_group": table["small_group"],
                    }
                ).assign(dimension=dimension)
            )
        if verbatims is not None:
            frames.append(
                _sentiment_table(keyed, verbatims, column, min_responses, level).assign(
                    dimension=dimension
                )
            )
    if frames:
        frame = pd.concat(frames, ignore_index=True)
        variant = frame["dimension"] == "variant"
        frame["group_value"] = np.where(
            variant, frame["group"].map(variant_of), frame["group"].astype(str)
        )
    else:
        frame = pd.DataFrame(columns=list(SATISFACTION_COLUMNS))
    table, codes = journey_variants
    complaints = complaint_rate_rows(
        log,
        by,
        table,
        lambda found: _variant_names(found, pd.Series(True, index=found.index), codes),
        level,
        min_responses,
    )
    frame = pd.concat([f for f in (frame, complaints) if len(f)], ignore_index=True)
    if frame.empty:
        return pd.DataFrame(columns=list(SATISFACTION_COLUMNS))
    frame = frame[frame["responses"] > 0]
    frame = frame.sort_values(
        ["dimension", "kind", "responses", "group_value"], ascending=[True, True, False, True]
    )
    return frame[list(SATISFACTION_COLUMNS)].reset_index(drop=True)
