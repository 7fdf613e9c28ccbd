"""Arbitration: the action that serves each customer best, inside the guardrails.

For each customer, an action is **eligible** when its rule is met and **allowed** when
no guardrail blocks it; the chosen action is the first allowed one in the catalogue's
ranking order (customer benefit first, then business value minus cost). When none is
allowed, there is no action, and the decision says why.

:func:`decision_table` builds every customer's decision as one Ibis expression, so a
million customers are decided in the engine; :func:`decide` takes the same decision
for one customer in Python, with the detailed reasons. Both read the same rules and
the same guardrail conditions, so they agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.actions.catalogue import Catalogue, catalogue_path, load_catalogue
from emptychair.actions.decisions import Decision, Verdict
from emptychair.actions.features import (
    FEATURES,
    CustomerFeatures,
    FeatureWindows,
    customer_features,
)
from emptychair.actions.guardrails import GUARDRAILS, blocks_for, guarded_features, guarded_table
from emptychair.actions.overrides import NO_ACTION, override_for, with_overrides
from emptychair.actions.rules import plain_value
from emptychair.errors import NotFoundError
from emptychair.identity import golden_id
from emptychair.voice.complaints import resolved_as_of
from emptychair.workspace import Workspace

#: Columns of a batch decision (the ``actions_decisions`` result table, without run_id).
DECISION_COLUMNS = ("customer_id", "action_id", "action_kind", "channel", "customer_benefit",
                    "net_value", "eligible_actions", "blocked_actions")  # fmt: skip


def workspace_catalogue(workspace: Workspace) -> Catalogue:
    """The workspace's ``actions.yaml``, else the default catalogue."""
    return load_catalogue(catalogue_path(workspace.path))


def _blocked_text(action_id: str, guardrails: list[str]) -> str:
    return f"{action_id}:{'+'.join(guardrails)}"


def _wide(features: ir.Table, catalogue: Catalogue) -> tuple[ir.Table, list[dict[str, Any]]]:
    """The features with one eligibility column per action and one per guardrail block."""
    rules = {f"_eligible_{i}": a.rule.to_ibis(features) for i, a in enumerate(catalogue.actions)}
    guarded = guarded_table(features.mutate(**rules))
    blocks_columns: dict[str, ir.BooleanValue] = {}
    plan = []
    for index, action in enumerate(catalogue.actions):
        blocks = {}
        for block in blocks_for(action, catalogue.guardrails):
            name = f"_blocked_{index}_{block.guardrail}"
            blocks_columns[name] = block.condition.to_ibis(guarded)
            blocks[block.guardrail] = name
        plan.append({"action": action, "eligible": f"_eligible_{index}", "blocks": blocks})
    return guarded.select("customer_id", *rules, **blocks_columns), plan


def decision_table(features: ir.Table, catalogue: Catalogue) -> ir.Table:
    """Every customer's decision, computed in the engine.

    Parameters
    ----------
    features
        One row per customer with ``customer_id`` and the columns the rules read (see
        :data:`emptychair.actions.features.FEATURES`).
    catalogue
        The actions, in ranking order, and the guardrail settings.

    Returns
    -------
    ibis.Table
        :data:`DECISION_COLUMNS`: the chosen ``action_id`` (NULL: no action), its kind,
        channel, customer benefit and net value; ``eligible_actions`` (ids in ranking
        order, comma-separated) and ``blocked_actions`` (``id:guardrail+guardrail`` for
        each eligible action a guardrail blocked, ``;``-separated).
    """
    wide, plan = _wide(features, catalogue)
    allowed = []
    blocked_parts = []
    for step in plan:
        eligible = wide[step["eligible"]]
        block_columns = [wide[c] for c in step["blocks"].values()]
        any_block = ibis.literal(False)
        for column in block_columns:
            any_block = any_block | column
        allowed.append(eligible & ~any_block)
        if block_columns:
            names = ibis.literal("+").join(
                [ibis.ifelse(wide[c], g, ibis.null("string")) for g, c in step["blocks"].items()]
            )
            blocked_parts.append(
                ibis.ifelse(
                    eligible & any_block,
                    ibis.literal(step["action"].id + ":") + names,
                    ibis.null("string"),
                )
            )
    actions = [step["action"] for step in plan]

    def chosen(values: list[Any], kind: str) -> ir.Value:
        return ibis.cases(
            *((a, ibis.literal(v, type=kind)) for a, v in zip(allowed, values, strict=True)),
            else_=ibis.null(kind),
        )

    eligible_ids = ibis.literal(",").join(
        [ibis.ifelse(wide[s["eligible"]], s["action"].id, ibis.null("string")) for s in plan]
    )
    blocked = ibis.literal(";").join(blocked_parts) if blocked_parts else ibis.literal("")
    return wide.select(
        customer_id=wide["customer_id"],
        action_id=chosen([a.id for a in actions], "string"),
        action_kind=chosen([a.kind for a in actions], "string"),
        channel=chosen([a.channel for a in actions], "string"),
        customer_benefit=chosen([a.benefit.amount for a in actions], "float64"),
        net_value=chosen([a.net_value for a in actions], "float64"),
        eligible_actions=eligible_ids,
        blocked_actions=blocked,
    )


