"""Warnings where productivity looks better while what the customer gets is worse.

Two comparisons, each tested, with the Benjamini–Hochberg adjustment over every outcome test
of the scorecard so that many teams and KPIs do not make false alarms likely:

* **peers**: a team against the other teams of its channel taken together. It is *more
  productive* when its average handle time is at least ``margin`` (10%) below theirs, or its
  contacts per agent at least ``margin`` above; an outcome is *worse* when it is lower (higher for
  the complaint rate) with an adjusted p-value below ``alpha`` (two-proportion z-test).
* **trend**: a group against itself, the latest period against the one before (``period`` of
  the KPI table): handle time down by at least ``margin`` while an outcome fell, tested the same
  way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.voice.intervals import benjamini_hochberg, share_difference_test

#: Outcome shares: (KPI, successes column, trials column, higher is better).
OUTCOMES: tuple[tuple[str, str, str, bool], ...] = (
    ("fcr", "fcr_resolved", "fcr_n", True),
    ("csat", "csat_satisfied", "csat_n", True),
    ("easy", "ces_easy", "ces_n", True),
    ("retention", "retained", "retention_n", True),
    ("complaints", "complaints", "handled", False),
)
LABELS = {
    "fcr": ("first-contact resolution", "résolution au premier contact"),
    "csat": ("satisfied customers (CSAT)", "clients satisfaits (CSAT)"),
    "easy": ("easy contacts (CES)", "contacts faciles (CES)"),
    "retention": ("customers who ordered again", "clients qui ont recommandé"),
    "complaints": ("complaints per contact", "réclamations par contact"),
}
COLUMNS = [
    "group",
    "comparison",
    "kpi",
    "value",
    "reference",
    "aht_s",
    "reference_aht_s",
    "p_value",
    "q_value",
    "message_en",
    "message_fr",
]


@dataclass(frozen=True)
class WarningSettings:
    """How much better productivity and how sure the worse outcome must be to warn."""

    margin: float = 0.10
    alpha: float = 0.05
    min_answers: int = 30

    def checked(self) -> WarningSettings:
        if not 0 < self.margin < 1:
            raise InvalidParameterError(f"margin must be between 0 and 1, not {self.margin}")
        if not 0 < self.alpha < 1:
            raise InvalidParameterError(f"alpha must be between 0 and 1, not {self.alpha}")
        return self


def _pooled(rows: pd.DataFrame) -> pd.Series:
    """Sums of counts and the contact-weighted handle time of several groups."""
    counts = rows[[c for _, s, n, _ in OUTCOMES for c in (s, n)]].sum().astype(float)
    counts = counts[~counts.index.duplicated()]
    handled = rows["handled"].sum()
    counts["aht_s"] = (rows["aht_s"] * rows["handled"]).sum() / handled if handled else np.nan
    agents = rows["handled"] / rows["contacts_per_agent"]
    known = rows["contacts_per_agent"].notna().all() and len(rows) > 0
    counts["contacts_per_agent"] = handled / agents.sum() if known else np.nan
    return counts


def _candidates(
    group: str, comparison: str, own: pd.Series, other: pd.Series, settings: WarningSettings
) -> list[dict[str, object]]:
    """One test row per outcome when ``own`` is more productive than ``other``."""
    faster = own["aht_s"] <= (1 - settings.margin) * other["aht_s"]
    busier = own.get("contacts_per_agent", np.nan) >= (1 + settings.margin) * other.get(
        "contacts_per_agent", np.nan
    )
    if not (faster or busier):
        return []
    rows = []
    for kpi, successes, trials, higher_better in OUTCOMES:
        if min(own[trials], other[trials]) < settings.min_answers:
            continue
        test = share_difference_test(other[successes], other[trials], own[successes], own[trials])
        change = float(test.change)
        worse = change < 0 if higher_better else change > 0
        rows.append(
            {
                "group": group,
                "comparison": comparison,
                "kpi": kpi,
                "value": own[successes] / own[trials],
                "reference": other[successes] / other[trials],
                "aht_s": own["aht_s"],
                "reference_aht_s": other["aht_s"],
                "p_value": float(test.p_value) if worse else 1.0,
            }
        )
    return rows


def _messages(row: pd.Series) -> tuple[str, str]:
    english, french = LABELS[row["kpi"]]
    scale = 1000 if row["kpi"] == "complaints" else 100
    unit_en = " per 1,000" if scale == 1000 else "%"
    unit_fr = " pour 1 000" if scale == 1000 else " %"
    value, reference = scale * row["value"], scale * row["reference"]
    if row["comparison"] == "peers":
        return (
            f"{row['group']}: handles contacts in {row['aht_s']:.0f} s (peers "
            f"{row['reference_aht_s']:.0f} s) but {english} is {value:.0f}{unit_en} "
            f"(peers {reference:.0f}{unit_en}).",
            f"{row['group']} : traite les contacts en {row['aht_s']:.0f} s (pairs "
            f"{row['reference_aht_s']:.0f} s) mais {french} : {value:.0f}{unit_fr} "
            f"(pairs {reference:.0f}{unit_fr}).",
        )
    return (
        f"{row['group']}: handle time fell from {row['reference_aht_s']:.0f} s to "
        f"{row['aht_s']:.0f} s while {english} went from {reference:.0f}{unit_en} to "
        f"{value:.0f}{unit_en}.",
        f"{row['group']} : la durée de traitement est passée de {row['reference_aht_s']:.0f} s "
        f"à {row['aht_s']:.0f} s pendant que {french} passait de {reference:.0f}{unit_fr} à "
        f"{value:.0f}{unit_fr}.",
    )


def scorecard_warnings(
    kpis: pd.DataFrame, by: str = "team", settings: WarningSettings | None = None
) -> pd.DataFrame:
    """Warnings from a KPI table (:func:`emptychair.scorecard.kpis.kpi_table`).

    Parameters
    ----------
    kpis : pandas.DataFrame
        The KPI table; with one period ("all") only the peer comparison is made, with several
        the trend from the period before the latest to the latest is tested too.
    by : {"team", "channel"}
        The grouping column of ``kpis``. Peers are the other teams of the same ``channel``;
        channels have no peers, only trends.
    settings : WarningSettings, optional

    Returns
    -------
    pandas.DataFrame
        One row per warning: ``group``, ``comparison`` ("peers" or "trend"), ``kpi``,
        ``value`` and ``reference`` (shares), handle times, ``p_value``, ``q_value`` (adjusted)
        and a sentence in English and French.
    """
    chosen = (settings or WarningSettings()).checked()
    if by not in kpis.columns:
        raise InvalidParameterError(f"the KPI table has no column {by!r}")
    periods = sorted(kpis["period"].unique())
    whole = {name: _pooled(rows) for name, rows in kpis.groupby(by, sort=True)}
    candidates: list[dict[str, object]] = []
    if by == "team" and "channel" in kpis.columns:
        channel_of = kpis.drop_duplicates(by).set_index(by)["channel"]
        for team, own in whole.items():
            peers = [t for t, c in channel_of.items() if c == channel_of[team] and t != team]
            if peers:
                other = _pooled(kpis[kpis[by].isin(peers)])
                candidates += _candidates(str(team), "peers", own, other, chosen)
    if len(periods) > 1:
        first, last = periods[-2], periods[-1]
        for group, rows in kpis.groupby(by, sort=True):
            before, after = rows[rows["period"] == first], rows[rows["period"] == last]
            if len(before) and len(after):
                candidates += _candidates(
                    str(group), "trend", _pooled(after), _pooled(before), chosen
                )
    return _adjusted(candidates, chosen)


def _adjusted(candidates: Sequence[dict[str, object]], settings: WarningSettings) -> pd.DataFrame:
    if not candidates:
        return pd.DataFrame(columns=COLUMNS)
    tests = pd.DataFrame(candidates)
    tests["q_value"] = benjamini_hochberg(tests["p_value"].to_numpy(dtype=float))
    found = tests[tests["q_value"] < settings.alpha].copy()
    if found.empty:
        return pd.DataFrame(columns=COLUMNS)
    messages = found.apply(_messages, axis=1, result_type="expand")
    found["message_en"], found["message_fr"] = messages[0], messages[1]
    return found[COLUMNS].sort_values(["q_value", "group"]).reset_index(drop=True)
