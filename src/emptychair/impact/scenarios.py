"""What-if scenarios: a lever of the driver tree, a change, and who it reaches.

A scenario is written ``LEVER CHANGE [@SHARE] [in SEGMENT]``:

* ``LEVER``: a leaf of the tree (:data:`LEVERS`), or ``irritant:THEME`` for the negative
  mentions of a voice theme;
* ``CHANGE``: ``+5%`` / ``-10%`` (relative), ``+2pt`` (rate points, for rates), ``+1``
  (in the lever's unit: one more item per order, one more order per buyer, one more unit
  of currency per item...), or ``x0.5`` (a factor, e.g. to halve);
* ``@SHARE``: the change reaches only this share of the lever's population (``@5%``:
  5 % of the orders for ``items``, 5 % of the customers for ``retention``);
* ``in SEGMENT``: a customer-value segment (``at risk``), a tier (``tier:top``), or
  ``visitors`` (the buyers reached through the web/app funnel).

Examples: ``items+1@5% in visitors``, ``retention +2pt in at risk``,
``irritant:delivery x0.5``. A file (YAML or TOML) holds a list ``scenarios`` of
mappings with the same fields: ``lever``, ``change``, ``share``, ``segment``, ``name``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from emptychair.errors import InvalidParameterError

#: lever → (node of the tree, changes it accepts, whether a share makes sense).
LEVERS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "visitors": ("visitors", ("relative", "absolute"), False),
    "conversion": ("conversion", ("relative", "points"), True),
    "orders": ("orders_per_buyer", ("relative", "absolute"), True),
    "items": ("items_per_order", ("relative", "absolute"), True),
    "price": ("price_per_item", ("relative", "absolute"), True),
    "customers": ("customers", ("relative", "absolute"), False),
    "retention": ("retention", ("relative", "points"), True),
    "frequency": ("frequency", ("relative", "absolute"), True),
    "basket": ("basket", ("relative", "absolute"), True),
    "margin": ("margin_rate", ("relative", "points"), True),
    "irritant": ("retention", ("relative", "factor"), False),
}
ALIASES = {
    "conversion_rate": "conversion",
    "orders_per_buyer": "orders",
    "items_per_order": "items",
    "price_per_item": "price",
    "retention_rate": "retention",
    "margin_rate": "margin",
    "mentions": "irritant",
}
#: Levers whose population is the web/app visitors: not defined in a customer segment.
FUNNEL_LEVERS = ("visitors", "conversion")
VISITORS_SEGMENT = "visitors"

_PATTERN = re.compile(
    r"""^\s*(?P<lever>[A-Za-z_]+(?::[\w\-]+)?)\s*
    (?P<change>(?:[+\-]\s*[\d.]+\s*(?:%|pts?|points?)?)|(?:[x×*]\s*[\d.]+))\s*
    (?:@\s*(?P<share>[\d.]+)\s*%)?\s*
    (?:in\s+(?P<segment>.+?))?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
SYNTAX = "LEVER CHANGE [@SHARE] [in SEGMENT], e.g. 'items+1@5% in visitors'"


@dataclass(frozen=True)
class Scenario:
    """One change of one lever.

    Attributes
    ----------
    lever : str
        A key of :data:`LEVERS`.
    mode : str
        ``relative`` (``amount`` is a fraction: 0.05 for +5 %), ``points`` (``amount`` in
        rate points: 2 for +2 points), ``absolute`` (in the lever's unit) or ``factor``.
    amount : float
        The change.
    share : float
        Share of the lever's population the change reaches, in (0, 1].
    segment : str or None
        Who it applies to (see the module docstring); everyone when None.
    theme : str or None
        The voice theme of an ``irritant`` lever.
    name : str
        How the scenario was written, or its given name.
    """

    lever: str
    mode: str
    amount: float
    share: float = 1.0
    segment: str | None = None
    theme: str | None = None
    name: str = ""

    @property
    def node(self) -> str:
        return LEVERS[self.lever][0]

    @property
    def label(self) -> str:
        return self.name or describe(self)


def describe(scenario: Scenario) -> str:
    """The scenario in the syntax of :func:`parse_scenario`."""
    lever = f"irritant:{scenario.theme}" if scenario.lever == "irritant" else scenario.lever
    amount = scenario.amount
    change = {
        "relative": f"{amount * 100:+g}%",
        "points": f"{amount:+g}pt",
        "absolute": f"{amount:+g}",
        "factor": f"x{amount:g}",
    }[scenario.mode]
    share = f"@{scenario.share * 100:g}%" if scenario.share < 1 else ""
    segment = f" in {scenario.segment}" if scenario.segment else ""
    return f"{lever} {change}{share}{segment}"


def _change(text: str) -> tuple[str, float]:
    compact = re.sub(r"\s+", "", text.lower())
    if compact[0] in "x×*":
        return "factor", float(compact[1:])
    number = re.match(r"[+\-][\d.]+", compact)
    assert number is not None
    value, unit = float(number.group()), compact[number.end() :]
    if unit == "%":
        return "relative", value / 100
    if unit:
        return "points", value
    return "absolute", value


def _lever(text: str) -> tuple[str, str | None]:
    name, _, theme = text.strip().lower().partition(":")
    name = ALIASES.get(name, name)
    if name not in LEVERS:
        raise InvalidParameterError(
            f"unknown lever {text!r}: use one of {', '.join(LEVERS)} (irritant:THEME for a "
            "voice theme)"
        )
    if name == "irritant" and not theme:
        raise InvalidParameterError(
            f"lever {text!r} needs a theme: write irritant:THEME, e.g. irritant:delivery"
        )
    if name != "irritant" and theme:
        raise InvalidParameterError(f"lever {text!r}: only irritant takes a :THEME")
    return name, theme or None


