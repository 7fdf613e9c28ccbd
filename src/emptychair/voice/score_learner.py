"""The in-domain sentiment learner of :mod:`emptychair.voice.crossfit`, fitted fold by fold.

Cross-fitting fits many models on overlapping subsets of the same verbatims. Cutting the texts
into n-grams is the slow part, so :class:`NgramCounts` does it once for every row (word 1–2-grams
and character 2–5-grams of the matching form, as the shipped models read them), and
:func:`fit_on_rows` then builds, from the chosen rows only, the vocabulary (n-grams present in at
least two of those rows), the IDF and a class-balanced NB-scaled logistic regression — the recipe
of the shipped models (:mod:`emptychair.voice.sentiment`). Nothing about a row outside the chosen
ones (neither its text statistics nor its label) reaches the fitted model.

The fitted :class:`RowModel` scores rows of the same counts with sparse algebra, and turns into a
numpy-only :class:`~emptychair.voice.sentiment.SentimentModel` that scores any new text the same
way. Needs scikit-learn and scipy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.voice.ngrams import CHAR_NGRAMS, TfidfBlock, word_ngrams
from emptychair.voice.sentiment import SentimentModel

REGULARISATION_C = 16.0
"""Inverse regularisation of the logistic regression (as for the shipped models)."""
MAX_FEATURES = {"word": 20_000, "char": 40_000}
"""Largest vocabulary of each block, the n-grams in most rows first."""
MIN_ROWS_PER_NGRAM = 2

_FloatArray = npt.NDArray[np.float64]
_IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class NgramCounts:
    """Counts of every word and character n-gram in every row, computed once.

    Attributes
    ----------
    blocks : dict of str to (scipy.sparse.csr_matrix, list of str)
        For "word" and "char": the row × n-gram count matrix and the n-grams of its columns.
    """

    blocks: dict[str, tuple[Any, list[str]]]

    @classmethod
    def of(cls, matching: list[str]) -> NgramCounts:
        """Count the n-grams of texts already in matching form."""
        from sklearn.feature_extraction.text import CountVectorizer

        # The matching form has single spaces, so sklearn's own character analyzer on the
        # padded text gives exactly char_ngrams, faster.
        low, high = CHAR_NGRAMS
        char = CountVectorizer(analyzer="char", ngram_range=(low, high), lowercase=False)
        blocks = {}
        for name, vectorizer, inputs in (
            ("word", CountVectorizer(analyzer=word_ngrams), matching),
            ("char", char, [f" {text} " for text in matching]),
        ):
            counts = vectorizer.fit_transform(inputs).tocsr().astype(np.float64)
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            blocks[name] = (counts, terms)
        return cls(blocks)


@dataclass(frozen=True)
class _Block:
    columns: _IntArray
    idf: _FloatArray


@dataclass(frozen=True)
class RowModel:
    """A model fitted by :func:`fit_on_rows`: per block, the kept columns, IDF and weights."""

    language: str
    blocks: dict[str, _Block]
    coef: dict[str, _FloatArray]
    intercept: float

    def logits(self, counts: NgramCounts, rows: _IntArray) -> _FloatArray:
        """The log-odds of being positive of some rows of ``counts``."""
        total = np.full(len(rows), self.intercept)
        for name, block in self.blocks.items():
            features = _tfidf(counts.blocks[name][0][rows][:, block.columns], block.idf)
            total += features @ self.coef[name]
        return total

    def sentiment_model(self, counts: NgramCounts) -> SentimentModel:
        """The same model as a numpy-only :class:`SentimentModel`, to score any text."""
        tfidf = {
            name: TfidfBlock(
                pd.Index([counts.blocks[name][1][c] for c in block.columns], dtype=object),
                block.idf,
                self.coef[name],
            )
            for name, block in self.blocks.items()
        }
        return SentimentModel(self.language, tfidf["word"], tfidf["char"], self.intercept)


def _tfidf(counts: Any, idf: _FloatArray) -> Any:
    """Sub-linear TF-IDF of a count matrix, each row L2-normalised (as sklearn's TfidfVectorizer
    with ``sublinear_tf=True``)."""
    from sklearn.preprocessing import normalize

    features = counts.copy()
    features.data = 1.0 + np.log(features.data)
    return normalize(features.multiply(idf[None, :]).tocsr(), norm="l2")


def fit_on_rows(
    counts: NgramCounts, rows: _IntArray, labels: npt.NDArray[np.int64], language: str
) -> RowModel:
    """Fit the learner on some rows of ``counts`` with their 0/1 labels.

    Parameters
    ----------
    counts : NgramCounts
        The n-gram counts of all rows.
    rows : ndarray of int
        The rows to learn from; only their texts and labels are read.
    labels : ndarray of int
        1 (positive) or 0 (negative) for each of ``rows``.
    language : str
        The language of the rows ("fr" or "en").

    Returns
    -------
    RowModel
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    blocks, features = {}, []
    for name, (matrix, _) in counts.blocks.items():
        chosen = matrix[rows]
        present = np.asarray((chosen > 0).sum(axis=0)).ravel()
        candidates = np.flatnonzero(present >= MIN_ROWS_PER_NGRAM)
        order = np.lexsort((candidates, -present[candidates]))[: MAX_FEATURES[name]]
        columns = np.sort(candidates[order]).astype(np.int64)
        idf = np.log((1.0 + len(rows)) / (1.0 + present[columns])) + 1.0
        blocks[name] = _Block(columns, idf)
        features.append(_tfidf(chosen[:, columns], idf))
    stacked = sparse.hstack(features).tocsr()
    positive = 1.0 + np.asarray(stacked[labels == 1].sum(axis=0)).ravel()
    negative = 1.0 + np.asarray(stacked[labels == 0].sum(axis=0)).ravel()
    ratio = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
    classifier = LogisticRegression(
        C=REGULARISATION_C, class_weight="balanced", solver="liblinear", max_iter=1_000
    ).fit(stacked.multiply(ratio).tocsr(), labels)
    coef = classifier.coef_.ravel() * ratio
    width = len(blocks["word"].columns)
    return RowModel(
        language,
        blocks,
        {"word": coef[:width], "char": coef[width:]},
        float(classifier.intercept_[0]),
    )
