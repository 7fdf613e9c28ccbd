"""The action catalogue: what can be done for a customer, read from ``actions.yaml``.

A workspace's own ``actions.yaml`` (in its folder) replaces the catalogue shipped with
the package (``default_actions.yaml``). Every error names the file, the action id, the
field and the value at fault, with the column inside a rule, so the file can be fixed
without reading code.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from emptychair.actions.consistency import contradiction
from emptychair.actions.features import FEATURE_TYPES, PURPOSES
from emptychair.actions.guardrails import GuardrailSettings
from emptychair.actions.rules import Rule, RuleError, parse_rule, referenced_names, substitute
from emptychair.errors import InvalidParameterError

CATALOGUE_FILE = "actions.yaml"
KINDS = ("service_recovery", "advice", "thanks", "retention", "offer", "no_action")
#: Kinds that sell: blocked while a complaint is open and for recent detractors.
SELLING_KINDS = ("retention", "offer")
#: Kinds that may do without a consent (answering the customer's own problem, or nothing).
SERVICE_KINDS = ("service_recovery", "no_action")
CHANNELS = ("email", "sms", "phone", "mail", "push", "none")
UNITS = ("money", "score")
LANGUAGES = ("fr", "en")
ACTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
ACTION_FIELDS = ("id", "label", "kind", "rule", "benefit", "business_value", "cost", "channel",
                 "consent")  # fmt: skip


class CatalogueError(InvalidParameterError):
    """An action catalogue that cannot be used."""


@dataclass(frozen=True)
class Benefit:
    """What the action brings the customer: an amount (money or a score) and why."""

    amount: float
    unit: str
    explanation: dict[str, str]


@dataclass(frozen=True)
class Action:
    """One action of the catalogue.

    ``rule`` is the eligibility rule with the rules of the actions it names put in
    their place; ``consent`` is the consent purpose it needs (``none`` for service and
    doing nothing).
    """

    id: str
    label: dict[str, str]
    kind: str
    rule: Rule
    benefit: Benefit
    business_value: float
    cost: float
    channel: str
    consent: str

    @property
    def net_value(self) -> float:
        """Business value minus cost."""
        return self.business_value - self.cost

    @property
    def sells(self) -> bool:
        return self.kind in SELLING_KINDS

    @property
    def contacts(self) -> bool:
        """Whether the action reaches out to the customer."""
        return self.channel != "none"

    @property
    def required_consents(self) -> tuple[str, ...]:
        """The purpose it needs and, for a contact, the consent to that channel."""
        if self.consent == "none":
            return ()
        needed = [self.consent]
        if self.channel != "none" and self.channel != self.consent:
            needed.append(self.channel)
        return tuple(needed)

    def name(self, language: str = "en") -> str:
        return self.label.get(language) or self.label["en"]


@dataclass(frozen=True)
class Catalogue:
    """The actions, in ranking order (customer benefit first, then value minus cost),
    and the guardrail settings of the file."""

    actions: tuple[Action, ...]
    guardrails: GuardrailSettings
    source: str

    def action(self, action_id: str) -> Action:
        for action in self.actions:
            if action.id == action_id:
                return action
        known = ", ".join(a.id for a in self.actions)
        raise CatalogueError(f"{self.source}: no action {action_id!r} (actions: {known})")


def ranking_key(action: Action) -> tuple[float, float, str]:
    """Customer benefit first, then business value minus cost, then id (to be stable)."""
    return (-action.benefit.amount, -action.net_value, action.id)


def default_catalogue_file() -> Path:
    return Path(
        str(importlib.resources.files("emptychair.actions").joinpath("default_actions.yaml"))
    )


def catalogue_path(folder: Path) -> Path:
    """The workspace's ``actions.yaml`` if there is one, else the shipped default."""
    own = folder / CATALOGUE_FILE
    return own if own.is_file() else default_catalogue_file()


