"""The parts of a voice run that read answers and mentions together: drivers and alerts.

Kept apart from :mod:`emptychair.voice.service` so that the run reads as a list of steps.
"""

from __future__ import annotations

import json

import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.alerts import weekly_alerts, weekly_tests
from emptychair.voice.closed_loop import closed_loop
from emptychair.voice.complaints import complaint_lifecycle
from emptychair.voice.drivers import key_drivers
from emptychair.workspace import Workspace

SCORED_KINDS = ("nps", "csat", "ces")


def driver_frame(answers: pd.DataFrame, mentions: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """One row per answer: ``outcome`` (score / scale_max) and one column per theme.

    A theme's column is its sentiment in the answer: +1 mentioned positively, -1 negatively,
    0 not mentioned (or neutrally). Its regression effect is then the change of the 0-1 score
    from no mention to a positive one (and the same down to a negative one), and its
    relative weight how much of the score's variance the theme's sentiment explains.
    """
    sided = mentions[mentions["label"].isin(["negative", "positive"])]
    signs = sided.assign(sign=sided["label"].map({"positive": 1, "negative": -1}))
    signs = signs.drop_duplicates(["feedback_id", "theme"])
    table = signs.pivot(index="feedback_id", columns="theme", values="sign")
    table = table.reindex(answers["feedback_id"]).fillna(0).astype(int).set_axis(answers.index)
    score = pd.to_numeric(answers["score"], errors="coerce")
    scale = pd.to_numeric(answers["scale_max"], errors="coerce")
    outcome = (score / scale).where(score.between(0, scale) & scale.gt(0))
    frame = pd.concat([outcome.rename("outcome"), table], axis=1)
    drivers = [str(c) for c in table.columns if table[c].any()]
    return frame, drivers


def drivers_by_kind(
    verbatims: pd.DataFrame, mentions: pd.DataFrame, *, min_mentions: int, level: float
) -> tuple[pd.DataFrame, list[str]]:
    """Key drivers of each score kind, from the answers that have a text.

    Returns the stacked driver tables (with ``kind``, ``r_squared`` and ``responses``) and
    the notes of kinds that could not be analysed.
    """
    tables, notes = [], []
    for kind in SCORED_KINDS:
        answers = verbatims[verbatims["kind"] == kind].reset_index(drop=True)
        if answers.empty:
            continue
        frame, drivers = driver_frame(answers, mentions)
        if not drivers:
            notes.append(f"{kind}: no theme mentioned with a sentiment")
            continue
        try:
            analysis = key_drivers(
                frame, "outcome", drivers, level=level, min_mentions=min_mentions
            )
        except InvalidParameterError as problem:
            notes.append(f"{kind}: {problem}")
            continue
        notes += [f"{kind}: {note}" for note in analysis.notes]
        tables.append(
            analysis.table.assign(
                kind=kind, r_squared=analysis.r_squared, responses=analysis.responses
            )
        )
    if not tables:
        return pd.DataFrame(), notes
    table = pd.concat(tables, ignore_index=True)
    return table[["kind", *[c for c in table.columns if c != "kind"]]], notes


def alerts(
    answers: pd.DataFrame,
    verbatims: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    min_responses: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every weekly test and the raised alerts, with redacted example texts only."""
    shown = verbatims.set_index("feedback_id")["text_redacted"]
    rows = answers[["feedback_id", "received_at", "kind", "score", "scale_max"]].assign(
        text=answers["feedback_id"].map(shown)
    )
    try:
        tests = weekly_tests(rows, mentions, min_responses=min_responses)
        raised = weekly_alerts(rows, mentions, min_responses=min_responses)
    except ModelDataError:
        return pd.DataFrame(), pd.DataFrame()
    if "examples" in raised:
        raised = raised.assign(
            examples=raised["examples"].map(lambda e: json.dumps(list(e), ensure_ascii=False))
        )
    return tests, raised


def complaint_tables(workspace: Workspace, *, min_responses: int) -> dict[str, pd.DataFrame]:
    """The complaints lifecycle overall, per category and per team, and the closed loop."""
    if workspace.count("complaints") == 0:
        return {}
    complaints = workspace.table("complaints")
    frames = []
    for column in (None, "category", "team"):
        if column is not None and column not in complaints.columns:
            continue
        table = complaint_lifecycle(
            workspace, by=(column,) if column else (), min_complaints=min_responses
        )
        values = table.pop(column).astype(str) if column else "all"
        table.insert(0, "group_value", values)
        table.insert(0, "dimension", column or "all")
        frames.append(table)
    return {
        "voice_complaints": pd.concat(frames, ignore_index=True),
        "voice_closed_loop": closed_loop(workspace),
    }
