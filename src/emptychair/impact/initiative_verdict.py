"""What a measured initiative says: the effect, its money, a verdict in French or English,
and a chart of both groups over time.

The verdict follows the evidence in this order: when the pre-trend check finds the groups
already drifting apart before the start, the estimate is called not trustworthy whatever
its value; otherwise an interval that leaves out zero is a measured effect (in the intended
direction or not), and one that includes zero is no measurable effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from emptychair.impact.did import DidEstimate
from emptychair.impact.initiative_panels import Kpi

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_WORDS = {
    "en": {
        "up": "raised",
        "down": "lowered",
        "intended": "as intended",
        "opposite": "the opposite of what was intended",
        "interval": "{level}% interval",
        "period": "period",
    },
    "fr": {
        "up": "augmenté",
        "down": "diminué",
        "intended": "comme voulu",
        "opposite": "à l'inverse de l'effet voulu",
        "interval": "intervalle à {level} %",
        "period": "période",
    },
}


def number(value: float, language: str) -> str:
    """A number rounded for reading: ``1 234``, ``12.3``, ``0.42`` (``0,42`` in French)."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    text = f"{value:,.{digits}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "\u2212")


def _checked_language(language: str) -> str:
    if language not in _WORDS:
        from emptychair.errors import InvalidParameterError

        raise InvalidParameterError(f"language {language!r}: use fr or en")
    return language


