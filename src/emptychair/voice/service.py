"""The voice use-case: read every answer and verbatim of a workspace and store what they say.

``run_voice`` takes the ``feedback`` (answers of merged identity records counted for their
golden customer), computes the scores with their intervals by month and channel, analyses
every verbatim (language, sentiment per verbatim and per clause, themes with their
sentiment, redaction), ranks the irritants with the value at risk when a customer-value run
exists, compares lapsing and retained customers, and writes it all as one run. Verbatim
texts are stored redacted only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.identity import with_golden_ids
from emptychair.voice.context import CONTEXT_COLUMNS, feedback_in_context
from emptychair.voice.crossfit import LearnedScores, learn_from_scores
from emptychair.voice.emerging import emerging_themes
from emptychair.voice.irritants import irritants, lapsing_comparison
from emptychair.voice.run_parts import alerts, complaint_tables, drivers_by_kind
from emptychair.voice.scores import KINDS, score_summary
from emptychair.voice.taxonomy import Taxonomy
from emptychair.voice.taxonomy_file import default_taxonomy, load_taxonomy
from emptychair.voice.verbatims import analyse_verbatims, resolve_languages, theme_summary
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import resolve_run, result_table, write_results

ANALYSIS = "voice"
#: An edited taxonomy in the workspace folder replaces the default one.
WORKSPACE_TAXONOMY = "themes.yaml"
ANSWER_COLUMNS = (
    *("feedback_id", "customer_id", "received_at", "channel", "touchpoint", "kind"),
    *("score", "scale_max", "text", "language"),
)
#: Fewer scored verbatims than this: the shipped sentiment models are used as they are.
MIN_LEARNING_ROWS = 200
DEFAULT_SCALES = {"nps": 10.0, "csat": 5.0, "ces": 7.0}
SCORE_COLUMN = {"nps": "nps", "csat": "csat", "ces": "ces_mean"}
SCORE_BOUNDS = {"nps": ("nps_low", "nps_high"), "csat": ("csat_low", "csat_high")}
SCORE_BOUNDS["ces"] = ("ces_low", "ces_high")
Step = Callable[[str], None]


@dataclass(frozen=True)
class VoiceSettings:
    """What a voice run was asked to do (stored with the run)."""

    #: A taxonomy file; by default the workspace's ``themes.yaml``, else the shipped one.
    taxonomy: str | None = None
    min_responses: int = 30
    level: float = 0.95
    #: Below this probability of still being a customer, a customer is lapsing.
    lapsing_threshold: float = 0.5
    #: The customer-value run giving CLV and P(alive); the latest when None.
    value_run: str | None = None
    #: Score groups stored with the run: feedback columns, or team / segment / tier (see
    #: :mod:`emptychair.voice.context`; segment and tier are skipped without a value run).
    by: tuple[str, ...] = field(default=("channel", "touchpoint", "team", "segment"))
    #: Learn sentiment from the company's (score, text) pairs, cross-fitted; the learned or
    #: combined model is used only for the languages where it beats the shipped one.
    learn_from_scores: bool = True


@dataclass
class VoiceRun:
    """Everything one voice run produced."""

    run_id: str
    settings: VoiceSettings
    answers: int
    verbatims: int
    value_run: str | None
    tables: dict[str, pd.DataFrame]


def workspace_taxonomy(workspace: Workspace, path: str | None = None) -> tuple[Taxonomy, str]:
    """The taxonomy a run uses, and where it comes from."""
    if path is not None:
        return load_taxonomy(path), str(path)
    edited = Path(workspace.path) / WORKSPACE_TAXONOMY
    if edited.is_file():
        return load_taxonomy(edited), str(edited)
    return default_taxonomy(), "default"


def _answers(workspace: Workspace) -> pd.DataFrame:
    feedback = with_golden_ids(workspace, workspace.table("feedback"))
    frame = workspace.to_pandas(feedback.select(*ANSWER_COLUMNS).order_by("received_at"))
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    return frame


def long_scores(
    workspace: Workspace, kinds: list[str], by: tuple[str, ...], settings: VoiceSettings
) -> pd.DataFrame:
    """Each score overall, per month, and per value of each ``by`` column, in one long table."""
    context = [c for c in by if c in CONTEXT_COLUMNS]
    if context and settings.value_run is None and "segment" in context:
        try:
            resolve_run(workspace, "value", None)
        except NotFoundError:
            by = tuple(c for c in by if c not in ("segment", "tier"))
            context = [c for c in context if c not in ("segment", "tier")]
    feedback = feedback_in_context(workspace, context, value_run=settings.value_run)
    frames = []
    for kind in kinds:
        for group, period in [(None, None), (None, "month"), *((c, None) for c in by)]:
            table = score_summary(
                feedback,
                kind,
                by=[group] if group else [],
                period=period,
                min_responses=settings.min_responses,
                level=settings.level,
            )
            low, high = SCORE_BOUNDS[kind]
            frames.append(
                pd.DataFrame(
                    {
                        "kind": kind,
                        "dimension": group or ("month" if period else "all"),
                        "group_value": table[group].astype(str) if group else "all",
                        "period_start": table["period_start"] if period else pd.NaT,
                        "responses": table["responses"],
                        "score": table[SCORE_COLUMN[kind]],
                        "low": table[low],
                        "high": table[high],
                        "small_group": table["small_group"],
                    }
                )
            )
    scores = pd.concat(frames, ignore_index=True)
    scores["period_start"] = pd.to_datetime(scores["period_start"])
    return scores


def latest_value(
    workspace: Workspace, run_id: str | None
) -> tuple[pd.DataFrame | None, str | None]:
    """CLV and P(alive) per customer from a value run (the latest when ``run_id`` is None)."""
    try:
        run = resolve_run(workspace, "value", run_id)
    except NotFoundError:
        if run_id is not None:
            raise
        return None, None
    table = result_table(workspace, "value_customers", run["run_id"])
    frame = workspace.to_pandas(table.select("customer_id", "clv", "probability_alive"))
    return frame, str(run["run_id"])


def _learned(
    answers: pd.DataFrame, languages: list[str], settings: VoiceSettings, step: Step
) -> LearnedScores | None:
    """Sentiment learnt from the company's own (score, text) pairs, cross-fitted: no verbatim
    is scored by a model that saw its score. None when there is too little to learn from."""
    if not settings.learn_from_scores:
        return None
    scored = answers["score"].notna() & answers["kind"].isin(DEFAULT_SCALES)
    if int(scored.sum()) < MIN_LEARNING_ROWS:
        return None
    scale = answers["scale_max"].fillna(answers["kind"].map(DEFAULT_SCALES))
    usable = scored & scale.isin([5.0, 7.0, 10.0])
    step(f"learning sentiment from {int(usable.sum()):,} scored verbatims (cross-fitted)")
    try:
        return learn_from_scores(
            answers["text"].tolist(),
            answers["score"].where(usable).to_numpy(float),
            scale.where(usable, 10.0).to_numpy(float).astype(int),
            languages,
        )
    except (InvalidParameterError, ModelDataError) as problem:
        step(f"sentiment not learnt from the scores: {problem}")
        return None


def run_voice(
    workspace: Workspace, settings: VoiceSettings | None = None, on_step: Step | None = None
) -> VoiceRun:
    """Run the voice analysis on the workspace's feedback and store the results."""
    settings = settings or VoiceSettings()
    step = on_step or (lambda _: None)
    started = utc_now()
    if workspace.count("feedback") == 0:
        raise ModelDataError("the workspace has no feedback: import some with `emptychair import`")
    taxonomy, taxonomy_source = workspace_taxonomy(workspace, settings.taxonomy)
    answers = _answers(workspace)
    kinds = [k for k in KINDS if (answers["kind"] == k).any()]

    step("scores with intervals")
    scores = long_scores(workspace, kinds, settings.by, settings)

    with_text = answers[answers["text"].notna() & answers["text"].str.strip().ne("")]
    with_text = with_text.reset_index(drop=True)
    languages = resolve_languages(with_text["text"].tolist(), with_text["language"].tolist())
    learned = _learned(with_text, languages, settings, step)
    step(f"reading {len(with_text):,} verbatims")
    analysis = analyse_verbatims(
        with_text["text"],
        languages,
        taxonomy=taxonomy,
        models=learned.models if learned is not None else None,
    )
    if learned is not None:
        # Each verbatim's own sentiment is the cross-fitted one of the chosen method.
        rows = learned.rows.reset_index(drop=True)
        analysis.verbatims["sentiment"] = rows["sentiment"].to_numpy(float)
        analysis.verbatims["label"] = rows["label"].to_numpy()
    learning = learned.summary if learned is not None else pd.DataFrame()
    verbatims = pd.concat(
        [
            with_text.drop(columns=["text", "language"]),
            analysis.verbatims.reset_index(drop=True),
        ],
        axis=1,
    )
    mentions = analysis.mentions.assign(
        feedback_id=with_text["feedback_id"].to_numpy()[analysis.mentions["position"]]
    )
    mentions = mentions[["feedback_id", "theme", "sentiment", "label", "clauses", "clause"]]
    themes = theme_summary(mentions, len(with_text))
    labels = {t.id: t.label for t in taxonomy.themes}
    themes["label_en"] = themes["theme"].map(lambda t: labels.get(t, {}).get("en", t))
    themes["label_fr"] = themes["theme"].map(lambda t: labels.get(t, {}).get("fr", t))

    step("emerging themes")
    emerging = emerging_themes(
        verbatims["text_redacted"].tolist(),
        verbatims["language"].tolist(),
        taxonomy=taxonomy,
        display_texts=verbatims["text_redacted"].tolist(),
        min_size=settings.min_responses // 2,
    )
    ids = [theme.id for theme in emerging.themes]
    verbatims["emerging_theme"] = [ids[i] if i >= 0 else "" for i in emerging.assignments]
    emerging_table = emerging.to_frame()
    for column in ("keywords", "examples"):
        emerging_table[column] = emerging_table[column].map(
            lambda values: json.dumps(list(values), ensure_ascii=False)
        )

    step("irritants and value at risk")
    value, value_run = latest_value(workspace, settings.value_run)
    irritant_table = irritants(
        verbatims, mentions, value, min_mentions=settings.min_responses, level=settings.level
    )
    step("key drivers and weekly alerts")
    drivers, notes = drivers_by_kind(
        verbatims, mentions, min_mentions=settings.min_responses, level=settings.level
    )
    # Emerging themes are watched too: a new topic that takes off is what an alert is for.
    new_topics = verbatims[verbatims["emerging_theme"] != ""]
    watched = pd.concat(
        [
            mentions[["feedback_id", "theme", "label"]],
            pd.DataFrame(
                {
                    "feedback_id": new_topics["feedback_id"],
                    "theme": new_topics["emerging_theme"],
                    "label": new_topics["label"],
                }
            ),
        ],
        ignore_index=True,
    )
    tests, raised = alerts(answers, verbatims, watched, min_responses=settings.min_responses)
    tables: dict[str, pd.DataFrame] = {
        "voice_scores": scores,
        "voice_verbatims": verbatims,
        "voice_mentions": mentions,
        "voice_themes": themes,
        "voice_emerging": emerging_table,
        "voice_irritants": irritant_table,
        "voice_drivers": drivers,
        "voice_weekly": tests,
        "voice_alerts": raised,
        "voice_sentiment_models": learning,
    }
    step("complaints and the closed loop")
    tables.update(complaint_tables(workspace, min_responses=settings.min_responses))
    if value is not None:
        try:
            tables["voice_lapsing"] = lapsing_comparison(
                verbatims, mentions, value, threshold=settings.lapsing_threshold
            )
        except ModelDataError as problem:
            step(f"lapsing comparison skipped: {problem}")

    run_id = new_batch_id()
    parameters: dict[str, Any] = {
        **asdict(settings),
        "taxonomy": taxonomy_source,
        "value_run": value_run,
        "notes": [*emerging.notes, *notes],
    }
    step("storing the run")
    write_results(
        workspace,
        run_id,
        ANALYSIS,
        {name: table for name, table in tables.items() if not table.empty},
        parameters=parameters,
        started_at=started,
        rows=len(answers),
    )
    return VoiceRun(run_id, settings, len(answers), len(with_text), value_run, tables)
