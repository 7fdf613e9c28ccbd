"""Guardrails: conditions that block an action whatever its benefit, each with its reason.

* ``restriction``: the person restricted the processing of their data (no action at all)
  or, for an action that sells or needs a marketing consent, objects to direct marketing
  (:mod:`emptychair.privacy.restriction`);
* ``consent``: the customer has not given the consent the action needs (its purpose
  and, for a contact, its channel);
* ``contact_pressure``: already ``max_contacts`` outbound contacts in the last
  ``period_days`` days;
* ``quiet_period``: an outbound contact less than ``quiet_days`` days ago;
* ``open_complaint``: no selling (retention and offers) while a complaint is open:
  service recovery comes first;
* ``recent_detractor``: no selling to a customer whose latest NPS answer, in the last
  ``detractor_days`` days, is at most ``detractor_score``, until they have been followed
  up (a personal contact or a closed complaint since).

Each guardrail is written in the rule language, so the same condition blocks the batch
decisions in the engine and the decision for one customer. A guardrail reads a missing
feature on the safe side (:data:`SAFE_WHEN_MISSING`): an unknown consent is no consent,
an unknown number of recent contacts is over the limit, an unknown number of open
complaints is one, an unknown follow-up did not happen. A missing last contact means
there was none (no quiet period), a missing NPS answer means no detractor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis.expr.types as ir

from emptychair.actions.features import FEATURE_TYPES, PURPOSES
from emptychair.actions.rules import Rule, parse_rule

if TYPE_CHECKING:
    from emptychair.actions.catalogue import Action

GUARDRAILS = (
    "restriction",
    "consent",
    "contact_pressure",
    "quiet_period",
    "open_complaint",
    "recent_detractor",
)
#: What a guardrail reads in place of a missing feature, so that missing data never lets
#: an action through.
SAFE_WHEN_MISSING: dict[str, Any] = {
    **{f"consent_{p}": False for p in PURPOSES},
    "recent_outbound_contacts": 1e9,
    "open_complaints": 1.0,
    "detractor_followed_up": False,
    "restricted": True,
    "objects_to_marketing": True,
}


def guarded_features(features: Mapping[str, Any]) -> dict[str, Any]:
    """One customer's features with missing guardrail features on the safe side."""
    safe = dict(features)
    for name, value in SAFE_WHEN_MISSING.items():
        if safe.get(name) is None:
            safe[name] = value
    return safe


def guarded_table(features: ir.Table) -> ir.Table:
    """The feature table with missing guardrail features on the safe side."""
    return features.mutate(
        **{name: features[name].fill_null(value) for name, value in SAFE_WHEN_MISSING.items()}
    )


@dataclass(frozen=True)
class GuardrailSettings:
    """The limits the guardrails apply (set under ``guardrails:`` in ``actions.yaml``)."""

    #: Outbound contacts allowed per customer in ``period_days``.
    max_contacts: int = 3
    period_days: int = 30
    #: Days after an outbound contact during which nothing else is sent.
    quiet_days: int = 7
    #: An NPS answer at or below this is a detractor's.
    detractor_score: float = 6
    #: How long a detractor's answer blocks offers (unless followed up).
    detractor_days: int = 90


@dataclass(frozen=True)
class Block:
    """One guardrail applied to one action: its name, the blocking condition, the reason."""

    guardrail: str
    condition: Rule
    reason: dict[str, str]

    def text(self, language: str = "en") -> str:
        return self.reason.get(language) or self.reason["en"]


def _rule(text: str) -> Rule:
    return parse_rule(text, FEATURE_TYPES)


def blocks_for(action: Action, settings: GuardrailSettings) -> list[Block]:
    """The guardrails that apply to ``action``, in the order above."""
    found = []
    needed = action.required_consents
    if action.kind != "no_action":
        marketing = action.sells or bool(needed)
        condition = "restricted or objects_to_marketing" if marketing else "restricted"
        found.append(
            Block(
                "restriction",
                _rule(condition),
                {
                    "en": "the person restricted the use of their data"
                    + (" or objects to direct marketing" if marketing else ""),
                    "fr": "la personne a limité l'usage de ses données"
                    + (" ou s'oppose à la prospection" if marketing else ""),
                },
            )
        )
    if needed:
        listed = ", ".join(needed)
        found.append(
            Block(
                "consent",
                _rule(" or ".join(f"not consent_{p}" for p in needed)),
                {
                    "en": f"no consent for {listed}",
                    "fr": f"pas de consentement pour {listed}",
                },
            )
        )
    if action.contacts:
        limit, period = settings.max_contacts, settings.period_days
        found.append(
            Block(
                "contact_pressure",
                _rule(f"recent_outbound_contacts >= {limit}"),
                {
                    "en": f"already {limit} outbound contact(s) in {period} days",
                    "fr": f"déjà {limit} contact(s) sortant(s) en {period} jours",
                },
            )
        )
        quiet = settings.quiet_days
        found.append(
            Block(
                "quiet_period",
                _rule(f"days_since_last_contact < {quiet}"),
                {
                    "en": f"contacted less than {quiet} days ago",
                    "fr": f"contacté il y a moins de {quiet} jours",
                },
            )
        )
    if action.sells:
        found.append(
            Block(
                "open_complaint",
                _rule("open_complaints > 0"),
                {
                    "en": "a complaint is open: service recovery first, no selling",
                    "fr": "une réclamation est ouverte : la traiter d'abord, pas de vente",
                },
            )
        )
        score, days = settings.detractor_score, settings.detractor_days
        found.append(
            Block(
                "recent_detractor",
                _rule(
                    f"last_nps <= {score} and days_since_last_nps <= {days} "
                    "and not detractor_followed_up"
                ),
                {
                    "en": f"detractor (NPS ≤ {score:g}) in the last {days} days, "
                    "not yet followed up: no offers",
                    "fr": f"détracteur (NPS ≤ {score:g}) ces {days} derniers jours, "
                    "pas encore recontacté : pas d'offre",
                },
            )
        )
    return found
