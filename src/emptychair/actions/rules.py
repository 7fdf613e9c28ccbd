"""Eligibility rules: a small, safe expression language over customer features.

A rule is a Python expression read with :mod:`ast` and checked against a whitelist::

    clv > 500 and p_alive < 0.5
    open_complaints > 0
    "delivery" in negative_themes
    segment in ["champions", "loyal"] and not consent_phone
    0 < last_nps <= 6

Allowed: ``and``, ``or``, ``not``; comparisons ``== != < <= > >=`` (chained too),
``in`` / ``not in`` with a list of constants or with a list feature; feature names,
numbers, quoted text, ``True`` and ``False``. Nothing else: no calls, attributes,
subscripts, arithmetic or lambdas, so a catalogue cannot run code.

The same checked tree is compiled two ways with the same three-valued logic as SQL: to an
Ibis boolean expression (:meth:`Rule.to_ibis`) so that decisions for millions of
customers run in the engine, and to a Python evaluation for one customer
(:meth:`Rule.evaluate`). A feature that is missing (NULL, e.g. no value run yet) makes the
comparisons using it unknown, and a rule that ends unknown is not met.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.actions.rule_checking import RuleChecker, RuleError

#: The types a feature can have in a rule.
FEATURE_TYPES = ("number", "text", "boolean", "text_list")

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOLS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
Constant = int | float | str | bool


@dataclass(frozen=True)
class RulePart:
    """One condition of a rule's top-level conjunction and how it came out for a customer."""

    text: str
    result: bool | None
    values: dict[str, Any] = field(default_factory=dict)

    def describe(self, language: str = "en") -> str:
        """``clv > 500`` is false (clv = 120.5); in French with ``language="fr"``."""
        words = _WORDS.get(language, _WORDS["en"])
        shown = ", ".join(f"{k} = {_shown(v, words)}" for k, v in self.values.items())
        state = words[str(self.result)]
        return f"{self.text} {state}" + (f" ({shown})" if shown else "")


_WORDS = {
    "en": {"True": "is true", "False": "is false", "None": "is unknown", "missing": "missing"},
    "fr": {"True": "est vrai", "False": "est faux", "None": "est inconnu", "missing": "manquant"},
}


def _shown(value: Any, words: Mapping[str, str]) -> str:
    if value is None:
        return words["missing"]
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return repr(value)


@dataclass(frozen=True)
class Rule:
    """A checked rule: its text, its tree and the features it reads.

    Build one with :func:`parse_rule`; compile it with :meth:`to_ibis` or evaluate it
    for one customer with :meth:`evaluate`.
    """

    source: str
    tree: ast.expr
    features: frozenset[str]

    def to_ibis(self, table: ir.Table) -> ir.BooleanValue:
        """The rule as a boolean column of ``table`` (never NULL: unknown is false)."""
        return _to_ibis(self.tree, table).fill_null(False)

    def evaluate(self, features: Mapping[str, Any]) -> bool:
        """Whether one customer (a mapping of feature values, None when missing) meets it."""
        return _evaluate(self.tree, features) is True

    def failed_parts(self, features: Mapping[str, Any]) -> list[RulePart]:
        """The conditions of the top-level ``and`` that are false or unknown for a customer."""
        failed = []
        for part in conjuncts(self.tree):
            result = _evaluate(part, features)
            if result is not True:
                names = sorted(_names(part))
                values = {n: plain_value(features.get(n)) for n in names}
                failed.append(RulePart(ast.unparse(part), result, values))
        return failed


def parse_rule(
    text: str,
    features: Mapping[str, str],
    references: Iterable[str] = (),
) -> Rule:
    """Read and check a rule.

    Parameters
    ----------
    text
        The rule, e.g. ``"clv > 500 and p_alive < 0.5"``.
    features
        The known features and their types (see :data:`FEATURE_TYPES`).
    references
        Other names the rule may use as a whole condition (the ids of other actions,
        whose rules are put in their place by :func:`substitute`).

    Raises
    ------
    RuleError
        With the column of the problem: a syntax error, a construct outside the
        language, an unknown name or a comparison between incompatible types.
    """
    if not isinstance(text, str) or not text.strip():
        raise RuleError("the rule is empty; write a condition such as `clv > 500`")
    text = text.strip()
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        if not error.offset:
            raise RuleError("syntax error: the rule ends too early", len(text) + 1) from None
        raise RuleError(f"syntax error: {error.msg}", error.offset) from None
    RuleChecker(features, frozenset(references)).condition(tree)
    return Rule(text, tree, frozenset(_names(tree) & set(features)))


