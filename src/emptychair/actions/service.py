"""The actions use-cases: decide for every customer and store the run; summarise a run.

A run stores two result tables (see :mod:`emptychair.workspace.results`):
``actions_decisions`` (one row per customer, see
:data:`emptychair.actions.arbitration.DECISION_COLUMNS`, with the latest override) and
``actions_guardrails`` (per action and guardrail: customers eligible and blocked).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import ibis
import pandas as pd

from emptychair.actions.arbitration import (
    decision_table,
    features_for,
    guardrail_frame,
    guardrail_statistics,
    workspace_catalogue,
)
from emptychair.actions.catalogue import Catalogue
from emptychair.actions.overrides import with_overrides
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import resolve_run, result_table, write_results

ANALYSIS = "actions"
Step = Callable[[str], None]


@dataclass
class ActionsRun:
    """What one batch run decided."""

    run_id: str
    as_of: pd.Timestamp
    customers: int
    #: Customers per chosen action (``no action`` when none).
    actions: pd.DataFrame
    #: Per action and guardrail: customers eligible and blocked.
    guardrails: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _nothing(step: str) -> None:
    return None


def run_actions(
    workspace: Workspace,
    *,
    as_of: date | datetime | str | None = None,
    catalogue: Catalogue | None = None,
    value_run: str | None = None,
    voice_run: str | None = None,
    on_step: Step = _nothing,
) -> ActionsRun:
    """Decide for every customer in the engine and store the run.

    Parameters
    ----------
    workspace
        A workspace opened for writing.
    as_of, catalogue, value_run, voice_run
        As for :func:`emptychair.actions.decide_all`.
    on_step
        Called with the name of each step (for progress display).
    """
    started = utc_now()
    catalogue = catalogue or workspace_catalogue(workspace)
    on_step("customer features")
    built = features_for(workspace, as_of, catalogue, value_run, voice_run)
    engine = workspace.engine
    staged = f"_stage_actions_{new_batch_id().replace('-', '_')}"
    engine.create_table(staged, built.table, temp=True)
    try:
        features = engine.table(staged)
        on_step("guardrail statistics")
        stats = engine.to_pandas(guardrail_statistics(features, catalogue))
        guardrails = guardrail_frame(stats.iloc[0], catalogue)
        on_step("decisions")
        decisions = with_overrides(workspace, decision_table(features, catalogue))
        customers = int(engine.execute(features.count()))
        run_id = new_batch_id()
        parameters = {
            "as_of": built.as_of.isoformat(),
            "catalogue": catalogue.source,
            "value_run": built.value_run,
            "voice_run": built.voice_run,
            "guardrails": vars(catalogue.guardrails),
        }
        on_step("storing")
        write_results(
            workspace,
            run_id,
            ANALYSIS,
            {"actions_decisions": decisions, "actions_guardrails": guardrails},
            parameters=parameters,
            started_at=started,
            rows=customers,
        )
    finally:
        engine.drop_table(staged)
    return ActionsRun(
        run_id=run_id,
        as_of=built.as_of,
        customers=customers,
        actions=_action_counts(workspace, run_id),
        guardrails=guardrails,
        warnings=built.warnings,
    )


def _action_counts(workspace: Workspace, run_id: str) -> pd.DataFrame:
    decisions = result_table(workspace, "actions_decisions", run_id)
    action = decisions["action_id"].fill_null("no action")
    counts = decisions.group_by(action=action).aggregate(
        customers=decisions.count(),
        overridden=decisions["override_action_id"].notnull().sum(),
    )
    frame = workspace.to_pandas(counts.order_by([ibis.desc("customers"), "action"]))
    return frame.reset_index(drop=True)


def actions_summary(workspace: Workspace, run_id: str | None = None) -> ActionsRun:
    """A stored run (the latest by default): counts per action and per guardrail."""
    run = resolve_run(workspace, ANALYSIS, run_id)
    found = str(run["run_id"])
    guardrails = workspace.to_pandas(result_table(workspace, "actions_guardrails", found))
    parameters = json.loads(run["parameters"] or "{}")
    return ActionsRun(
        run_id=found,
        as_of=pd.Timestamp(parameters.get("as_of")),
        customers=int(run["customers"]),
        actions=_action_counts(workspace, found),
        guardrails=guardrails,
    )
