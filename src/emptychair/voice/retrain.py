"""A sentiment model re-trained on a company's own (score, verbatim) pairs, kept only if better.

When a company's feedback carries both a score and a verbatim, the score labels the verbatim:
promoters (NPS 9–10), satisfied (CSAT 4–5 on 5) and easy (CES 5–7 on 7) are positive; detractors
(NPS 0–6), dissatisfied (CSAT 1–2) and hard (CES 1–3) negative; passives and middle scores are left
out. :func:`retrain_on_scores` fits the shipped model's recipe (TF-IDF word 1–2-grams and
character 2–5-grams, class-balanced NB-scaled logistic regression, see
:mod:`emptychair.voice.sentiment`) on those pairs, one model per language, and keeps it only when
its cross-validated macro-F1 beats the shipped model's on the same folds.

Training needs scikit-learn; scoring the re-trained model, like the shipped one, needs numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.voice.sentiment import (
    LANGUAGES,
    SentimentModel,
    char_ngrams,
    load_model,
    word_ngrams,
)
from emptychair.voice.text import normalise

SCALES = {10: (6, 9, 0), 5: (2, 4, 1), 7: (3, 5, 1)}
"""Scale maximum -> (highest negative score, lowest positive score, lowest valid score):
NPS 0–10, CSAT 1–5, CES 1–7."""
MIN_ROWS_PER_CLASS = 20
"""A language needs at least this many positive and negative verbatims to be re-trained."""
REGULARISATION_C = 16.0
MAX_WORD_FEATURES = 20_000
MAX_CHAR_FEATURES = 40_000


def labels_from_scores(
    scores: Sequence[float] | npt.ArrayLike, scale_max: int | Sequence[int] | npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Label each score 1 (positive), 0 (negative) or NaN (passive, middle or missing).

    Parameters
    ----------
    scores : array-like of float
        The survey scores; NaN for none.
    scale_max : int or array-like of int
        10 (NPS 0–10), 5 (CSAT 1–5) or 7 (CES 1–7), for all scores or one each.

    Returns
    -------
    ndarray of float
    """
    values = np.asarray(scores, dtype=float)
    maxima = np.broadcast_to(np.asarray(scale_max), values.shape)
    labels = np.full(values.shape, np.nan)
    for maximum in np.unique(maxima):
        if int(maximum) not in SCALES:
            raise InvalidParameterError(
                f"scale_max {float(maximum):g} is not supported: use 10 (NPS), 5 (CSAT) or 7 (CES)."
            )
        highest_negative, lowest_positive, lowest = SCALES[int(maximum)]
        chosen = maxima == maximum
        score = values[chosen]
        outside = ~np.isnan(score) & ((score < lowest) | (score > maximum))
        if outside.any():
            position = int(np.flatnonzero(chosen)[np.argmax(outside)])
            raise InvalidParameterError(
                f"score {values[position]:g} at position {position} is outside the scale "
                f"{lowest}–{int(maximum)}."
            )
        labels[chosen] = np.where(
            score >= lowest_positive, 1.0, np.where(score <= highest_negative, 0.0, np.nan)
        )
    return labels


