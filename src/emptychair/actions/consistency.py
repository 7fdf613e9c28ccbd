"""Rules no customer can meet, found by interval analysis of conjunctions.

Within one ``and``, each comparison of a feature with a constant narrows what the feature
may be: an interval for numbers (``clv > 10 and clv < 5`` leaves nothing), a set of
allowed values for text and booleans (``segment == "a" and segment == "b"``). A
conjunction whose narrowing leaves some feature nothing is contradictory; an ``or`` is
contradictory when every branch is. The analysis is conservative: it never calls a rule
contradictory unless it is, but it does not find every contradiction (conditions under
``not`` or between two features are not narrowed).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

from emptychair.actions.rules import conjuncts, constant


@dataclass
class _Range:
    low: float = -math.inf
    low_open: bool = False
    high: float = math.inf
    high_open: bool = False
    excluded: set[Any] = field(default_factory=set)
    allowed: set[Any] | None = None

    def above(self, value: float, strict: bool) -> None:
        if value > self.low or (value == self.low and strict):
            self.low, self.low_open = value, strict

    def below(self, value: float, strict: bool) -> None:
        if value < self.high or (value == self.high and strict):
            self.high, self.high_open = value, strict

    def only(self, values: set[Any]) -> None:
        self.allowed = values if self.allowed is None else self.allowed & values

    def empty(self) -> bool:
        if self.allowed is not None:
            return not any(self.admits(v) for v in self.allowed - self.excluded)
        if self.low > self.high:
            return True
        if self.low == self.high:
            return self.low_open or self.high_open or self.low in self.excluded
        return False

    def admits(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        low_ok = value > self.low or (value == self.low and not self.low_open)
        high_ok = value < self.high or (value == self.high and not self.high_open)
        return low_ok and high_ok


_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.Gt,
    ast.LtE: ast.GtE,
    ast.Gt: ast.Lt,
    ast.GtE: ast.LtE,
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
}


def _narrow(ranges: dict[str, _Range], name: str, op: ast.cmpop, value: Any) -> None:
    bounds = ranges.setdefault(name, _Range())
    if isinstance(op, ast.Eq):
        bounds.only({value})
    elif isinstance(op, ast.NotEq):
        bounds.excluded.add(value)
    elif isinstance(op, ast.In):
        bounds.only(set(value))
    elif isinstance(op, ast.NotIn):
        bounds.excluded.update(value)
    elif isinstance(op, ast.Gt | ast.GtE):
        bounds.above(value, isinstance(op, ast.Gt))
    elif isinstance(op, ast.Lt | ast.LtE):
        bounds.below(value, isinstance(op, ast.Lt))


def _atoms(node: ast.expr) -> list[tuple[str, ast.cmpop, Any]] | None:
    """``(feature, operator, constant)`` narrowings of one condition, or None if it has none."""
    if isinstance(node, ast.Name):
        return [(node.id, ast.Eq(), True)]
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.Not)
        and isinstance(node.operand, ast.Name)
    ):
        return [(node.operand.id, ast.Eq(), False)]
    if not isinstance(node, ast.Compare):
        return None
    found = []
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        if isinstance(left, ast.Name) and not isinstance(right, ast.Name):
            found.append((left.id, op, constant(right)))
        elif (
            isinstance(right, ast.Name)
            and not isinstance(left, ast.Name)
            and type(op) in _FLIPPED  # `"x" in list_feature` does not narrow anything
        ):
            found.append((right.id, _FLIPPED[type(op)](), constant(left)))
        left = right
    return found


def satisfiable(node: ast.expr) -> bool:
    """False only when no customer can meet the condition (see the module docstring)."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return any(satisfiable(v) for v in node.values)
    if isinstance(node, ast.Constant):
        return bool(node.value)
    ranges: dict[str, _Range] = {}
    for part in conjuncts(node):
        atoms = _atoms(part)
        if atoms is None:
            # `or` branches are checked on their own; `not (...)` is not narrowed.
            if isinstance(part, ast.BoolOp | ast.Constant) and not satisfiable(part):
                return False
            continue
        for name, op, value in atoms:
            _narrow(ranges, name, op, value)
    return not any(bounds.empty() for bounds in ranges.values())


def contradiction(node: ast.expr) -> str | None:
    """A sentence saying why the condition cannot be met, or None."""
    if satisfiable(node):
        return None
    return f"no customer can meet `{ast.unparse(node)}`: its conditions contradict each other"
