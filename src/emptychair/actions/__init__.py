"""Customer-first actions: a catalogue of what can be done for a customer, eligibility
rules, guardrails that always win, and an arbitration that ranks customer benefit first
and gives its reasons; and the past practices that pay now and hurt later."""

from emptychair.actions.arbitration import decide, decide_all, decision_table
from emptychair.actions.catalogue import (
    Action,
    Catalogue,
    CatalogueError,
    load_catalogue,
    parse_catalogue,
)
from emptychair.actions.decisions import Decision, Override, Verdict
from emptychair.actions.features import FEATURES, customer_features
from emptychair.actions.guardrails import GUARDRAILS, GuardrailSettings
from emptychair.actions.overrides import record_override
from emptychair.actions.practices import (
    PracticeSettings,
    PracticesResult,
    detect_practices,
    practices_summary,
    run_practices,
)
from emptychair.actions.rules import Rule, RuleError, parse_rule
from emptychair.actions.service import ActionsRun, actions_summary, run_actions

__all__ = [
    "FEATURES",
    "GUARDRAILS",
    "Action",
    "ActionsRun",
    "Catalogue",
    "CatalogueError",
    "Decision",
    "GuardrailSettings",
    "Override",
    "PracticeSettings",
    "PracticesResult",
    "Rule",
    "RuleError",
    "Verdict",
    "actions_summary",
    "customer_features",
    "decide",
    "decide_all",
    "decision_table",
    "detect_practices",
    "load_catalogue",
    "parse_catalogue",
    "parse_rule",
    "practices_summary",
    "record_override",
    "run_actions",
    "run_practices",
]
