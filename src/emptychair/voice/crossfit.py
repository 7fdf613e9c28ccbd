"""Sentiment learned from a company's own scores, cross-fitted so that no row reads its own score.

Most feedback arrives with a score (NPS, CSAT, CES). :func:`learn_from_scores` labels the scored
verbatims by their score (:func:`~emptychair.voice.retrain.labels_from_scores`: promoters and
satisfied positive, detractors and dissatisfied negative, passives left out), then, per language:

1. cuts the labelled rows into ``folds`` folds at random (the fold of a row depends on the seed
   and the row's position only, never on a label);
2. for each fold, fits the in-domain learner (:mod:`emptychair.voice.score_learner`) on the other
   folds and scores the held-out fold: the *learned* log-odds :math:`\\ell_L`;
3. combines it with the shipped model's log-odds :math:`\\ell_S` by stacking,

   .. math::

       \\ell_C = b + w_S\\, \\ell_S + w_L\\, \\ell_L,

   with :math:`(b, w_S, w_L)` a class-balanced logistic regression fitted, again inside the
   training folds only, on learned log-odds from an inner cross-validation (Wolpert 1992 [1]_);
   the bias also moves the shipped model's cut-off to the company's own neutral point;
4. measures the three methods — *shipped*, *learned*, *combined* — on the held-out predictions:
   macro-F1 against the labels and Spearman's rank correlation with the raw scores (passives
   included), and uses the one with the highest macro-F1 (ties go to the simpler method);
5. fits the learner and the combination once more on all labelled rows; these final models score
   the rows without a score (or with a passive score), and any extra text such as clauses
   (:meth:`LearnedScores.score_texts`, or ``models=`` of the scoring functions).

So every labelled row is scored by models that never saw its label (cross-fitting, Chernozhukov et
al. 2018 [2]_), and the figures that choose the method are the ones the user can trust.

References
----------
.. [1] Wolpert, D. H. (1992). Stacked generalization. Neural Networks, 5(2), 241–259.
.. [2] Chernozhukov, V. et al. (2018). Double/debiased machine learning for treatment and
   structural parameters. The Econometrics Journal, 21(1), C1–C68.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.voice.retrain import labels_from_scores
from emptychair.voice.score_learner import NgramCounts, fit_on_rows
from emptychair.voice.sentiment import (
    LANGUAGES,
    SentimentModel,
    _language_codes,
    load_model,
    score_texts,
    sentiment_label,
)
from emptychair.voice.text import normalise

METHODS = ("shipped", "learned", "combined")
"""The methods compared, simplest first (a tie goes to the simpler one)."""
MIN_ROWS_PER_CLASS = 20
"""A language needs this many positive and negative scored verbatims to learn from them."""
INNER_FOLDS = 3
"""Folds of the inner cross-validation that fits the combination weights."""
_CLIP = 1e-9
_FloatArray = npt.NDArray[np.float64]
_IntArray = npt.NDArray[np.int64]


def _logit(probability: _FloatArray) -> _FloatArray:
    clipped = np.clip(probability, _CLIP, 1.0 - _CLIP)
    return np.asarray(np.log(clipped / (1.0 - clipped)), dtype=np.float64)


def _sigmoid(logit: _FloatArray) -> _FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)


@dataclass(frozen=True)
class CombinedSentimentModel(SentimentModel):
    """A learned model stacked on the shipped one: :math:`\\ell_C = b + w_S \\ell_S + w_L \\ell_L`.

    Its ``word``, ``char`` and ``intercept`` are those of the learned model; it scores like any
    :class:`SentimentModel` (pass it in ``models=`` of the scoring functions) but is not saved.

    Attributes
    ----------
    shipped : SentimentModel
        The shipped model of the language.
    bias, shipped_weight, learned_weight : float
        :math:`b`, :math:`w_S` and :math:`w_L`.
    """

    shipped: SentimentModel
    bias: float
    shipped_weight: float
    learned_weight: float

    def _probability_of_matching(self, matching: list[str]) -> _FloatArray:
        learned = _logit(super()._probability_of_matching(matching))
        shipped = _logit(self.shipped._probability_of_matching(matching))
        return _sigmoid(self.bias + self.shipped_weight * shipped + self.learned_weight * learned)

    def save(self, path: Any) -> None:
        """Not supported: a combined model lives for one analysis; save its learned part."""
        raise InvalidParameterError(
            "A combined sentiment model cannot be saved; learn it again from the scores."
        )


def best_cutoff(logits: _FloatArray, labels: npt.NDArray[np.int64]) -> float:
    """The cut-off on the log-odds that maximises the macro-F1 of the labels (midway between
    two consecutive distinct log-odds; the median cut-off among ties)."""
    order = np.argsort(-logits, kind="stable")
    ranked, truth = logits[order], labels[order]
    positives, rows = int(truth.sum()), len(truth)
    # Predicting the first k rows positive, for k = 0..rows:
    true_positive = np.concatenate([[0], np.cumsum(truth)])
    predicted = np.arange(rows + 1)
    true_negative = (rows - positives) - (predicted - true_positive)
    f1_positive = 2 * true_positive / np.maximum(predicted + positives, 1)
    f1_negative = 2 * true_negative / np.maximum((rows - predicted) + (rows - positives), 1)
    macro = (f1_positive + f1_negative) / 2.0
    distinct = np.concatenate([[True], ranked[1:] != ranked[:-1], [True]])
    macro = np.where(distinct, macro, -1.0)
    best = np.flatnonzero(macro == macro.max())
    k = int(best[len(best) // 2])
    upper = ranked[k - 1] if k > 0 else ranked[0] + 1.0
    lower = ranked[k] if k < rows else ranked[-1] - 1.0
    return float((upper + lower) / 2.0)


def _fit_combination(
    shipped: _FloatArray, learned: _FloatArray, labels: npt.NDArray[np.int64]
) -> tuple[float, float, float]:
    """Weights (b, w_S, w_L) of the two log-odds: a logistic regression of the labels on them,
    whose bias is then moved so that the cut-off 0 maximises the macro-F1 on these rows."""
    from sklearn.linear_model import LogisticRegression

    features = np.column_stack([shipped, learned])
    fitted = LogisticRegression(C=1.0).fit(features, labels)
    shipped_weight, learned_weight = (float(weight) for weight in fitted.coef_[0])
    combined = shipped_weight * shipped + learned_weight * learned
    return -best_cutoff(combined, labels), shipped_weight, learned_weight


def fold_of_rows(rows: int, folds: int, seed: int) -> _IntArray:
    """Assign ``rows`` rows to ``folds`` folds of (nearly) equal size, at random by ``seed``."""
    order = np.random.default_rng(seed).permutation(rows)
    fold = np.empty(rows, dtype=np.int64)
    fold[order] = np.arange(rows) % folds
    return fold


def _macro_f1(labels: npt.NDArray[np.int64], logits: _FloatArray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(labels, logits >= 0.0, average="macro"))


def _spearman(scores: _FloatArray, sentiments: _FloatArray) -> float:
    both = ~np.isnan(scores) & ~np.isnan(sentiments)
    if both.sum() < 3:
        return float("nan")
    ranks = [pd.Series(values[both]).rank() for values in (scores, sentiments)]
    return float(ranks[0].corr(ranks[1]))


def _figure(value: Any) -> float:
    """A figure to compare, a missing one (NaN) lowest."""
    number = float(value)
    return -1.0 if np.isnan(number) else number


@dataclass(frozen=True)
class _LanguageFit:
    learned: _FloatArray  # log-odds of every row of the language, cross-fitted where labelled
    combined: _FloatArray
    fold: _IntArray  # -1: scored by the final model
    model: SentimentModel
    combination: CombinedSentimentModel


def _cross_fit(
    matching: list[str],
    labels: _FloatArray,
    shipped: _FloatArray,
    language: str,
    folds: int,
    seed: int,
) -> _LanguageFit:
    """Cross-fitted learned and combined log-odds of the rows of one language."""
    counts = NgramCounts.of(matching)
    labelled = np.flatnonzero(~np.isnan(labels))
    target = labels[labelled].astype(np.int64)
    fold = np.full(len(matching), -1, dtype=np.int64)
    fold[labelled] = fold_of_rows(len(labelled), folds, seed)
    learned = np.full(len(matching), np.nan)
    combined = np.full(len(matching), np.nan)
    for held_out in range(folds):
        train, test = labelled[fold[labelled] != held_out], labelled[fold[labelled] == held_out]
        train_target = labels[train].astype(np.int64)
        learned[test] = fit_on_rows(counts, train, train_target, language).logits(counts, test)
        inner = fold_of_rows(len(train), INNER_FOLDS, seed + 1 + held_out)
        inner_learned = np.empty(len(train))
        for part in range(INNER_FOLDS):
            rows = inner == part
            inner_model = fit_on_rows(counts, train[~rows], train_target[~rows], language)
            inner_learned[rows] = inner_model.logits(counts, train[rows])
        bias, shipped_weight, learned_weight = _fit_combination(
            shipped[train], inner_learned, train_target
        )
        combined[test] = bias + shipped_weight * shipped[test] + learned_weight * learned[test]
    final = fit_on_rows(counts, labelled, target, language)
    # The final combination learns from the cross-fitted log-odds of every labelled row.
    bias, shipped_weight, learned_weight = _fit_combination(
        shipped[labelled], learned[labelled], target
    )
    others = np.flatnonzero(np.isnan(labels))
    learned[others] = final.logits(counts, others)
    combined[others] = bias + shipped_weight * shipped[others] + learned_weight * learned[others]
    model = final.sentiment_model(counts)
    combination = CombinedSentimentModel(
        language, model.word, model.char, model.intercept,
        load_model(language), bias, shipped_weight, learned_weight,
    )  # fmt: skip
    return _LanguageFit(learned, combined, fold, model, combination)


@dataclass(frozen=True)
class LearnedScores:
    """The outcome of :func:`learn_from_scores`.

    Attributes
    ----------
    rows : DataFrame
        One row per input text, in input order (a pandas Series input keeps its index):
        ``language``; ``score_label`` (1 positive, 0 negative, NaN passive or no score);
        ``fold`` (the held-out fold that scored the row, -1 when the final all-rows model did);
        ``shipped``, ``learned``, ``combined`` (the sentiment, -1..1, of each method; NaN when a
        method is not available for the row); ``method`` (the one used for the row) and
        ``sentiment`` and ``label`` ("negative", "neutral", "positive") of that method.
    summary : DataFrame
        One row per language and method: ``language``, ``method``, ``rows`` (labelled rows),
        ``positive_share``, ``macro_f1`` (held-out predictions against the labels),
        ``spearman`` (held-out predictions against the raw scores, passives included) and
        ``chosen`` (True for the method used).
    chosen : dict of str to str
        The method used, by language.
    models : dict of str to SentimentModel
        The final models fitted on all labelled rows, by language, for the languages whose
        chosen method is "learned" or "combined"; pass them as ``models=`` to
        :func:`~emptychair.voice.sentiment.score_texts`, :func:`score_clause_table` or
        :func:`~emptychair.voice.verbatims.analyse_verbatims` to score clauses or new texts
        consistently.
    """

    rows: pd.DataFrame
    summary: pd.DataFrame
    chosen: dict[str, str] = field(default_factory=dict)
    models: dict[str, SentimentModel] = field(default_factory=dict)

    def score_texts(
        self, texts: Sequence[str | None] | pd.Series, languages: str | Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Score extra texts (clauses, new verbatims) with the final chosen model of each
        language: ``language``, ``sentiment`` and ``label``, as
        :func:`~emptychair.voice.sentiment.score_texts` returns them."""
        return score_texts(texts, languages, models=self.models)


