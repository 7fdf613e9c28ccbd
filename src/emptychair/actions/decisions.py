"""A decision for one customer and its reasons, in French or English.

Every decision says why this action ("why this"), why not each other action of the
catalogue (not eligible: which condition of its rule failed; blocked: which guardrail;
allowed but ranked lower: on what), and says so when the decision is not to act. A
person's override, when there is one, is shown with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from emptychair.actions.catalogue import Action
from emptychair.actions.guardrails import Block
from emptychair.actions.rules import RulePart

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "chosen": "{label}: eligible ({rule}), allowed by every guardrail, and first in rank: "
        "customer benefit {amount} ({unit}): {explanation}",
        "leave_alone": "{label}: {explanation}",
        "nothing": "No action: no action of the catalogue is both eligible and allowed.",
        "not_eligible": "{label}: not eligible: {parts}",
        "blocked": "{label}: eligible but blocked by {guardrails}",
        "lower_benefit": "{label}: allowed, but a lower customer benefit ({amount} < {best})",
        "lower_value": "{label}: allowed, same customer benefit but a lower business value "
        "net of cost ({net} < {best})",
        "override": "Overridden by {by} on {at}: {action} ({reason})",
        "no_consent": "no consent for {purposes}",
        "no_action": "no action",
        "money": "money",
        "score": "score",
    },
    "fr": {
        "chosen": "{label} : éligible ({rule}), autorisée par tous les garde-fous et première "
        "au classement : bénéfice client {amount} ({unit}) : {explanation}",
        "leave_alone": "{label} : {explanation}",
        "nothing": "Aucune action : aucune action du catalogue n'est à la fois éligible et "
        "autorisée.",
        "not_eligible": "{label} : non éligible : {parts}",
        "blocked": "{label} : éligible mais bloquée par {guardrails}",
        "lower_benefit": "{label} : autorisée, mais un bénéfice client moindre ({amount} < {best})",
        "lower_value": "{label} : autorisée, même bénéfice client mais une valeur nette pour "
        "l'entreprise moindre ({net} < {best})",
        "override": "Décision modifiée par {by} le {at} : {action} ({reason})",
        "no_consent": "pas de consentement pour {purposes}",
        "no_action": "aucune action",
        "money": "argent",
        "score": "score",
    },
}


def _text(language: str, key: str, **values: Any) -> str:
    texts = _TEXTS.get(language, _TEXTS["en"])
    return texts[key].format(**values)


@dataclass(frozen=True)
class Override:
    """A person's decision in place of the engine's for one customer."""

    customer_id: str
    action_id: str | None
    reason: str
    decided_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Verdict:
    """How one action of the catalogue came out for one customer."""

    action: Action
    eligible: bool
    failed: list[RulePart]
    blocked: list[Block]

    @property
    def allowed(self) -> bool:
        return self.eligible and not self.blocked


@dataclass
class Decision:
    """The action chosen for one customer (None: no action), with every reason."""

    customer_id: str
    as_of: pd.Timestamp
    action: Action | None
    verdicts: list[Verdict]
    features: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    override: Override | None = None

    @property
    def action_id(self) -> str | None:
        return self.action.id if self.action else None

    @property
    def eligible_actions(self) -> list[str]:
        return [v.action.id for v in self.verdicts if v.eligible]

    @property
    def blocked_actions(self) -> dict[str, list[str]]:
        """Eligible actions that a guardrail blocked, with the guardrails' names."""
        return {
            v.action.id: [b.guardrail for b in v.blocked]
            for v in self.verdicts
            if v.eligible and v.blocked
        }

    def why(self, language: str = "en") -> str:
        """Why this action (or why none)."""
        action = self.action
        if action is None:
            return _text(language, "nothing")
        values = {
            "label": action.name(language),
            "rule": action.rule.source,
            "amount": f"{action.benefit.amount:g}",
            "unit": _text(language, action.benefit.unit),
            "explanation": action.benefit.explanation[language],
        }
        key = "leave_alone" if action.kind == "no_action" else "chosen"
        return _text(language, key, **values)

    def why_not(self, language: str = "en") -> list[str]:
        """Why not each other action, in ranking order."""
        chosen = self.action
        lines = []
        for verdict in self.verdicts:
            action = verdict.action
            if chosen is not None and action.id == chosen.id:
                continue
            label = action.name(language)
            if not verdict.eligible:
                parts = "; ".join(p.describe(language) for p in verdict.failed)
                lines.append(_text(language, "not_eligible", label=label, parts=parts))
            elif verdict.blocked:
                names = "; ".join(
                    f"{b.guardrail} ({self._block_text(b, action, language)})"
                    for b in verdict.blocked
                )
                lines.append(_text(language, "blocked", label=label, guardrails=names))
            elif chosen is not None and action.benefit.amount < chosen.benefit.amount:
                lines.append(
                    _text(
                        language,
                        "lower_benefit",
                        label=label,
                        amount=f"{action.benefit.amount:g}",
                        best=f"{chosen.benefit.amount:g}",
                    )
                )
            elif chosen is not None:
                lines.append(
                    _text(
                        language,
                        "lower_value",
                        label=label,
                        net=f"{action.net_value:g}",
                        best=f"{chosen.net_value:g}",
                    )
                )
        return lines

    def _block_text(self, block: Block, action: Action, language: str) -> str:
        """The guardrail's reason; for consent, only the consents this customer lacks."""
        if block.guardrail != "consent":
            return block.text(language)
        lacking = [p for p in action.required_consents if not self.features.get(f"consent_{p}")]
        return _text(language, "no_consent", purposes=", ".join(lacking))

    def override_text(self, language: str = "en") -> str | None:
        override = self.override
        if override is None:
            return None
        action = override.action_id or _text(language, "no_action")
        return _text(
            language,
            "override",
            by=override.decided_by,
            at=f"{override.recorded_at:%Y-%m-%d %H:%M}",
            action=action,
            reason=override.reason,
        )

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        """A JSON-ready view: the action, the reasons and the features read."""
        action = self.action
        return {
            "customer_id": self.customer_id,
            "as_of": self.as_of.isoformat(),
            "action_id": self.action_id,
            "action": action.name(language) if action else None,
            "kind": action.kind if action else None,
            "channel": action.channel if action else None,
            "customer_benefit": action.benefit.amount if action else None,
            "benefit_unit": action.benefit.unit if action else None,
            "why": self.why(language),
            "why_not": self.why_not(language),
            "eligible_actions": self.eligible_actions,
            "blocked_actions": self.blocked_actions,
            "override": (
                {
                    "action_id": self.override.action_id,
                    "reason": self.override.reason,
                    "decided_by": self.override.decided_by,
                    "recorded_at": self.override.recorded_at.isoformat(),
                    "text": self.override_text(language),
                }
                if self.override
                else None
            ),
            "features": self.features,
            "warnings": self.warnings,
        }