@dataclass(frozen=True)
class InitiativeMeasurement:
    """The measured effect of one initiative.

    Attributes
    ----------
    initiative : dict
        The initiative as recorded.
    kpi : Kpi
        What was measured.
    period_days : int
        Length of a period.
    windows : (int, int)
        Periods before the start (negative) and after it.
    estimate : DidEstimate
        The difference-in-differences estimate, its interval and the four cell means.
    pre_trend : DidEstimate or None
        The placebo estimate on the pre-period (``None`` when it could not be made).
    trend : DataFrame
        ``treated``, ``period``, ``mean``, ``observations``: the KPI of each group in each
        period, for the chart.
    currency : str or None
        The currency of the money effect (revenue KPIs only).
    """

    initiative: dict[str, Any]
    kpi: Kpi
    period_days: int
    windows: tuple[int, int]
    level: float
    estimate: DidEstimate
    pre_trend: DidEstimate | None
    trend: pd.DataFrame
    currency: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def means(self) -> pd.DataFrame:
        """The pre and post means of the KPI per group (``group``, ``window``, ``mean``,
        ``observations``, ``units``)."""
        return self.estimate.cells

    @property
    def pre_trends_differ(self) -> bool:
        return self.pre_trend is not None and self.pre_trend.significant

    @property
    def treated_customers(self) -> int:
        cells = self.estimate.cells
        return int(
            cells.loc[(cells["group"] == "treated") & (cells["window"] == "post"), "units"].iloc[0]
        )

    @property
    def money_effect(self) -> tuple[float, float, float] | None:
        """The effect in money over the post window (estimate, low, high): the effect per
        customer and period times the targeted customers and the periods after the start.
        ``None`` for KPIs that have no link to money."""
        if self.kpi.name != "revenue_per_customer":
            return None
        scale = self.treated_customers * self.windows[1]
        est = self.estimate
        return est.estimate * scale, est.low * scale, est.high * scale

    def verdict(self, language: str = "en") -> str:
        """The result in one or two sentences a director can read."""
        words = _WORDS[_checked_language(language)]
        est = self.estimate
        label = self.kpi.label_fr if language == "fr" else self.kpi.label_en
        level = f"{self.level * 100:g}"
        interval = words["interval"].format(
            level=level.replace(".", ",") if language == "fr" else level
        )

        def show(value: float) -> str:
            return number(value, language)

        if self.pre_trend is not None and self.pre_trends_differ:
            drift = self.pre_trend
            drift_unit = self._unit(language, drift.estimate)
            if language == "fr":
                return (
                    f"Les tendances diffèrent avant le lancement : le groupe ciblé s'écartait "
                    f"déjà du groupe de comparaison ({show(drift.estimate)} {drift_unit} "
                    f"[{show(drift.low)} ; {show(drift.high)}]). L'estimation "
                    f"({show(est.estimate)}) n'est pas fiable."
                )
            return (
                f"Pre-trends differ: before the start the targeted group was already drifting "
                f"from the comparison group ({show(drift.estimate)} {drift_unit} "
                f"[{show(drift.low)}; {show(drift.high)}]). The estimate "
                f"({show(est.estimate)}) is not trustworthy."
            )
        sep = " ; " if language == "fr" else "; "
        unit = self._unit(language, est.estimate)
        if not est.significant:
            if language == "fr":
                return (
                    f"Pas d'effet mesurable sur {label} : {show(est.estimate)} "
                    f"{unit} [{show(est.low)}{sep}{show(est.high)}] "
                    f"({interval}), un intervalle qui contient zéro."
                )
            return (
                f"No measurable effect on {label}: {show(est.estimate)} {unit} "
                f"[{show(est.low)}{sep}{show(est.high)}] ({interval}), an interval that "
                "includes zero."
            )
        moved = "up" if est.estimate > 0 else "down"
        size, low, high = (
            (est.estimate, est.low, est.high)
            if moved == "up"
            else (-est.estimate, -est.high, -est.low)
        )
        wanted = words["intended"] if moved == self.initiative["direction"] else words["opposite"]
        subject = "L'initiative a" if language == "fr" else "The initiative"
        by = "de" if language == "fr" else "by"
        text = (
            f"{subject} {words[moved]} {label} {by} {show(size)} {self._unit(language, size)} "
            f"[{show(low)}{sep}{show(high)}] ({interval}), {wanted}."
        )
        money = self.money_effect
        if money is not None:
            total, money_low, money_high = money
            if language == "fr":
                text += (
                    f" Soit {show(total)} {self.currency} sur les {self.windows[1]} périodes "
                    f"suivant le lancement [{show(money_low)} ; {show(money_high)}]."
                )
            else:
                text += (
                    f" That is {show(total)} {self.currency} over the {self.windows[1]} periods "
                    f"after the start [{show(money_low)}; {show(money_high)}]."
                )
        elif language == "fr":
            text += " Cet indicateur n'est pas traduit en argent."
        else:
            text += " This KPI is not translated into money."
        return text

    def _unit(self, language: str, value: float = 2.0) -> str:
        unit = self.kpi.unit_fr if language == "fr" else self.kpi.unit_en
        if self.kpi.name == "revenue_per_customer":
            week = self.period_days == 7
            if language == "fr":
                period = "semaine" if week else f"période de {self.period_days} jours"
                return f"{self.currency} par client et par {period}".strip()
            period = "week" if week else f"{self.period_days}-day period"
            return f"{self.currency} per customer per {period}".strip()
        plural = abs(value) >= 2 if language == "fr" else abs(value) != 1
        if not plural:
            return unit
        first, _, rest = unit.partition(" ")
        return f"{first}s {rest}".strip() if language == "fr" else f"{unit}s"

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        money = self.money_effect
        return {
            "initiative": self.initiative,
            "kpi": self.kpi.name,
            "period_days": self.period_days,
            "periods_before": -self.windows[0],
            "periods_after": self.windows[1],
            "level": self.level,
            "effect": self.estimate.to_dict(),
            "pre_trend": self.pre_trend.to_dict() if self.pre_trend else None,
            "pre_trends_differ": self.pre_trends_differ,
            "money": (
                {"currency": self.currency, "estimate": money[0], "low": money[1], "high": money[2]}
                if money
                else None
            ),
            "means": self.means.to_dict("records"),
            "verdict": self.verdict(language),
            "notes": self.notes,
        }

    def chart(self, language: str = "en") -> dict[str, Any]:
        """A Vega-Lite spec: the KPI of both groups per period, with the start marked."""
        _checked_language(language)
        start = pd.Timestamp(self.initiative["start"])
        frame = self.trend.copy()
        frame["period_start"] = [
            (start + pd.Timedelta(days=int(p) * self.period_days)).strftime("%Y-%m-%d")
            for p in frame["period"]
        ]
        names = {"en": ("targeted", "comparison"), "fr": ("ciblé", "comparaison")}[language]
        frame["group"] = np.where(frame["treated"].astype(bool), names[0], names[1])
        values = frame[["period_start", "group", "mean", "observations"]].to_dict("records")
        title = (
            f"{self.initiative['name']} : {self.kpi.label_fr} par groupe"
            if language == "fr"
            else f"{self.initiative['name']}: {self.kpi.label_en} per group"
        )
        x = {"field": "period_start", "type": "temporal", "title": _WORDS[language]["period"]}
        return {
            "$schema": SCHEMA,
            "title": title,
            "width": 520,
            "height": 260,
            "layer": [
                {
                    "data": {"values": values},
                    "mark": {"type": "line", "point": True, "tooltip": True},
                    "encoding": {
                        "x": x,
                        "y": {"field": "mean", "type": "quantitative", "title": self.kpi.name},
                        "color": {"field": "group", "type": "nominal", "title": None},
                    },
                },
                {
                    "data": {"values": [{"start": start.strftime("%Y-%m-%d")}]},
                    "mark": {"type": "rule", "strokeDash": [4, 4]},
                    "encoding": {"x": {"field": "start", "type": "temporal"}},
                },
            ],
        }