def guardrail_statistics(features: ir.Table, catalogue: Catalogue) -> ir.Table:
    """Per action and guardrail: customers eligible, and eligible ones the guardrail blocked
    (a customer blocked by two guardrails counts under each). One row, wide; see
    :func:`guardrail_frame`."""
    wide, plan = _wide(features, catalogue)
    sums = {}
    for index, step in enumerate(plan):
        eligible = wide[step["eligible"]]
        sums[f"eligible__{index}"] = eligible.cast("int64").sum()
        for guardrail, column in step["blocks"].items():
            sums[f"blocked__{index}__{guardrail}"] = (eligible & wide[column]).cast("int64").sum()
    return wide.aggregate(**sums)


def guardrail_frame(row: pd.Series, catalogue: Catalogue) -> pd.DataFrame:
    """The one-row result of :func:`guardrail_statistics` as one row per action and guardrail."""
    rows = []
    for index, action in enumerate(catalogue.actions):
        eligible = int(row[f"eligible__{index}"] or 0)
        for guardrail in GUARDRAILS:
            key = f"blocked__{index}__{guardrail}"
            if key in row.index:
                rows.append(
                    {
                        "action_id": action.id,
                        "guardrail": guardrail,
                        "eligible_customers": eligible,
                        "blocked_customers": int(row[key] or 0),
                    }
                )
    columns = ["action_id", "guardrail", "eligible_customers", "blocked_customers"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"eligible_customers": "int64", "blocked_customers": "int64"}
    )


def choose(features: dict[str, Any], catalogue: Catalogue) -> tuple[Verdict | None, list[Verdict]]:
    """The first allowed action for one customer's features, and every verdict."""
    verdicts = []
    guarded = guarded_features(features)
    for action in catalogue.actions:
        eligible = action.rule.evaluate(features)
        failed = [] if eligible else action.rule.failed_parts(features)
        blocks = [
            b for b in blocks_for(action, catalogue.guardrails) if b.condition.evaluate(guarded)
        ]
        verdicts.append(Verdict(action, eligible, failed, blocks if eligible else []))
    chosen = next((v for v in verdicts if v.allowed), None)
    return chosen, verdicts


def features_for(
    workspace: Workspace,
    as_of: date | datetime | str | None,
    catalogue: Catalogue,
    value_run: str | None,
    voice_run: str | None,
    customer_ids: list[str] | None = None,
) -> CustomerFeatures:
    """The customer features at ``as_of`` with the windows the guardrails need."""
    moment = resolved_as_of(workspace, as_of)
    windows = FeatureWindows(period_days=int(catalogue.guardrails.period_days))
    return customer_features(
        workspace,
        moment,
        windows=windows,
        value_run=value_run,
        voice_run=voice_run,
        customer_ids=customer_ids,
    )


def decide(
    workspace: Workspace,
    customer_id: str,
    *,
    as_of: date | datetime | str | None = None,
    catalogue: Catalogue | None = None,
    value_run: str | None = None,
    voice_run: str | None = None,
) -> Decision:
    """The decision for one customer, with its reasons and any override.

    Parameters
    ----------
    workspace
        The workspace to read.
    customer_id
        Any record id of the customer (decisions are per person: golden id).
    as_of
        The moment of the decision (default: the latest moment in the data).
    catalogue
        The actions (default: the workspace's ``actions.yaml``, else the default).
    value_run, voice_run
        The runs whose results are read (default: the latest).

    Raises
    ------
    NotFoundError
        When the customer does not exist (or not yet at ``as_of``).
    """
    catalogue = catalogue or workspace_catalogue(workspace)
    golden = golden_id(workspace, customer_id)
    built = features_for(workspace, as_of, catalogue, value_run, voice_run, [golden])
    rows = workspace.to_pandas(built.table)
    if rows.empty:
        raise NotFoundError(f"customer {customer_id!r} did not exist yet at {built.as_of}")
    features = {name: plain_value(rows.iloc[0][name]) for name in FEATURES}
    chosen, verdicts = choose(features, catalogue)
    return Decision(
        customer_id=golden,
        as_of=built.as_of,
        action=chosen.action if chosen else None,
        verdicts=verdicts,
        features=features,
        warnings=built.warnings,
        override=override_for(workspace, golden),
    )


def decide_all(
    workspace: Workspace,
    *,
    as_of: date | datetime | str | None = None,
    catalogue: Catalogue | None = None,
    value_run: str | None = None,
    voice_run: str | None = None,
) -> ir.Table:
    """Every customer's decision, in the engine, with the latest override of each.

    Returns :data:`DECISION_COLUMNS` then ``override_action_id`` (``none`` for an
    override not to act) and ``override_by``; see :func:`decision_table`.
    """
    catalogue = catalogue or workspace_catalogue(workspace)
    built = features_for(workspace, as_of, catalogue, value_run, voice_run)
    return with_overrides(workspace, decision_table(built.table, catalogue))


__all__ = ["NO_ACTION", "decide", "decide_all", "decision_table"]