@dataclass(frozen=True)
class RetrainResult:
    """The outcome of :func:`retrain_on_scores`.

    Attributes
    ----------
    summary : DataFrame
        One row per language: ``language``, ``rows`` (labelled verbatims), ``positive_share``,
        ``company_macro_f1`` and ``shipped_macro_f1`` (means over the folds), ``chosen``
        ("company" or "shipped"; "shipped" too when there were too few rows to re-train).
    folds : DataFrame
        One row per language and fold: ``language``, ``fold``, ``company_macro_f1``,
        ``shipped_macro_f1``.
    models : dict of str to SentimentModel
        The re-trained models that won, by language (score with
        :meth:`SentimentModel.probability_positive`).
    """

    summary: pd.DataFrame
    folds: pd.DataFrame
    models: dict[str, SentimentModel] = field(default_factory=dict)

    def save(self, folder: Path) -> list[Path]:
        """Write each chosen model (``sentiment_<language>.npz``) and ``sentiment_retrain.json``
        (the validation figures) into a folder; return the written paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for language, model in self.models.items():
            path = folder / f"sentiment_{language}.npz"
            model.save(path)
            paths.append(path)
        record = folder / "sentiment_retrain.json"
        record.write_text(
            json.dumps({"summary": self.summary.to_dict(orient="records")}, indent=2) + "\n",
            encoding="utf-8",
        )
        return [*paths, record]


def _fit(texts: list[str], labels: npt.NDArray[np.int64], language: str) -> SentimentModel:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizers = [
        TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=2, max_features=size)
        for analyzer, size in ((word_ngrams, MAX_WORD_FEATURES), (char_ngrams, MAX_CHAR_FEATURES))
    ]
    features = sp.hstack([vectorizer.fit_transform(texts) for vectorizer in vectorizers]).tocsr()
    positive = 1.0 + np.asarray(features[labels == 1].sum(axis=0)).ravel()
    negative = 1.0 + np.asarray(features[labels == 0].sum(axis=0)).ravel()
    ratio = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
    classifier = LogisticRegression(
        C=REGULARISATION_C, class_weight="balanced", solver="liblinear", max_iter=1_000
    ).fit(features.multiply(ratio).tocsr(), labels)
    linear = SimpleNamespace(
        coef_=classifier.coef_ * ratio[None, :], intercept_=classifier.intercept_
    )
    return SentimentModel.from_estimators(language, vectorizers[0], vectorizers[1], linear)


def _one_language(
    texts: list[str], labels: npt.NDArray[np.int64], language: str, folds: int, seed: int
) -> tuple[dict[str, Any], list[dict[str, Any]], SentimentModel | None]:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    summary: dict[str, Any] = {
        "language": language,
        "rows": len(texts),
        "positive_share": float(labels.mean()) if len(labels) else float("nan"),
        "company_macro_f1": float("nan"),
        "shipped_macro_f1": float("nan"),
        "chosen": "shipped",
    }
    if min(int(labels.sum()), int(len(labels) - labels.sum())) < max(MIN_ROWS_PER_CLASS, folds):
        return summary, [], None
    shipped = load_model(language).probability_positive(texts) >= 0.5
    rows = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        model = _fit([texts[i] for i in train], labels[train], language)
        company = model.probability_positive([texts[i] for i in test]) >= 0.5
        rows.append(
            {
                "language": language,
                "fold": fold,
                "company_macro_f1": float(f1_score(labels[test], company, average="macro")),
                "shipped_macro_f1": float(f1_score(labels[test], shipped[test], average="macro")),
            }
        )
    company_f1 = float(np.mean([row["company_macro_f1"] for row in rows]))
    shipped_f1 = float(np.mean([row["shipped_macro_f1"] for row in rows]))
    summary.update(company_macro_f1=company_f1, shipped_macro_f1=shipped_f1)
    if company_f1 <= shipped_f1:
        return summary, rows, None
    summary["chosen"] = "company"
    return summary, rows, _fit(texts, labels, language)


def retrain_on_scores(
    texts: Sequence[str | None],
    scores: Sequence[float] | npt.ArrayLike,
    scale_max: int | Sequence[int] | npt.ArrayLike,
    languages: str | Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> RetrainResult:
    """Re-train the sentiment model on a company's own scored verbatims, if that does better.

    Parameters
    ----------
    texts : sequence of str or None
        The verbatims.
    scores : array-like of float
        The score given with each verbatim (NaN for none).
    scale_max : int or array-like of int
        10 (NPS), 5 (CSAT) or 7 (CES), for all or one per verbatim; see
        :func:`labels_from_scores` for the labels.
    languages : str or sequence of str
        "fr" or "en" for all, or one per verbatim; other languages are left out.
    folds : int, default 5
        Cross-validation folds (stratified, shuffled with ``seed``); both models are measured
        on the same held-out folds.
    seed : int, default 0

    Returns
    -------
    RetrainResult
        Validation figures per language and fold, and the re-trained models that beat the
        shipped ones (kept only when their mean macro-F1 over the folds is higher).
    """
    values = list(texts)
    codes = [languages] * len(values) if isinstance(languages, str) else list(languages)
    if len(codes) != len(values) or len(np.atleast_1d(scores)) != len(values):
        raise InvalidParameterError(
            f"Got {len(values)} texts, {len(np.atleast_1d(scores))} scores and {len(codes)} "
            "languages: give one score and one language per text."
        )
    if folds < 2:
        raise InvalidParameterError(f"folds must be at least 2, got {folds}.")
    labels = labels_from_scores(scores, scale_max)
    matching = [normalise(text) if isinstance(text, str) else "" for text in values]
    summaries, fold_rows, models = [], [], {}
    for language in LANGUAGES:
        chosen = [
            i
            for i, (code, text) in enumerate(zip(codes, matching, strict=True))
            if code == language and text and not np.isnan(labels[i])
        ]
        if not chosen:
            continue
        # The models read the matching form, as the scorer builds it.
        summary, rows, model = _one_language(
            [matching[i] for i in chosen],
            labels[chosen].astype(np.int64),
            language,
            folds,
            seed,
        )
        summaries.append(summary)
        fold_rows.extend(rows)
        if model is not None:
            models[language] = model
    fold_columns = ["language", "fold", "company_macro_f1", "shipped_macro_f1"]
    summary_columns = ["language", "rows", "positive_share", *fold_columns[2:], "chosen"]
    return RetrainResult(
        summary=pd.DataFrame(summaries, columns=summary_columns),
        folds=pd.DataFrame(fold_rows, columns=fold_columns),
        models=models,
    )