def substitute(rule: Rule, rules: Mapping[str, Rule]) -> Rule:
    """``rule`` with each name in ``rules`` replaced by that rule's tree (one level)."""

    class Replace(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return rules[node.id].tree if node.id in rules else node

    tree = Replace().visit(_copy(rule.tree))
    names = set().union(*(rules[n].features for n in _names(rule.tree) if n in rules))
    return Rule(rule.source, tree, frozenset((rule.features | names) - set(rules)))


def referenced_names(rule: Rule) -> set[str]:
    """Every bare name in the rule (features and references)."""
    return _names(rule.tree)


def conjuncts(tree: ast.expr) -> list[ast.expr]:
    """The conditions of a top-level ``and`` (the tree itself when it is not one)."""
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
        return [part for value in tree.values for part in conjuncts(value)]
    return [tree]


# -- evaluation ------------------------------------------------------------------------------


def constant(node: ast.expr) -> Any:
    """The value of a constant node (a number, text, boolean or list of them)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        number = node.operand.value
        assert isinstance(number, int | float)
        return -number
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [constant(item) for item in node.elts]
    raise TypeError(f"not a constant: {ast.unparse(node)}")


def _value(node: ast.expr, features: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return plain_value(features.get(node.id))
    return constant(node)


def _evaluate(node: ast.expr, features: Mapping[str, Any]) -> bool | None:
    if isinstance(node, ast.BoolOp):
        results = [_evaluate(v, features) for v in node.values]
        decisive = isinstance(node.op, ast.Or)
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, features)
        return None if inner is None else not inner
    if isinstance(node, ast.Name | ast.Constant):
        value = _value(node, features)
        return None if value is None else bool(value)
    assert isinstance(node, ast.Compare)
    results = []
    left = _value(node.left, features)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _value(right_node, features)
        if left is None or right is None:
            results.append(None)
        elif isinstance(op, ast.In | ast.NotIn):
            found = left in right
            results.append(found if isinstance(op, ast.In) else not found)
        else:
            results.append(bool(_COMPARE[type(op)](left, right)))
        left = right
    if False in results:
        return False
    return None if None in results else True


def _operand(node: ast.expr, table: ir.Table) -> Any:
    if isinstance(node, ast.Name):
        return table[node.id]
    value = constant(node)
    return value if isinstance(value, list) else ibis.literal(value)


def _to_ibis(node: ast.expr, table: ir.Table) -> ir.BooleanValue:
    if isinstance(node, ast.BoolOp):
        parts = [_to_ibis(v, table) for v in node.values]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if isinstance(node.op, ast.And) else (combined | part)
        return combined
    if isinstance(node, ast.UnaryOp):
        return ~_to_ibis(node.operand, table)
    if isinstance(node, ast.Name):
        column: ir.BooleanValue = table[node.id]
        return column
    if isinstance(node, ast.Constant):
        return ibis.literal(bool(node.value))
    assert isinstance(node, ast.Compare)
    results = []
    left_node = node.left
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        left, right = _operand(left_node, table), _operand(right_node, table)
        if isinstance(op, ast.In | ast.NotIn):
            found = left.isin(right) if isinstance(right, list) else right.contains(left)
            results.append(found if isinstance(op, ast.In) else ~found)
        else:
            results.append(_COMPARE[type(op)](left, right))
        left_node = right_node
    combined = results[0]
    for result in results[1:]:
        combined = combined & result
    return combined


# -- helpers -----------------------------------------------------------------------------------


def _names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _copy(tree: ast.expr) -> ast.expr:
    return ast.parse(ast.unparse(tree), mode="eval").body


def plain_value(value: Any) -> Any:
    """A feature value as Python: None for NULL/NaN, lists as lists."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def symbol(op: ast.cmpop) -> str:
    """The text of a comparison operator."""
    return _SYMBOLS[type(op)]