def checked(scenario: Scenario) -> Scenario:
    """The scenario, after checking that its change makes sense for its lever."""
    node, modes, shared = LEVERS[scenario.lever]
    amount, mode, share = scenario.amount, scenario.mode, scenario.share
    where = f"scenario {scenario.label!r}"
    if mode not in modes:
        units = {"relative": "+5%", "points": "+2pt", "absolute": "+1", "factor": "x0.5"}
        raise InvalidParameterError(
            f"{where}: {scenario.lever} does not take a {mode} change; write it as "
            + " or ".join(f"{m} ({units[m]})" for m in modes)
        )
    if not amount == amount or amount in (float("inf"), float("-inf")):
        raise InvalidParameterError(f"{where}: the change is not a number")
    if (mode == "factor" and amount == 1) or (mode != "factor" and amount == 0):
        raise InvalidParameterError(f"{where}: this change leaves {node} as it is")
    if mode == "relative" and amount < -1:
        raise InvalidParameterError(f"{where}: a relative change cannot go below -100%")
    if mode == "relative" and amount == -1 and scenario.lever != "irritant":
        raise InvalidParameterError(
            f"{where}: -100% would remove every {node.replace('_', ' ')}; choose a smaller cut"
        )
    if mode == "factor" and amount < 0:
        raise InvalidParameterError(f"{where}: a factor must be 0 or more")
    if mode == "points" and abs(amount) > 100:
        raise InvalidParameterError(f"{where}: a rate moves by at most 100 points")
    if not 0 < share <= 1:
        raise InvalidParameterError(f"{where}: the share must lie in (0%, 100%], not {share:.0%}")
    if share < 1 and not shared:
        raise InvalidParameterError(
            f"{where}: a share applies to a rate or an average, not to {scenario.lever}; "
            "change the number instead"
        )
    if scenario.lever in FUNNEL_LEVERS and scenario.segment not in (None, VISITORS_SEGMENT):
        raise InvalidParameterError(
            f"{where}: visitors are anonymous until they buy, so {scenario.lever} has no "
            "customer segment; leave out 'in ...'"
        )
    return scenario


def parse_scenario(text: str) -> Scenario:
    """A scenario from its written form (see the module docstring)."""
    match = _PATTERN.match(text or "")
    if match is None:
        raise InvalidParameterError(f"cannot read the scenario {text!r}: write {SYNTAX}")
    lever, theme = _lever(match["lever"])
    try:
        mode, amount = _change(match["change"])
        share = float(match["share"]) / 100 if match["share"] else 1.0
    except ValueError:
        raise InvalidParameterError(f"cannot read the numbers of scenario {text!r}") from None
    segment = match["segment"].strip().strip("'\"") if match["segment"] else None
    return checked(Scenario(lever, mode, amount, share, segment or None, theme, text.strip()))


def scenario_from_mapping(entry: Mapping[str, Any], where: str = "scenario") -> Scenario:
    """A scenario from a mapping: ``lever``, ``change`` (e.g. ``"+5%"``), optional ``share``
    (``"5%"`` or 0.05), ``segment`` and ``name``."""
    unknown = set(entry) - {"lever", "change", "share", "segment", "name"}
    if unknown:
        raise InvalidParameterError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; use lever, change, "
            "share, segment, name"
        )
    if "lever" not in entry or "change" not in entry:
        raise InvalidParameterError(f"{where}: give at least a lever and a change")
    share = entry.get("share", 1.0)
    if isinstance(share, str):
        text = share.strip().rstrip("%")
        try:
            share = float(text) / 100 if share.strip().endswith("%") else float(text)
        except ValueError:
            raise InvalidParameterError(
                f"{where}: share {entry['share']!r} is not a number"
            ) from None
    change = str(entry["change"]).strip()
    if change and change[0].isdigit():
        change = "+" + change
    written = f"{entry['lever']} {change}"
    parsed = parse_scenario(written)
    return checked(
        Scenario(
            parsed.lever,
            parsed.mode,
            parsed.amount,
            float(share),
            entry.get("segment") or None,
            parsed.theme,
            str(entry.get("name") or ""),
        )
    )


def read_scenarios(path: str | Path) -> list[Scenario]:
    """Scenarios from a YAML or TOML file holding a list ``scenarios`` of mappings (a YAML
    file may also be the list itself, or a list of written scenarios)."""
    file = Path(path)
    if not file.is_file():
        raise InvalidParameterError(f"no scenario file {str(file)!r}")
    text = file.read_text(encoding="utf-8")
    try:
        content = tomllib.loads(text) if file.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as problem:
        raise InvalidParameterError(f"{file}: not valid YAML/TOML ({problem})") from None
    entries = content.get("scenarios") if isinstance(content, dict) else content
    if not isinstance(entries, list) or not entries:
        raise InvalidParameterError(f"{file}: expected a non-empty list 'scenarios'")
    return [_entry(entry, f"{file}, scenario {i}") for i, entry in enumerate(entries, start=1)]


def _entry(entry: Any, where: str) -> Scenario:
    if isinstance(entry, str):
        return parse_scenario(entry)
    if isinstance(entry, Mapping):
        return scenario_from_mapping(entry, where)
    raise InvalidParameterError(f"{where}: expected a mapping or a written scenario")


def as_scenarios(items: Iterable[Scenario | str | Mapping[str, Any]]) -> list[Scenario]:
    """Scenarios from objects, written forms or mappings (in any mix)."""
    found = [
        checked(item) if isinstance(item, Scenario) else _entry(item, f"scenario {i}")
        for i, item in enumerate(items, start=1)
    ]
    if not found:
        raise InvalidParameterError(f"give at least one scenario: {SYNTAX}")
    return found