def _check_inputs(values: list[str | None], scores: Any, codes: list[str], folds: int) -> None:
    if len(np.atleast_1d(scores)) != len(values):
        raise InvalidParameterError(
            f"Got {len(values)} texts and {len(np.atleast_1d(scores))} scores: give one score "
            "per text (NaN for none)."
        )
    if folds < 2:
        raise InvalidParameterError(f"folds must be at least 2, got {folds}.")


def learn_from_scores(
    texts: Sequence[str | None] | pd.Series,
    scores: Sequence[float] | npt.ArrayLike,
    scale_max: int | Sequence[int] | npt.ArrayLike,
    languages: str | Sequence[str] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
) -> LearnedScores:
    """Score verbatims with a model learned from their own scores, cross-fitted, if it helps.

    Parameters
    ----------
    texts : sequence of str or None, or Series
        The verbatims as customers wrote them.
    scores : array-like of float
        The score given with each verbatim (NaN for none), aligned with ``texts``.
    scale_max : int or array-like of int
        10 (NPS 0–10), 5 (CSAT 1–5) or 7 (CES 1–7), for all or one per verbatim.
    languages : str, sequence of str or None, default None
        "fr" or "en" for all, one per verbatim, or None to detect each. Rows in another
        language keep the shipped models (see :func:`~emptychair.voice.sentiment.score_texts`).
    folds : int, default 5
        Cross-fitting folds (at least 2).
    seed : int, default 0
        Seed of the random fold assignment; the result is deterministic for a given seed.

    Returns
    -------
    LearnedScores
        Per-row sentiments aligned with ``texts``, the cross-validated figures of the three
        methods per language, the method chosen and the final models.

    Examples
    --------
    >>> result = learn_from_scores(texts, nps, 10, "fr")  # doctest: +SKIP
    >>> result.summary[["language", "method", "macro_f1", "spearman", "chosen"]]  # doctest: +SKIP
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    values = [text if isinstance(text, str) else None for text in texts]
    codes = _language_codes(values, languages)
    _check_inputs(values, scores, codes, folds)
    raw = np.asarray(scores, dtype=float).ravel()
    labels = labels_from_scores(raw, scale_max)
    matching = [normalise(text) if text else "" for text in values]
    rows = score_texts(values, codes).rename(columns={"sentiment": "shipped"})
    rows = rows.drop(columns="label").assign(score_label=labels, fold=-1)
    rows["learned"], rows["combined"] = np.nan, np.nan
    rows["method"] = "shipped"
    summaries: list[dict[str, Any]] = []
    chosen: dict[str, str] = {}
    models: dict[str, SentimentModel] = {}
    code_array = np.array(codes, dtype=object)
    for language in LANGUAGES:
        members = np.flatnonzero((code_array == language) & np.array([bool(m) for m in matching]))
        if not len(members):
            continue
        target = labels[members]
        positives, negatives = int(np.nansum(target)), int(np.sum(target == 0))
        shipped = _logit((rows["shipped"].to_numpy()[members] + 1.0) / 2.0)
        figures: dict[str, _FloatArray] = {"shipped": shipped}
        if min(positives, negatives) >= max(MIN_ROWS_PER_CLASS, folds):
            fit = _cross_fit([matching[i] for i in members], target, shipped, language, folds, seed)
            figures.update(learned=fit.learned, combined=fit.combined)
            rows.loc[rows.index[members], "fold"] = fit.fold
            for method in ("learned", "combined"):
                rows.loc[rows.index[members], method] = 2.0 * _sigmoid(figures[method]) - 1.0
        labelled = ~np.isnan(target)
        table = [
            {
                "language": language,
                "method": method,
                "rows": int(labelled.sum()),
                "positive_share": positives / max(positives + negatives, 1),
                "macro_f1": _macro_f1(target[labelled].astype(np.int64), logits[labelled])
                if labelled.any()
                else float("nan"),
                "spearman": _spearman(raw[members], logits),
                "chosen": False,
            }
            for method, logits in figures.items()
        ]
        best = max(range(len(table)), key=lambda i: (_figure(table[i]["macro_f1"]), -i))
        table[best]["chosen"] = True
        chosen[language] = str(table[best]["method"])
        summaries.extend(table)
        rows.loc[rows.index[members], "method"] = chosen[language]
        if chosen[language] != "shipped":
            models[language] = fit.model if chosen[language] == "learned" else fit.combination
    picked = rows.apply(lambda row: row[row["method"]], axis=1) if len(rows) else rows["shipped"]
    rows["sentiment"] = picked.astype(float)
    rows["label"] = [sentiment_label(value) for value in rows["sentiment"]]
    if index is not None:
        rows.index = index
    columns = ["language", "method", "rows", "positive_share", "macro_f1", "spearman", "chosen"]
    return LearnedScores(
        rows=rows[["language", "score_label", "fold", *METHODS, "method", "sentiment", "label"]],
        summary=pd.DataFrame(summaries, columns=columns),
        chosen=chosen,
        models=models,
    )
