"""What the repeat-purchase models share: their data, time scale and predictions.

BG/NBD, MBG/NBD and Pareto/NBD all read ``frequency``, ``recency`` and ``T``, carry the
time unit in their rate parameters, and predict purchases as P(alive) times the
purchases of an active customer, which depend on ``x`` and ``T`` only. CLV uses that
split (:meth:`PurchaseModel.expected_purchases_parts`) to stay fast on millions of
customers.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from emptychair.errors import ModelDataError
from emptychair.value.models.base import CustomerValueModel, Params
from emptychair.value.models.inputs import (
    Compressed,
    SummaryData,
    check_integer,
    check_not_after,
    row_label,
    summary_columns,
)

COLUMNS = ("frequency", "recency", "T")


class PurchaseModel(CustomerValueModel):
    """Base of the models of repeat purchases in continuous time.

    Data: columns ``frequency`` (repeat purchases), ``recency`` (time from the first to
    the last purchase, 0 without repeat purchase) and ``T`` (time from the first purchase
    to the end of observation), in one time unit.
    """

    def _statistics(self, data: SummaryData) -> dict[str, np.ndarray]:
        x, t_x, T = purchase_summary(data)
        return {"x": x, "t_x": t_x, "T": T}

    def _check_support(self, data: Compressed) -> None:
        x, T, counts = data.columns["x"], data.columns["T"], data.counts
        if not (counts[T > 0].sum() > 0):
            raise ModelDataError(
                "every customer has T = 0 (all purchases on the cut-off day): there is no "
                "time of observation to learn purchase rates from; choose a later cut-off"
            )
        if not (counts[x > 0].sum() > 0):
            raise ModelDataError(
                "no customer has a repeat purchase: purchase rates and dropout cannot be "
                "told apart; purchase models need repeat buyers (frequency > 0)"
            )

    def _data_scale(self, columns: dict[str, np.ndarray]) -> float:
        """Times are divided by a tenth of the longest observation: they run from 0 to 10."""
        longest = float(np.max(columns["T"], initial=0.0))
        return longest / 10 if longest > 0 else 1.0

    def _rescale(self, columns: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
        return {"x": columns["x"], "t_x": columns["t_x"] / scale, "T": columns["T"] / scale}

    def _prepare(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The distinct frequencies and the customers behind each: the terms of the
        likelihood that depend on ``x`` alone are computed once per distinct value."""
        unique_x, x_index = np.unique(data["x"], return_inverse=True)
        x_weight = np.bincount(x_index, weights=data["_weight"], minlength=len(unique_x))
        return {**data, "unique_x": unique_x, "x_index": x_index, "x_weight": x_weight}

    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.array(start) for start in ([1.0, 1.0, 1.0, 1.0], [0.5, 5.0, 0.5, 2.0])]

    # -- predictions ----------------------------------------------------------------

    @abstractmethod
    def probability_alive(self, data: SummaryData, params: Params = None) -> np.ndarray:
        """Probability that each customer is still active at the end of their ``T``."""

    @abstractmethod
    def expected_purchases_parts(
        self, data: SummaryData, t: float | np.ndarray, params: Params = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The two factors of :meth:`expected_purchases`: log P(alive) of each row, and
        the purchases expected of an active customer, ``(pairs, len(t))``, for each
        distinct ``(x, T)`` pair, with the pair of each row."""

    @abstractmethod
    def expected_purchases_new_customer(
        self, t: float | np.ndarray, params: Params = None
    ) -> np.ndarray:
        """Expected repeat purchases in ``t`` of a customer who has just made a first one."""

    def expected_purchases(
        self, data: SummaryData, t: float | np.ndarray, params: Params = None
    ) -> np.ndarray:
        """Expected repeat purchases of each customer in the next ``t`` time units.

        ``t`` may be one horizon (result ``(n,)``) or a 1-D array of horizons (result
        ``(n, len(t))``). The formula of each model is in its class documentation.
        """
        log_alive, curve, codes = self.expected_purchases_parts(data, t, params)
        expected = np.exp(log_alive)[:, None] * curve[codes]
        return expected[:, 0] if np.ndim(t) == 0 else expected


def purchase_summary(data: SummaryData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frequency, recency and T of each customer, checked.

    Recency must not exceed T, frequency must be whole, and recency must be 0 when
    frequency is 0: a positive value there usually means that recency was measured from
    the last purchase to the cut-off instead of from the first purchase to the last.
    """
    columns = summary_columns(data, COLUMNS)
    check_integer("frequency", columns["frequency"], data)
    check_not_after("recency", "T", columns, data)
    x, t_x, T = columns["frequency"], columns["recency"], columns["T"]
    stray = (x == 0) & (t_x > 0)
    if stray.any():
        row = int(np.argmax(stray))
        raise ModelDataError(
            f"row {row_label(data, row)}: recency {t_x[row]:g} with frequency 0; recency is "
            "the time from the first to the last purchase, so it is 0 for customers without "
            "repeat purchases (was it measured back from the cut-off?)"
        )
    return x, t_x, T


def check_horizons(t: float | np.ndarray) -> np.ndarray:
    """Horizons as a row vector; a clear error for negative or missing ones."""
    horizons = np.atleast_1d(np.asarray(t, dtype=np.float64))
    if horizons.ndim != 1 or not np.all(np.isfinite(horizons)) or np.any(horizons < 0):
        raise ModelDataError(f"horizons must be finite numbers of 0 or more, got {t}")
    return horizons[None, :]
