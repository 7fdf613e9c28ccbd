"""Sentiment of customer verbatims, in French and English.

One :class:`SentimentModel` per language: a logistic regression on TF-IDF features of the
matching form of the verbatim (:func:`~emptychair.voice.text.normalise.normalise`), namely word
1–2-grams and character 2–5-grams, each block L2-normalised with sub-linear term frequency. The
probability that the verbatim is positive is

.. math::

    p = \\sigma\\Big(b + \\sum_{k \\in \\{\\text{word}, \\text{char}\\}}
        \\frac{\\sum_j w_{kj}\\, \\mathrm{idf}_{kj}\\, (1 + \\log c_{kj})}
             {\\lVert \\mathrm{idf}_k \\odot (1 + \\log c_k) \\rVert_2}\\Big)

where :math:`c_{kj}` counts n-gram :math:`j` of block :math:`k` in the text, and the sentiment is
:math:`2p - 1 \\in [-1, 1]`. Scoring needs only numpy and the shipped vocabulary, IDF and
weights (``models/sentiment_<language>.npz``, loadable without pickle); scikit-learn is used only
to train them (``bench/train_sentiment.py``).

Training data, cited wherever the models ship:

- French: a 2,000-review sample of Théophile Blard's Allociné corpus of film reviews (MIT licence,
  https://github.com/TheophileBlard/french-sentiment-analysis-with-bert);
- English: "Women's E-Commerce Clothing Reviews" (Kaggle nicapotato, CC0 1.0), positive = 4–5
  stars, negative = 1–2 stars;
- in both languages, a short hand-written list of customer-service phrases
  (``bench/sentiment_phrases.csv``, part of this project) that teaches the register of
  customer-service verbatims ("colis jamais reçu", "on hold for an hour").

Limits: measured on held-out reviews, macro-F1 is 0.883 (French film reviews) and 0.896 (English
clothing reviews), but only about 0.63 on French customer-service reviews (online shops, banks,
utilities; ROC AUC 0.94): the ranking is good, the 0.5 cut-off is set by balanced film reviews.
Prefer the ``sentiment`` score to the label for customer-service data, and check a sample.

References
----------
.. [1] Blard, T. (2020). French sentiment analysis with BERT. GitHub.
.. [2] Wang, S. and Manning, C. D. (2012). Baselines and bigrams: simple, good sentiment and topic
   classification. ACL.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.voice.text import detect_language, normalise, split_clauses

SentimentLabel = Literal["negative", "neutral", "positive"]

MODEL_DIRECTORY = Path(__file__).resolve().parent / "models"
"""Where the shipped models live: ``sentiment_fr.npz``, ``sentiment_en.npz``."""

LANGUAGES = ("fr", "en")
"""Languages with a shipped model."""

NEUTRAL_BAND = 0.2
"""A sentiment strictly between ``-NEUTRAL_BAND`` and ``NEUTRAL_BAND`` (a probability of being
positive between 0.4 and 0.6) is labelled "neutral": the model cannot tell."""

CHAR_NGRAMS = (2, 5)
"""Shortest and longest character n-grams; words are taken alone and in pairs."""
_TOKEN = re.compile(r"\w+|[!?]")
_FloatArray = npt.NDArray[np.float64]


def word_ngrams(text: str) -> list[str]:
    """Return the word 1–2-grams of a text already in matching form.

    Words are runs of letters or digits; "!" and "?" count as words.
    """
    tokens = _TOKEN.findall(text)
    return tokens + [f"{first} {second}" for first, second in itertools.pairwise(tokens)]


def char_ngrams(text: str) -> list[str]:
    """Return the character 2–5-grams of a text already in matching form, padded by a space."""
    padded = f" {text} "
    low, high = CHAR_NGRAMS
    return [
        padded[start : start + size]
        for size in range(low, high + 1)
        for start in range(len(padded) - size + 1)
    ]


@dataclass(frozen=True)
class _Block:
    """One TF-IDF block: its n-grams (in column order), their IDF and their weights."""

    terms: pd.Index
    idf: _FloatArray
    coef: _FloatArray

    def logit(self, grams: list[str]) -> float:
        counts = Counter(grams)
        columns = self.terms.get_indexer(pd.Index(list(counts), dtype=object))
        known = columns >= 0
        if not known.any():
            return 0.0
        frequencies = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[known]
        values = (1.0 + np.log(frequencies)) * self.idf[columns[known]]
        return float(values @ self.coef[columns[known]]) / float(np.sqrt(values @ values))

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        return {
            f"{prefix}_vocabulary": np.array(self.terms.tolist(), dtype=str),
            f"{prefix}_idf": self.idf.astype(np.float32),
            f"{prefix}_coef": self.coef.astype(np.float32),
        }

    @classmethod
    def read(cls, arrays: Any, prefix: str) -> _Block:
        return cls(
            terms=pd.Index(arrays[f"{prefix}_vocabulary"].tolist(), dtype=object),
            idf=arrays[f"{prefix}_idf"].astype(np.float64),
            coef=arrays[f"{prefix}_coef"].astype(np.float64),
        )


@dataclass(frozen=True)
class SentimentModel:
    """A fitted sentiment model for one language, scored with numpy only.

    Attributes
    ----------
    language : {"fr", "en"}
        The language of the verbatims it was trained on.
    word, char : _Block
        The word 1–2-gram and character 2–5-gram TF-IDF blocks with their weights.
    intercept : float
        The bias :math:`b` of the logistic regression.
    """

    language: str
    word: _Block
    char: _Block
    intercept: float

    @classmethod
    def from_estimators(
        cls, language: str, word_vectorizer: Any, char_vectorizer: Any, classifier: Any
    ) -> SentimentModel:
        """Build a model from fitted scikit-learn estimators.

        Parameters
        ----------
        language : {"fr", "en"}
            The language of the training data.
        word_vectorizer, char_vectorizer : sklearn.feature_extraction.text.TfidfVectorizer
            Fitted on normalised text with ``analyzer=word_ngrams`` / ``char_ngrams``,
            ``sublinear_tf=True`` and ``norm="l2"``.
        classifier : sklearn.linear_model.LogisticRegression
            Fitted on the two blocks stacked side by side, word block first.
        """
        coef = np.asarray(classifier.coef_, dtype=np.float64).ravel()
        width = len(word_vectorizer.vocabulary_)
        blocks = []
        for vectorizer, weights in (
            (word_vectorizer, coef[:width]),
            (char_vectorizer, coef[width:]),
        ):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            blocks.append(_Block(pd.Index(terms, dtype=object), idf, weights))
        return cls(language, blocks[0], blocks[1], float(classifier.intercept_[0]))

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        """Read a model saved by :meth:`save` (an ``.npz`` of arrays, no pickle)."""
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                language=str(arrays["language"]),
                word=_Block.read(arrays, "word"),
                char=_Block.read(arrays, "char"),
                intercept=float(arrays["intercept"]),
            )

    def save(self, path: Path) -> None:
        """Write the vocabulary, IDF and weights (float32) as a compressed ``.npz``."""
        arrays: dict[str, Any] = {
            "language": np.array(self.language),
            "intercept": np.array(self.intercept),
            **self.word.arrays("word"),
            **self.char.arrays("char"),
        }
        with path.open("wb") as file:
            np.savez_compressed(file, **arrays)

    def probability_positive(self, texts: Iterable[str | None]) -> _FloatArray:
        """Return the probability that each verbatim is positive; NaN for empty text.

        Parameters
        ----------
        texts : iterable of str or None
            Verbatims as the customer wrote them (they are normalised here).

        Returns
        -------
        ndarray of shape (n_texts,)
        """
        return np.array(
            [self._probability(normalise(t) if isinstance(t, str) else "") for t in texts]
        )

    def _probability(self, matching: str) -> float:
        if not matching:
            return math.nan
        logit = (
            self.intercept
            + self.word.logit(word_ngrams(matching))
            + self.char.logit(char_ngrams(matching))
        )
        return 1.0 / (1.0 + math.exp(-logit))


@lru_cache(maxsize=len(LANGUAGES))
def load_model(language: str) -> SentimentModel:
    """Return the shipped model of a language ("fr" or "en"), read once and cached."""
    if language not in LANGUAGES:
        raise InvalidParameterError(
            f"No sentiment model for language {language!r}: use one of {LANGUAGES}."
        )
    return SentimentModel.load(MODEL_DIRECTORY / f"sentiment_{language}.npz")


def model_metadata() -> dict[str, Any]:
    """Return the training record of the shipped models (``models/sentiment.json``)."""
    return dict(json.loads((MODEL_DIRECTORY / "sentiment.json").read_text(encoding="utf-8")))


def sentiment_label(sentiment: float) -> SentimentLabel | None:
    """Label a sentiment: "neutral" inside the :data:`NEUTRAL_BAND`, None when missing."""
    if math.isnan(sentiment):
        return None
    if sentiment <= -NEUTRAL_BAND:
        return "negative"
    return "positive" if sentiment >= NEUTRAL_BAND else "neutral"


def _sentiment(text: str | None, language: str) -> float:
    if language in LANGUAGES:
        return 2.0 * float(load_model(language).probability_positive([text])[0]) - 1.0
    # Unknown language: both models score it and the more confident one wins.
    scores = [_sentiment(text, known) for known in LANGUAGES]
    if math.isnan(scores[0]):
        return math.nan
    return max(scores, key=abs)


def score_texts(
    texts: Iterable[str | None], languages: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Score the sentiment of verbatims.

    Parameters
    ----------
    texts : iterable of str or None
        Verbatims as customers wrote them; a pandas Series keeps its index.
    languages : str, sequence of str or None, default None
        One language for all ("fr", "en"), one per verbatim, or None to detect each with
        :func:`~emptychair.voice.text.language.detect_language`. A verbatim whose language is
        "unknown" (or any language without a model) is scored by both models and gets the more
        confident sentiment, the one farther from 0.

    Returns
    -------
    DataFrame
        One row per verbatim: ``language`` (given or detected), ``sentiment`` (:math:`2p - 1`
        in [-1, 1], NaN for a verbatim with nothing to score: None, blank, emoji without meaning)
        and ``label`` ("negative", "neutral", "positive" by :data:`NEUTRAL_BAND`, or None).

    Examples
    --------
    >>> score_texts(["colis jamais reçu", "very quick refund, thank you"]).label.tolist()
    ['negative', 'positive']
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    values = list(texts)
    if languages is None:
        codes: list[str] = [detect_language(text) for text in values]
    elif isinstance(languages, str):
        codes = [languages] * len(values)
    else:
        codes = [str(code) for code in languages]
        if len(codes) != len(values):
            raise InvalidParameterError(
                f"Got {len(codes)} languages for {len(values)} texts: give one each."
            )
    sentiments = [_sentiment(text, code) for text, code in zip(values, codes, strict=True)]
    frame = pd.DataFrame({"language": codes, "sentiment": np.array(sentiments, dtype=float)})
    frame["label"] = [sentiment_label(value) for value in sentiments]
    if index is not None:
        frame.index = index
    return frame


def score_clauses(text: str | None, language: str | None = None) -> pd.DataFrame:
    """Score each clause of a verbatim on its own.

    Parameters
    ----------
    text : str or None
        The verbatim, split by :func:`~emptychair.voice.text.clauses.split_clauses`.
    language : str or None, default None
        "fr" or "en"; None detects it on the whole verbatim.

    Returns
    -------
    DataFrame
        One row per clause: ``clause``, ``start``, ``end``, ``after_contrast``, ``sentiment``
        and ``label``, as in :func:`score_texts`; no rows for empty text.

    Examples
    --------
    >>> score_clauses("livraison rapide mais produit cassé", "fr").label.tolist()
    ['positive', 'negative']
    """
    code = detect_language(text) if language is None else language
    clauses = split_clauses(text, code)
    scores = score_texts([clause.text for clause in clauses], code)
    return pd.DataFrame(
        {
            "clause": [clause.text for clause in clauses],
            "start": [clause.start for clause in clauses],
            "end": [clause.end for clause in clauses],
            "after_contrast": [clause.after_contrast for clause in clauses],
            "sentiment": scores["sentiment"].to_numpy(dtype=float),
            "label": scores["label"].tolist(),
        }
    )
