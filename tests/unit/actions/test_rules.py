"""The rule language: what it accepts, what it refuses (with the column), how it evaluates."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import pytest

from emptychair.actions.consistency import contradiction
from emptychair.actions.rules import RuleError, parse_rule

FEATURES = {
    "clv": "number",
    "p_alive": "number",
    "segment": "text",
    "negative_themes": "text_list",
    "consent_email": "boolean",
    "last_nps": "number",
    "open_complaints": "number",
}
SCHEMA = ibis.schema(
    {
        "clv": "float64",
        "p_alive": "float64",
        "segment": "string",
        "negative_themes": "array<string>",
        "consent_email": "boolean",
        "last_nps": "float64",
        "open_complaints": "float64",
    }
)
CUSTOMERS: list[dict[str, Any]] = [
    {"clv": 600.0, "p_alive": 0.3, "segment": "champions", "negative_themes": ["delivery"],
     "consent_email": True, "last_nps": 5.0, "open_complaints": 1.0},
    {"clv": 100.0, "p_alive": 0.9, "segment": "lost", "negative_themes": [],
     "consent_email": False, "last_nps": None, "open_complaints": 0.0},
    {"clv": None, "p_alive": None, "segment": None, "negative_themes": None,
     "consent_email": False, "last_nps": 9.0, "open_complaints": 0.0},
]  # fmt: skip


def _batch(text: str) -> list[bool]:
    rule = parse_rule(text, FEATURES)
    table = ibis.memtable(pd.DataFrame(CUSTOMERS), schema=SCHEMA)
    return [bool(v) for v in table.select(met=rule.to_ibis(table)).execute()["met"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clv > 500 and p_alive < 0.5", [True, False, False]),
        ("open_complaints > 0", [True, False, False]),
        ('"delivery" in negative_themes', [True, False, False]),
        ('"delivery" not in negative_themes', [False, True, False]),
        ('segment == "champions"', [True, False, False]),
        ('segment in ["champions", "lost"]', [True, True, False]),
        ("last_nps <= 6", [True, False, False]),
        ("not consent_email", [False, True, True]),
        ("0 < last_nps <= 6", [True, False, False]),
        # Missing values make a comparison unknown; `or` with a true side is still true.
        ("clv > 500 or last_nps >= 9", [True, False, True]),
        ("not (clv > 500)", [False, True, False]),
        ("clv >= -5 and True", [True, True, False]),
    ],
)
def test_rules_give_the_same_answer_in_the_engine_and_for_one_customer(
    text: str, expected: list[bool]
) -> None:
    rule = parse_rule(text, FEATURES)
    assert [rule.evaluate(c) for c in CUSTOMERS] == expected
    assert _batch(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("clv >", "syntax error", 6),
        ("clv > > 3", "syntax error", 7),
        ("clv > 5 and foo < 2", "unknown feature 'foo'", 13),
        ("len(segment) > 2", "a function call is not allowed", 1),
        ("clv.real > 2", "an attribute is not allowed", 1),
        ("clv + 1 > 2", "arithmetic is not allowed", 1),
        ("__import__('os')", "a function call is not allowed", 1),
        ("clv > 'a'", "cannot compare clv (number) with 'a' (text)", 7),
        ('segment > "a"', "text values can only be compared with == or !=", 1),
        ("clv", "'clv' is a number feature, not a condition", 1),
        ("1 < 2", "at least one feature", 1),
        ("negative_themes == 'x'", "a list feature can only be used with `in`", 1),
        ("clv is None", "`is` is not allowed", 1),
        ('segment in ["a", 1]', "1 is not a text like 'segment'", 18),
        ("", "the rule is empty", 0),
    ],
)
def test_bad_rules_are_refused_with_the_column(text: str, message: str, column: int) -> None:
    with pytest.raises(RuleError) as raised:
        parse_rule(text, FEATURES)
    assert message in raised.value.message
    assert raised.value.column == column


def test_the_failed_parts_name_the_values_that_failed() -> None:
    rule = parse_rule("clv > 500 and p_alive < 0.5 and open_complaints == 0", FEATURES)
    failed = rule.failed_parts(CUSTOMERS[0])
    assert [p.describe() for p in failed] == ["open_complaints == 0 is false (open_complaints = 1)"]
    failed = rule.failed_parts(CUSTOMERS[2])
    assert [p.text for p in failed] == ["clv > 500", "p_alive < 0.5"]
    assert failed[0].describe("fr") == "clv > 500 est inconnu (clv = manquant)"


@pytest.mark.parametrize(
    ("text", "contradictory"),
    [
        ("clv > 10 and clv < 5", True),
        ("clv >= 5 and clv <= 5", False),
        ("clv > 5 and clv <= 5", True),
        ("5 < clv and clv < 5", True),
        ('segment == "a" and segment == "b"', True),
        ('segment in ["a", "b"] and segment != "a"', False),
        ('segment in ["a", "b"] and segment not in ["a", "b"]', True),
        ("consent_email and not consent_email", True),
        ("(clv > 10 and clv < 5) or last_nps > 8", False),
        ("(clv > 10 and clv < 5) or (last_nps > 8 and last_nps < 2)", True),
        ("clv > 10 and (clv < 5 or p_alive > 0.5)", False),
        ("not (clv > 5) and clv > 6", False),  # not narrowed: the analysis is conservative
        ("False", True),
    ],
)
def test_contradictions_are_found_by_interval_analysis(text: str, contradictory: bool) -> None:
    rule = parse_rule(text, FEATURES)
    assert (contradiction(rule.tree) is not None) == contradictory
