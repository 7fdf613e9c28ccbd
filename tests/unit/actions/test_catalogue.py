"""The action catalogue: the default one, and bad files with errors naming what is wrong."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from emptychair.actions.catalogue import (
    CatalogueError,
    catalogue_path,
    default_catalogue_file,
    load_catalogue,
    parse_catalogue,
)
from emptychair.actions.guardrails import GuardrailSettings

ACTION: dict[str, Any] = {
    "id": "thanks",
    "label": {"fr": "Merci", "en": "Thanks"},
    "kind": "thanks",
    "rule": "clv > 100",
    "benefit": {"amount": 10, "unit": "score", "explanation": {"fr": "Reconnu.", "en": "Seen."}},
    "business_value": 5,
    "cost": 1,
    "channel": "email",
    "consent": "email",
}


def _text(*actions: dict[str, Any], **top: Any) -> str:
    return yaml.safe_dump({"actions": list(actions), **top}, allow_unicode=True)


def _action(**changes: Any) -> dict[str, Any]:
    action = copy.deepcopy(ACTION)
    for key, value in changes.items():
        if value is None:
            action.pop(key)
        else:
            action[key] = value
    return action


def test_the_default_catalogue_ranks_service_recovery_first_and_doing_nothing_last() -> None:
    catalogue = load_catalogue(default_catalogue_file())
    ids = [a.id for a in catalogue.actions]
    assert ids[0] == "complaint_follow_up"
    assert ids[-1] == "leave_alone"
    kinds = {a.kind for a in catalogue.actions}
    assert kinds == {"service_recovery", "advice", "thanks", "retention", "offer", "no_action"}
    benefits = [a.benefit.amount for a in catalogue.actions]
    assert benefits == sorted(benefits, reverse=True)
    assert catalogue.guardrails == GuardrailSettings()
    cross_sell = catalogue.action("cross_sell")
    assert cross_sell.required_consents == ("profiling", "email")


def test_ties_in_benefit_are_ranked_by_value_net_of_cost() -> None:
    low = _action(id="low", business_value=10, cost=8)
    high = _action(id="high", business_value=10, cost=1)
    catalogue = parse_catalogue(_text(low, high))
    assert [a.id for a in catalogue.actions] == ["high", "low"]


def test_a_workspace_file_replaces_the_default(tmp_path: Path) -> None:
    assert catalogue_path(tmp_path) == default_catalogue_file()
    (tmp_path / "actions.yaml").write_text(_text(ACTION), encoding="utf-8")
    assert catalogue_path(tmp_path) == tmp_path / "actions.yaml"
    assert load_catalogue(catalogue_path(tmp_path)).source == str(tmp_path / "actions.yaml")


def test_rules_may_name_other_actions() -> None:
    base = _action(id="valuable", rule="clv > 100")
    derived = _action(id="valuable_and_alive", rule="valuable and p_alive > 0.5")
    catalogue = parse_catalogue(_text(base, derived))
    rule = catalogue.action("valuable_and_alive").rule
    assert rule.features == {"clv", "p_alive"}
    assert rule.evaluate({"clv": 200.0, "p_alive": 0.6})
    assert not rule.evaluate({"clv": 50.0, "p_alive": 0.6})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _text(_action(rule="clv > 5 and fees > 2")),
            "actions.yaml: action 'thanks', field rule: unknown feature 'fees'",
        ),
        (
            _text(_action(rule="clv > > 5")),
            "action 'thanks', field rule: syntax error: invalid syntax at column 7 in 'clv > > 5'",
        ),
        (_text(_action(kind="upsell")), "action 'thanks', field kind: unknown kind 'upsell'"),
        (_text(_action(channel="fax")), "action 'thanks', field channel: unknown channel 'fax'"),
        (
            _text(_action(consent="spam")),
            "action 'thanks', field consent: unknown consent 'spam'",
        ),
        (_text(ACTION, ACTION), "action 'thanks': duplicate id"),
        (_text(_action(label={"fr": "Merci"})), "action 'thanks', field label.en: missing text"),
        (_text(_action(label=None)), "action 'thanks', field label: missing"),
        (
            _text(_action(rule="clv > 10 and clv < 5")),
            "action 'thanks', field rule: no customer can meet `clv > 10 and clv < 5`",
        ),
        (
            _text(_action(id="a", rule="b and clv > 1"), _action(id="b", rule="a")),
            "field rule: circular reference: a → b → a",
        ),
        (_text(_action(rule="thanks")), "circular reference: thanks → thanks"),
        (
            _text(_action(kind="offer", consent="none")),
            "field consent: a offer action needs a consent purpose",
        ),
        (
            _text(
                _action(
                    benefit={
                        "amount": 0,
                        "unit": "score",
                        "explanation": ACTION["benefit"]["explanation"],
                    }
                )
            ),
            "field benefit.amount: 0: an action must serve the customer",
        ),
        (
            _text(
                _action(
                    benefit={
                        "amount": 5,
                        "unit": "points",
                        "explanation": ACTION["benefit"]["explanation"],
                    }
                )
            ),
            "field benefit.unit: unknown benefit.unit 'points'",
        ),
        (_text(_action(cost="cheap")), "field cost: 'cheap' is not a number"),
        (_text(_action(colour="red")), "action 'thanks': unknown field(s) colour"),
        (_text(_action(id="Thanks!")), "action #1, field id: 'Thanks!' is not an id"),
        (_text(_action(id="clv")), "field id: is the name of a feature"),
        (_text(ACTION, guardrails={"max_contact": 3}), "guardrails.max_contact: unknown setting"),
        (_text(ACTION, guardrails={"quiet_days": -1}), "guardrails.quiet_days: -1 is not a number"),
        (
            "actions: [\n  - id: x\n  bad",
            "actions.yaml: not valid YAML (line 2, column 3): expected",
        ),
        ("actions: []", "actions: the catalogue has no action"),
        ("- a list", "top level: expected a mapping"),
    ],
)
def test_bad_catalogues_are_refused_with_a_named_error(text: str, message: str) -> None:
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(text, "actions.yaml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("actions.yaml: ")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"missing\.yaml: cannot read the catalogue"):
        load_catalogue(tmp_path / "missing.yaml")
