"""What every customer-value model shares: maximum-likelihood fitting on compressed
statistics, standard errors from the Hessian, a summary, parameter sampling and the
"not fitted" guard.

A model declares its parameters, the summary columns it reads, which parameters carry a
time (or money) unit, and its log-likelihood with the gradient. The base class does the
rest the same way for all:

* the data are checked (:mod:`emptychair.value.models.inputs`) and compressed to unique
  rows with counts;
* times (or amounts) are divided by a scale so that the optimiser works on numbers of
  order one, and parameters are optimised on the log scale, so they stay positive;
* L-BFGS-B runs from the model's starting points, keeps the best maximum, and a few
  Newton steps with the numerical Hessian of the analytic gradient polish it;
* the covariance of the log-parameters is the inverse of that Hessian; standard errors
  follow by the delta method.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy import optimize, stats

from emptychair.errors import (
    ConvergenceError,
    InvalidParameterError,
    ModelDataError,
    NotFittedError,
)
from emptychair.value.models.inputs import Compressed, SummaryData, compress, weights_of

#: Parameters passed to a prediction instead of the fitted ones.
Params = Sequence[float] | np.ndarray | None

LOG_BOUND = 25.0  # log-parameters stay in [-25, 25]: e^-25 ≈ 1e-11, e^25 ≈ 7e10


class CustomerValueModel(ABC):
    """Base class of the value models.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the (scaled) parameters, as in ``lifetimes``; 0 gives the plain
        maximum-likelihood estimate.
    tol : float, default 1e-10
        Gradient tolerance of the optimiser on the mean log-likelihood.
    max_iter : int, default 1000
        Iterations allowed per start.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates, named as in the papers.
    standard_errors_ : pandas.Series
        Asymptotic standard errors (delta method from the Hessian).
    covariance_ : pandas.DataFrame
        Covariance matrix of the estimates.
    log_likelihood_ : float
        Log-likelihood at the estimate, summed over customers.
    n_customers_ : int
        Customers (weights) the model was fitted on.
    diagnostics_ : dict
        Optimiser message, iterations, starts tried, gradient norm, Hessian condition.
    """

    #: Parameter names, in the order of the internal vector.
    parameter_names: ClassVar[tuple[str, ...]]
    #: Power of the data scale each parameter carries (1 for a time or money unit).
    scale_exponents: ClassVar[tuple[int, ...]]
    #: Whether identical rows are common enough to fit on the unique rows (counts of
    #: purchases and times in days repeat; mean amounts rarely do).
    compress_rows: ClassVar[bool] = True

    def __init__(self, penalizer: float = 0.0, tol: float = 1e-10, max_iter: int = 1000) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.max_iter = max_iter

    # -- what each model provides ---------------------------------------------------

    @abstractmethod
    def _statistics(self, data: SummaryData) -> dict[str, np.ndarray]:
        """Read and check the columns the model needs."""

    def _data_scale(self, columns: dict[str, np.ndarray]) -> float:
        """The unit to divide times (or amounts) by before fitting (1: no unit)."""
        return 1.0

    def _rescale(self, columns: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
        """The statistics expressed in the scaled unit."""
        return dict(columns)

    @abstractmethod
    def _log_likelihood(self, params: np.ndarray, data: dict[str, np.ndarray]) -> tuple[Any, Any]:
        """The log-likelihood and its gradient in the parameters: either per row, as
        arrays ``(n,)`` and ``(n, k)``, or already summed with the row weights
        ``data["_weight"]``, as a number and an array ``(k,)`` (faster on large data)."""

    @abstractmethod
    def _starting_points(self, data: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Starting parameters on the scaled data, best guess first."""

    def _check_support(self, data: Compressed) -> None:  # noqa: B027 - optional check
        """Raise :class:`ModelDataError` when the data cannot identify the model."""

    def _prepare(self, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Precompute what does not depend on the parameters (unique values...); the
        row weights are in ``data["_weight"]``."""
        return data

    # -- fitting --------------------------------------------------------------------

    def fit(self, data: SummaryData, *, weights: str | np.ndarray | None = None) -> Self:
        """Estimate the parameters by maximum likelihood.

        Parameters
        ----------
        data : DataFrame, Arrow table or mapping of arrays
            One row per customer (or per group of identical customers, with
            ``weights``) holding the columns the model reads.
        weights : str or array, optional
            Number of customers behind each row: a column name of ``data`` or an array.

        Returns
        -------
        self
        """
        self._check_settings()
        columns = self._statistics(data)
        rows = len(next(iter(columns.values())))
        if rows == 0:
            raise ModelDataError(f"{type(self).__name__}: the summary has no rows to fit on")
        row_weights = weights_of(data, weights, rows)
        packed = (
            compress(columns, row_weights)
            if self.compress_rows
            else Compressed(dict(columns), row_weights, np.arange(rows))
        )
        self._check_support(packed)
        scale = self._data_scale(packed.columns)
        scaled = self._prepare({**self._rescale(packed.columns, scale), "_weight": packed.counts})
        total = packed.customers
        best = self._maximise(scaled, total)
        log_params, info, hessian = self._polish(best.x, scaled, total)
        exponents = np.array(self.scale_exponents, dtype=np.float64)
        hessian = hessian * total
        covariance_log, positive = _inverse(hessian)
        log_params = log_params + exponents * np.log(scale)
        params = np.exp(log_params)
        covariance = covariance_log * np.outer(params, params)
        names = list(self.parameter_names)
        self.params_ = pd.Series(params, index=names, name="estimate")
        self.standard_errors_ = pd.Series(
            np.sqrt(np.clip(np.diag(covariance), 0, None)), index=names, name="standard_error"
        )
        self.covariance_ = pd.DataFrame(covariance, index=names, columns=names)
        self._covariance_log = covariance_log
        unscaled = self._prepare({**packed.columns, "_weight": packed.counts})
        self.log_likelihood_ = self._total(log_params, unscaled)
        self.n_customers_ = round(total)
        self.diagnostics_ = {
            **info,
            "message": str(best.message),
            "iterations": int(best.nit),
            "starts": best.starts,
            "unique_rows": len(packed.counts),
            "data_scale": scale,
            "hessian_positive_definite": positive,
            "hessian_condition": float(np.linalg.cond(hessian)) if positive else float("inf"),
        }
        if not positive:
            warnings.warn(
                f"{type(self).__name__}: the likelihood is flat in some direction at the "
                "estimate (a parameter at its bound?); standard errors are not reliable",
                stacklevel=2,
            )
        return self

    def _check_settings(self) -> None:
        if not (np.isfinite(self.penalizer) and self.penalizer >= 0):
            raise InvalidParameterError(f"penalizer must be 0 or more, got {self.penalizer}")

    def _weighted(
        self, params: np.ndarray, data: dict[str, np.ndarray]
    ) -> tuple[float, np.ndarray]:
        """Log-likelihood summed over customers, and its gradient."""
        values, gradient = self._log_likelihood(params, data)
        if np.ndim(values) == 0:
            return float(values), np.asarray(gradient)
        weight = data["_weight"]
        return dot(weight, values), np.einsum("i,ij->j", weight, gradient)

    def _objective(self, log_params: np.ndarray, data: dict[str, np.ndarray], total: float) -> Any:
        params = np.exp(log_params)
        with np.errstate(all="ignore"):
            loglik, gradient = self._weighted(params, data)
        value = -loglik / total + self.penalizer * float(params @ params)
        grad = -gradient / total + 2 * self.penalizer * params
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(log_params)
        return value, grad * params  # chain rule to the log scale

    def _total(self, log_params: np.ndarray, data: dict[str, np.ndarray]) -> float:
        return self._weighted(np.exp(log_params), data)[0]

    def _maximise(self, data: dict[str, np.ndarray], total: float) -> Any:
        best: Any = None
        tried = 0
        for start in self._starting_points(data):
            tried += 1
            with np.errstate(all="ignore"):
                result = optimize.minimize(
                    self._objective,
                    np.log(start),
                    args=(data, total),
                    jac=True,
                    method="L-BFGS-B",
                    bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
                    options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15},
                )
            if np.isfinite(result.fun) and (best is None or result.fun < best.fun - 1e-12):
                best = result
            if best is not None and best.success and _interior(best.x):
                break
        if best is None or not np.isfinite(best.fun):
            raise ConvergenceError(
                f"{type(self).__name__}: the likelihood could not be evaluated from any "
                "starting point; check the summary for extreme values"
            )
        best.starts = tried
        return best

    def _polish(
        self, log_params: np.ndarray, data: dict[str, np.ndarray], total: float
    ) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
        """Newton steps from the optimiser's answer with one Hessian (enough this close to
        the maximum), each kept only when it lowers the objective.

        Returns the point, diagnostics and the Hessian of the mean negative
        log-likelihood (which standard errors use)."""
        value, grad = self._objective(log_params, data, total)
        hessian = self._hessian(log_params, data)
        try:
            inverse = np.linalg.inv(hessian)
        except np.linalg.LinAlgError:
            inverse = None
        for _ in range(10 if inverse is not None else 0):
            if np.max(np.abs(grad)) < 1e-12:
                break
            candidate = np.clip(log_params - inverse @ grad, -LOG_BOUND, LOG_BOUND)
            new_value, new_grad = self._objective(candidate, data, total)
            if not (new_value <= value and np.max(np.abs(new_grad)) < np.max(np.abs(grad))):
                break
            log_params, value, grad = candidate, new_value, new_grad
        gradient_norm = float(np.max(np.abs(grad)))
        info = {
            "converged": bool(gradient_norm < 1e-6 and np.isfinite(value)),
            "gradient_norm": gradient_norm,
            "mean_negative_log_likelihood": float(value),
            "at_bound": not _interior(log_params),
        }
        if not info["converged"]:
            raise ConvergenceError(
                f"{type(self).__name__}: no maximum of the likelihood was found (gradient "
                f"{gradient_norm:.2g} at the best point); the data may not support this model"
            )
        return log_params, info, hessian

    def _hessian(self, log_params: np.ndarray, data: dict[str, np.ndarray]) -> np.ndarray:
        """Hessian of the mean negative log-likelihood on the log scale (central differences
        of the analytic gradient), symmetrised."""
        total = float(data["_weight"].sum())
        k = len(log_params)
        hessian = np.empty((k, k))
        for j in range(k):
            step = np.zeros(k)
            step[j] = 1e-5
            _, up = self._objective(log_params + step, data, total)
            _, down = self._objective(log_params - step, data, total)
            hessian[:, j] = (up - down) / 2e-5
        return (hessian + hessian.T) / 2

    # -- after fitting --------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(data) before "
                "asking for predictions"
            )

    def _params(self, params: Params = None) -> np.ndarray:
        if params is not None:
            return np.asarray(params, dtype=np.float64)
        self._check_fitted()
        return self.params_.to_numpy()

    @property
    def covariance_log_(self) -> np.ndarray:
        """Covariance of the log-parameters (what intervals and sampling use)."""
        self._check_fitted()
        return self._covariance_log

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Estimates, standard errors and ``level`` intervals (log-normal, so positive)."""
        self._check_fitted()
        z = stats.norm.ppf(0.5 + level / 2)
        log_se = np.sqrt(np.clip(np.diag(self._covariance_log), 0, None))
        frame = pd.DataFrame({"estimate": self.params_, "standard_error": self.standard_errors_})
        frame["lower"] = self.params_ * np.exp(-z * log_se)
        frame["upper"] = self.params_ * np.exp(z * log_se)
        return frame

    def sample_parameters(self, size: int, seed: int | None = None) -> np.ndarray:
        """Draws ``(size, k)`` from the estimator's asymptotic distribution, on the log
        scale so that every draw is positive."""
        self._check_fitted()
        rng = np.random.default_rng(seed)
        mean = np.log(self.params_.to_numpy())
        return np.exp(rng.multivariate_normal(mean, self._covariance_log, size=size))

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}(not fitted)"
        values = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({values}, customers={self.n_customers_})"


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product of two long vectors without BLAS threads (which stall when the
    machine's cores are busy) at the same single-thread speed."""
    return float(np.einsum("i,i->", a, b))


def _interior(log_params: np.ndarray) -> bool:
    return bool(np.all(np.abs(log_params) < LOG_BOUND - 1e-6))


def _inverse(hessian: np.ndarray) -> tuple[np.ndarray, bool]:
    """Inverse of a Hessian, and whether it was positive definite."""
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return np.full_like(hessian, np.nan), False
    return np.linalg.inv(hessian), True