def load_catalogue(path: Path) -> Catalogue:
    """Read and check a catalogue file.

    Raises
    ------
    CatalogueError
        Naming the file, the action, the field and the value at fault.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(f"{path}: cannot read the catalogue ({error.strerror})") from None
    return parse_catalogue(text, str(path))


def parse_catalogue(text: str, source: str = CATALOGUE_FILE) -> Catalogue:
    """Check the YAML text of a catalogue (``source`` names it in errors)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None)
        raise CatalogueError(
            f"{source}: not valid YAML{where}" + (f": {problem}" if problem else "")
        ) from None
    return _Reader(source).catalogue(data)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> CatalogueError:
        return CatalogueError(f"{self.source}: {where}: {problem}")

    def catalogue(self, data: Any) -> Catalogue:
        if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
            raise self.fail("top level", "expected a mapping with a list under `actions:`")
        unknown = set(data) - {"actions", "guardrails"}
        if unknown:
            raise self.fail(
                "top level", f"unknown section(s) {', '.join(sorted(map(str, unknown)))}"
            )
        guardrails = self.guardrails(data.get("guardrails") or {})
        raw: dict[str, dict[str, Any]] = {}
        for position, item in enumerate(data["actions"], start=1):
            action_id = self.action_id(item, position)
            if action_id in raw:
                raise self.fail(
                    f"action {action_id!r}", "duplicate id: each action needs its own id"
                )
            raw[action_id] = item
        if not raw:
            raise self.fail("actions", "the catalogue has no action")
        rules = {i: self.rule(i, item.get("rule"), set(raw)) for i, item in raw.items()}
        resolved = self.resolve(rules)
        actions = [self.action(i, item, resolved[i]) for i, item in raw.items()]
        return Catalogue(tuple(sorted(actions, key=ranking_key)), guardrails, self.source)

    def guardrails(self, data: Any) -> GuardrailSettings:
        known = {f.name: f.type for f in fields(GuardrailSettings)}
        if not isinstance(data, dict):
            raise self.fail("guardrails", "expected a mapping such as `max_contacts: 3`")
        for key, value in data.items():
            if key not in known:
                raise self.fail(f"guardrails.{key}", f"unknown setting (known: {', '.join(known)})")
            if not _number(value) or value < 0:
                raise self.fail(f"guardrails.{key}", f"{value!r} is not a number ≥ 0")
        return GuardrailSettings(**data)

    def action_id(self, item: Any, position: int) -> str:
        if not isinstance(item, dict):
            raise self.fail(f"action #{position}", "expected a mapping with id, label, kind...")
        action_id = item.get("id")
        if not isinstance(action_id, str) or not ACTION_ID.match(action_id):
            raise self.fail(
                f"action #{position}, field id",
                f"{action_id!r} is not an id (lower-case letters, digits and _)",
            )
        if action_id == "none":
            raise self.fail(f"action #{position}, field id", "'none' is kept for no action")
        if action_id in FEATURE_TYPES:
            raise self.fail(f"action {action_id!r}, field id", "is the name of a feature")
        return action_id

    def rule(self, action_id: str, text: Any, ids: set[str]) -> Rule:
        where = f"action {action_id!r}, field rule"
        if isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            raise self.fail(where, f'{text!r} is not a rule; write one such as "clv > 500"')
        try:
            return parse_rule(text, FEATURE_TYPES, references=ids)
        except RuleError as error:
            at = f" at column {error.column}" if error.column else ""
            raise self.fail(where, f"{error.message}{at} in {text!r}") from None

    def resolve(self, rules: dict[str, Rule]) -> dict[str, Rule]:
        """Put referenced actions' rules in place; refuse cycles and contradictions."""
        resolved: dict[str, Rule] = {}

        def visit(action_id: str, path: list[str]) -> Rule:
            if action_id in resolved:
                return resolved[action_id]
            if action_id in path:
                cycle = " → ".join([*path[path.index(action_id) :], action_id])
                raise self.fail(f"action {path[0]!r}, field rule", f"circular reference: {cycle}")
            rule = rules[action_id]
            names = referenced_names(rule) & set(rules)
            inner = {n: visit(n, [*path, action_id]) for n in names}
            resolved[action_id] = substitute(rule, inner) if inner else rule
            return resolved[action_id]

        for action_id in rules:
            visit(action_id, [])
        for action_id, rule in resolved.items():
            problem = contradiction(rule.tree)
            if problem:
                raise self.fail(f"action {action_id!r}, field rule", f"{problem} ({rule.source!r})")
        return resolved

    def action(self, action_id: str, item: dict[str, Any], rule: Rule) -> Action:
        where = f"action {action_id!r}"
        unknown = set(item) - set(ACTION_FIELDS)
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(fields: {', '.join(ACTION_FIELDS)})")  # fmt: skip
        for name in ACTION_FIELDS:
            if name not in item:
                raise self.fail(f"{where}, field {name}", "missing")
        kind = self.choice(where, "kind", item["kind"], KINDS)
        channel = self.choice(where, "channel", item["channel"], CHANNELS)
        consent = self.choice(where, "consent", item["consent"], (*PURPOSES, "none"))
        if consent == "none" and kind not in SERVICE_KINDS:
            raise self.fail(
                f"{where}, field consent",
                f"a {kind} action needs a consent purpose ({', '.join(PURPOSES)}); "
                "only service recovery may use none",
            )
        if (kind == "no_action") != (channel == "none"):
            raise self.fail(f"{where}, field channel", "channel none is for no_action, and only it")
        benefit = self.benefit(where, item["benefit"])
        if kind != "no_action" and benefit.amount <= 0:
            raise self.fail(
                f"{where}, field benefit.amount",
                f"{benefit.amount:g}: an action must serve the customer (amount > 0)",
            )
        values = {}
        for name in ("business_value", "cost"):
            if not _number(item[name]):
                raise self.fail(f"{where}, field {name}", f"{item[name]!r} is not a number")
            values[name] = float(item[name])
        return Action(
            id=action_id,
            label=self.texts(f"{where}, field label", item["label"]),
            kind=kind,
            rule=rule,
            benefit=benefit,
            business_value=values["business_value"],
            cost=values["cost"],
            channel=channel,
            consent=consent,
        )

    def choice(self, where: str, name: str, value: Any, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(f"{where}, field {name}", f"unknown {name} {value!r} (use one of "
                            f"{', '.join(allowed)})")  # fmt: skip
        return str(value)

    def texts(self, where: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected fr and en texts, got {value!r}")
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{where}.{language}", "missing text")
        extra = set(value) - set(LANGUAGES)
        if extra:
            raise self.fail(where, f"unknown language(s) {', '.join(sorted(map(str, extra)))}")
        return {language: str(value[language]).strip() for language in LANGUAGES}

    def benefit(self, where: str, value: Any) -> Benefit:
        if not isinstance(value, dict):
            raise self.fail(f"{where}, field benefit", "expected amount, unit and explanation")
        for name in ("amount", "unit", "explanation"):
            if name not in value:
                raise self.fail(f"{where}, field benefit.{name}", "missing")
        if not _number(value["amount"]) or value["amount"] < 0:
            raise self.fail(
                f"{where}, field benefit.amount", f"{value['amount']!r} is not a number ≥ 0"
            )
        unit = self.choice(where, "benefit.unit", value["unit"], UNITS)
        explanation = self.texts(f"{where}, field benefit.explanation", value["explanation"])
        return Benefit(float(value["amount"]), unit, explanation)
