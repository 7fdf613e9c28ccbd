"""Checking a parsed rule: only the whitelisted constructs, known names, compatible types."""

from __future__ import annotations

import ast
from collections.abc import Mapping

#: The comparison operators a rule may use besides ``in`` and ``not in``.
ORDERINGS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


class RuleError(ValueError):
    """A rule that cannot be read; ``column`` is 1-based in the rule text (0: unknown)."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class RuleChecker:
    """Checks a parsed rule against the whitelist and the feature types."""

    def __init__(self, features: Mapping[str, str], references: frozenset[str]) -> None:
        self.features = features
        self.references = references

    def fail(self, node: ast.AST, message: str) -> RuleError:
        return RuleError(message, getattr(node, "col_offset", -1) + 1)

    def condition(self, node: ast.expr) -> None:
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.condition(value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.condition(node.operand)
        elif isinstance(node, ast.Compare):
            self.compare(node)
        elif isinstance(node, ast.Name):
            if node.id in self.references:
                return
            if self.operand_type(node) != "boolean":
                raise self.fail(
                    node,
                    f"{node.id!r} is a {self.features[node.id]} feature, not a condition; "
                    f"compare it, e.g. `{node.id} > 0`",
                )
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return
        else:
            raise self.fail(node, f"{_construct(node)} is not allowed in a rule")

    def compare(self, node: ast.Compare) -> None:
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                self.membership(left, op, right)
            elif isinstance(op, ORDERINGS):
                self.ordering(left, op, right)
            else:
                raise self.fail(node, f"the comparison {_construct(op)} is not allowed in a rule")
            left = right

    def ordering(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> None:
        types = (self.operand_type(left), self.operand_type(right))
        if not isinstance(left, ast.Name) and not isinstance(right, ast.Name):
            raise self.fail(left, "a comparison must involve at least one feature")
        kinds = {t.removeprefix("constant_") for t in types}
        if "text_list" in kinds:
            raise self.fail(left, "a list feature can only be used with `in`, e.g. "
                            '`"delivery" in negative_themes`')  # fmt: skip
        if len(kinds) != 1:
            raise self.fail(
                right,
                f"cannot compare {_describe(left, types[0])} with {_describe(right, types[1])}",
            )
        kind = kinds.pop()
        if kind in ("text", "boolean") and not isinstance(op, ast.Eq | ast.NotEq):
            raise self.fail(left, f"{kind} values can only be compared with == or !=")

    def membership(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> None:
        right_type = self.operand_type(right)
        left_type = self.operand_type(left)
        if right_type == "text_list":
            if left_type != "constant_text":
                raise self.fail(left, f"write quoted text before `in {ast.unparse(right)}`")
            return
        if right_type != "constant_list":
            raise self.fail(right, '`in` needs a list feature or a list such as ["a", "b"]')
        assert isinstance(right, ast.List | ast.Tuple | ast.Set)
        if not isinstance(left, ast.Name) or left_type not in ("number", "text"):
            raise self.fail(left, "write a number or text feature before `in [...]`")
        for item in right.elts:
            item_type = self.operand_type(item).removeprefix("constant_")
            if item_type != left_type:
                raise self.fail(item, f"{ast.unparse(item)} is not a {left_type} like {left.id!r}")

    def operand_type(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            if node.id in self.features:
                return self.features[node.id]
            if node.id in self.references:
                raise self.fail(node, f"{node.id!r} is an action: use it alone as a condition")
            known = ", ".join(sorted(self.features))
            raise self.fail(node, f"unknown feature {node.id!r} (known: {known})")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return "constant_boolean"
            if isinstance(node.value, int | float):
                return "constant_number"
            if isinstance(node.value, str):
                return "constant_text"
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
            and not isinstance(node.operand.value, bool)
        ):
            return "constant_number"
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            for item in node.elts:
                if not self.operand_type(item).startswith("constant_"):
                    raise self.fail(item, "a list in a rule holds constants only")
            return "constant_list"
        raise self.fail(node, f"{_construct(node)} is not allowed in a rule")


def _construct(node: ast.AST) -> str:
    names = {
        ast.Call: "a function call",
        ast.Attribute: "an attribute",
        ast.Subscript: "a subscript",
        ast.BinOp: "arithmetic",
        ast.Lambda: "a lambda",
        ast.IfExp: "an if-expression",
        ast.Is: "`is`",
        ast.IsNot: "`is not`",
    }
    return names.get(type(node), f"`{type(node).__name__}`")


def _describe(node: ast.expr, kind: str) -> str:
    return f"{ast.unparse(node)} ({kind.removeprefix('constant_')})"
