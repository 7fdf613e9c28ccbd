"""RFM scores and named segments, and CLV tiers that say when a customer's tier is uncertain.

RFM scoring ranks customers on three habits: how recently they bought (R), how often (F) and
how much they spent (M). The named segments turn the scores into groups a marketing team can
act on ("champions", "at risk", ...). CLV tiers group customers by their predicted lifetime
value, and flag the customers whose interval is too wide to be sure of their tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.value.features import require_columns


@dataclass(frozen=True)
class Segment:
    """A named RFM segment: its name (as in the ``segment`` column), French label, meaning."""

    name: str
    label_fr: str
    description: str


SEGMENTS: tuple[Segment, ...] = (
    Segment("champions", "Champions", "Bought recently, buy often and spend the most."),
    Segment("loyal", "Fidèles", "Buy often and spend well, even if not in the last few days."),
    Segment("potential loyalists", "Fidèles potentiels", "Recent customers with a few purchases."),
    Segment("new", "Nouveaux", "Bought very recently, but rarely and little so far."),
    Segment("promising", "Prometteurs", "Bought fairly recently, but rarely and little so far."),
    Segment("need attention", "À surveiller", "Middling recency, frequency and spend."),
    Segment("about to sleep", "Sur le point de s'endormir", "Slipping away after few purchases."),
    Segment("at risk", "À risque", "Used to buy often and spend well, but not for a long time."),
    Segment("can't lose them", "À ne pas perdre", "Were among the best, gone for a long time."),
    Segment("hibernating", "En sommeil", "Last bought long ago, rarely and little."),
    Segment("lost", "Perdus", "The longest gone, with the fewest purchases and the lowest spend."),
)

# Rows: R score 5 (most recent) down to 1; columns: FM score 1 to 5.
_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential loyalists", "potential loyalists", "champions", "champions"),
    4: ("promising", "potential loyalists", "potential loyalists", "loyal", "loyal"),
    3: ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at risk", "at risk", "can't lose them"),
    1: ("lost", "hibernating", "at risk", "at risk", "can't lose them"),
}

_SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value", "total_spend")


def _quantile_score(table: ir.Table, column: str, bins: int, higher_is_better: bool) -> ir.Value:
    value = table[column]
    worse_first = value if higher_is_better else value.desc()
    strictly_worse = ibis.rank().over(order_by=worse_first)
    customers = table["customer_id"].count().over()
    return (strictly_worse * bins / customers).floor().cast("int64") + 1


def rfm_scores(summary: ir.Table, bins: int = 5, monetary_column: str = "total_spend") -> ir.Table:
    """Add ``r_score``, ``f_score``, ``m_score`` (1 to ``bins``, higher is better) and ``rfm_cell``.

    Each score is a quantile bin over all customers of the summary:

    .. math:: \\text{score} = 1 + \\lfloor \\text{bins} \\cdot w / n \\rfloor

    where :math:`w` is the number of customers strictly worse than this one and :math:`n` the
    number of customers. Customers with distinct values fall into bins of equal size (as with
    ``ntile``). **Ties share a score**: equal values always get the same score, the one of the
    first customer of the tie, so a large tie (e.g. every one-time buyer has ``frequency`` 0)
    stays in one bin and some higher scores may then be empty. The result does not depend on
    row order.

    Parameters
    ----------
    summary : ibis.expr.types.Table
        One row per customer, from ``emptychair.value.features.rfm_summary``.
    bins : int, default 5
        Number of score levels, 2 to 9 (so that ``rfm_cell`` has one digit per score).
    monetary_column : str, default "total_spend"
        The spend M is scored on. ``total_spend`` by default, because ``monetary_value`` is 0
        for every one-time buyer and would repeat the frequency score.

    Returns
    -------
    ibis.expr.types.Table
        The summary with ``time_since_last_purchase`` (``T - recency``, in the summary's time
        unit, e.g. weeks; shorter is better, so it sets R), ``r_score``, ``f_score``,
        ``m_score`` and ``rfm_cell`` (e.g. ``"545"``).
    """
    if not isinstance(bins, int) or not 2 <= bins <= 9:
        raise InvalidParameterError(f"bins must be a whole number from 2 to 9, not {bins!r}.")
    require_columns(summary, [*_SUMMARY_COLUMNS, monetary_column], "RFM summary")
    table = summary.mutate(time_since_last_purchase=summary["T"] - summary["recency"])
    table = table.mutate(
        r_score=_quantile_score(table, "time_since_last_purchase", bins, higher_is_better=False),
        f_score=_quantile_score(table, "frequency", bins, higher_is_better=True),
        m_score=_quantile_score(table, monetary_column, bins, higher_is_better=True),
    )
    return table.mutate(
        rfm_cell=table["r_score"].cast("string")
        + table["f_score"].cast("string")
        + table["m_score"].cast("string")
    )


def _on_five_point_scale(score: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    return ((score - 0.5) * 5 / bins).floor().cast("int64") + 1


def rfm_segments(
    summary: ir.Table, bins: int = 5, monetary_column: str = "total_spend"
) -> ir.Table:
    """Add the RFM scores, ``fm_score`` and the named ``segment`` of each customer.

    ``fm_score`` is the mean of F and M rounded half up, :math:`\\lceil (F + M) / 2 \\rceil`.
    The segment is read from the widely used R × FM grid below; each of its 25 cells names
    one segment, so every customer gets exactly one (descriptions in :data:`SEGMENTS`).

    ====  ==============  ===================  ===================  ==========  ===============
    R     FM = 1          FM = 2               FM = 3               FM = 4      FM = 5
    ====  ==============  ===================  ===================  ==========  ===============
    5     new             potential loyalists  potential loyalists  champions   champions
    4     promising       potential loyalists  potential loyalists  loyal       loyal
    3     about to sleep  about to sleep       need attention       loyal       loyal
    2     hibernating     hibernating          at risk              at risk     can't lose them
    1     lost            hibernating          at risk              at risk     can't lose them
    ====  ==============  ===================  ===================  ==========  ===============

    With ``bins`` other than 5, R and FM are placed on the grid by the middle of their bin
    (score :math:`s` becomes :math:`1 + \\lfloor 5 (s - 0.5) / \\text{bins} \\rfloor`; with 3
    bins, 1, 2, 3 become 1, 3, 5).

    Takes the arguments of :func:`rfm_scores` and returns its table with ``fm_score`` (1 to
    ``bins``) and ``segment``.
    """
    table = rfm_scores(summary, bins=bins, monetary_column=monetary_column)
    fm_score = ((table["f_score"] + table["m_score"] + 1) / 2).floor().cast("int64")
    grid_key = _on_five_point_scale(table["r_score"], bins) * 10
    grid_key += _on_five_point_scale(fm_score, bins)
    names = {r * 10 + fm: name for r, row in _GRID.items() for fm, name in enumerate(row, 1)}
    segment = grid_key.substitute(names, else_=ibis.null("string"))
    return table.mutate(fm_score=fm_score, segment=segment)


def segment_summary(table: ir.Table) -> pd.DataFrame:
    """Size, revenue and typical habits of each segment, in the order of :data:`SEGMENTS`.

    Parameters
    ----------
    table : ibis.expr.types.Table
        The result of :func:`rfm_segments`.

    Returns
    -------
    pandas.DataFrame
        One row per segment (empty segments included, with 0 customers): ``segment``,
        ``label_fr``, ``customers``, ``share_of_customers``, ``revenue`` (sum of
        ``total_spend``), ``share_of_revenue``, ``mean_time_since_last_purchase``,
        ``mean_frequency`` and ``mean_monetary_value`` (missing for empty segments).
    """
    needed = ["segment", "total_spend", "time_since_last_purchase", "frequency", "monetary_value"]
    require_columns(table, needed, "segmented table (build it with rfm_segments)")
    per_segment = table.group_by("segment").aggregate(
        customers=table.count(),
        revenue=table["total_spend"].sum(),
        mean_time_since_last_purchase=table["time_since_last_purchase"].mean(),
        mean_frequency=table["frequency"].mean(),
        mean_monetary_value=table["monetary_value"].mean(),
    )
    found = per_segment.to_pandas().set_index("segment")
    result = found.reindex([segment.name for segment in SEGMENTS])
    result["customers"] = result["customers"].fillna(0).astype("int64")
    result["revenue"] = result["revenue"].fillna(0.0).astype("float64")
    for column, total in (
        ("customers", result["customers"].sum()),
        ("revenue", result["revenue"].sum()),
    ):
        result[f"share_of_{column}"] = result[column] / total if total else 0.0
    result["label_fr"] = [segment.label_fr for segment in SEGMENTS]
    result = result.rename_axis("segment").reset_index()
    columns = ["segment", "label_fr", "customers", "share_of_customers", "revenue"]
    columns += ["share_of_revenue", "mean_time_since_last_purchase", "mean_frequency"]
    return result[[*columns, "mean_monetary_value"]]


@dataclass(frozen=True)
class ClvTiers:
    """CLV tiers of every customer and how sure each tier is.

    Attributes
    ----------
    customers : ibis.expr.types.Table
        The CLV table with ``tier`` and ``tier_uncertain`` added.
    thresholds : pandas.DataFrame
        ``tier``, ``quantile`` and ``threshold``: a customer is in the tier (or above) when its
        CLV is strictly greater than the threshold.
    summary : pandas.DataFrame
        Per tier, lowest first: ``customers``, ``share_of_customers``, ``clv`` (sum),
        ``share_of_clv``, ``uncertain_customers`` and ``uncertain_share`` (of the tier).
    uncertain_share : float
        Share of all customers whose tier is uncertain.
    """

    customers: ir.Table
    thresholds: pd.DataFrame
    summary: pd.DataFrame
    uncertain_share: float


def _tier_number(value: ir.NumericValue, thresholds: Sequence[float]) -> ir.IntegerValue:
    above = [(value > threshold).cast("int64") for threshold in thresholds]
    return sum(above[1:], above[0])


def clv_tiers(
    clv: ir.Table | pd.DataFrame,
    edges: Sequence[float] = (0.5, 0.8, 0.95),
    names: Sequence[str] = ("low", "medium", "high", "top"),
) -> ClvTiers:
    """Tier customers by point CLV, and mark tiers that the CLV interval does not settle.

    The thresholds are the quantiles ``edges`` of the point CLV over all customers (computed by
    the engine; interpolated on DuckDB). The tier of a value :math:`v` is the number of
    thresholds strictly below it: with the defaults, "low" is the bottom half (up to and
    including the median), "medium" up to the 80th percentile, "high" up to the 95th and
    "top" the 5 % above it. A customer's tier is **uncertain** when ``clv_lower`` and
    ``clv_upper`` fall in different tiers, i.e. the interval crosses a threshold; it is
    missing when either bound is missing.

    Parameters
    ----------
    clv : ibis.expr.types.Table or pandas.DataFrame
        One row per customer with ``customer_id``, ``clv``, ``clv_lower`` and ``clv_upper``.
    edges : sequence of float, default (0.5, 0.8, 0.95)
        Increasing quantiles strictly between 0 and 1.
    names : sequence of str, default ("low", "medium", "high", "top")
        One name per tier, lowest first: one more than ``edges``.

    Returns
    -------
    ClvTiers
    """
    edges, names = list(edges), list(names)
    if not edges or any(not 0 < edge < 1 for edge in edges) or edges != sorted(set(edges)):
        raise InvalidParameterError(
            f"edges must be increasing quantiles strictly between 0 and 1, not {edges!r}."
        )
    if len(names) != len(edges) + 1 or len(set(names)) != len(names):
        raise InvalidParameterError(
            f"names must hold {len(edges) + 1} distinct tier names (one more than edges), "
            f"not {names!r}."
        )
    table = ibis.memtable(clv) if isinstance(clv, pd.DataFrame) else clv
    require_columns(table, ["customer_id", "clv", "clv_lower", "clv_upper"], "CLV table")
    quantiles = table.aggregate(
        customers=table.count(),
        **{f"q{i}": table["clv"].quantile(edge) for i, edge in enumerate(edges)},
    ).to_pandas()
    if quantiles.loc[0, "customers"] == 0:
        raise ModelDataError("The CLV table is empty; there is nothing to tier.")
    thresholds = [float(quantiles.loc[0, f"q{i}"]) for i in range(len(edges))]
    tier_names = dict(enumerate(names))
    lower_tier = _tier_number(table["clv_lower"], thresholds)
    upper_tier = _tier_number(table["clv_upper"], thresholds)
    tiered = table.mutate(
        tier=_tier_number(table["clv"], thresholds).substitute(
            tier_names, else_=ibis.null("string")
        ),
        tier_uncertain=lower_tier != upper_tier,
    )
    counts = (
        tiered.group_by("tier")
        .aggregate(
            customers=tiered.count(),
            clv=tiered["clv"].sum(),
            uncertain_customers=tiered["tier_uncertain"].cast("int64").sum(),
            inverted=(tiered["clv_lower"] > tiered["clv_upper"]).cast("int64").sum(),
        )
        .to_pandas()
        .set_index("tier")
    )
    if counts["inverted"].sum() > 0:
        raise ModelDataError(
            f"{int(counts['inverted'].sum())} customers have clv_lower above clv_upper; "
            "check the CLV interval columns."
        )
    summary = counts.reindex(names).drop(columns="inverted").fillna(0)
    summary = summary.astype({"customers": "int64", "uncertain_customers": "int64"})
    summary.insert(1, "share_of_customers", summary["customers"] / summary["customers"].sum())
    total_clv = summary["clv"].sum()
    summary.insert(3, "share_of_clv", summary["clv"] / total_clv if total_clv else float("nan"))
    summary["uncertain_share"] = summary["uncertain_customers"] / summary["customers"].where(
        summary["customers"] > 0
    )
    return ClvTiers(
        customers=tiered,
        thresholds=pd.DataFrame({"tier": names[1:], "quantile": edges, "threshold": thresholds}),
        summary=summary.rename_axis("tier").reset_index(),
        uncertain_share=float(summary["uncertain_customers"].sum() / summary["customers"].sum()),
    )
