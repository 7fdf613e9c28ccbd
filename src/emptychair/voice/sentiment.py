"""Sentiment of customer verbatims, in French and English.

One :class:`SentimentModel` per language: a linear model on TF-IDF features of the matching form
of the verbatim (:func:`~emptychair.voice.text.normalise.normalise`), namely word 1–2-grams and
character 2–5-grams, each block L2-normalised with sub-linear term frequency. The probability
that the verbatim is positive is

.. math::

    p = \\sigma\\Big(b + \\sum_{k \\in \\{\\text{word}, \\text{char}\\}}
        \\frac{\\sum_j w_{kj}\\, \\mathrm{idf}_{kj}\\, (1 + \\log c_{kj})}
             {\\lVert \\mathrm{idf}_k \\odot (1 + \\log c_k) \\rVert_2}\\Big)

where :math:`c_{kj}` counts n-gram :math:`j` of block :math:`k` in the text, and the sentiment is
:math:`2p - 1 \\in [-1, 1]`. The weights :math:`w` are those of a class-balanced logistic
regression on NB-scaled features (each column times its naive-Bayes log-count ratio [2]_, folded
into :math:`w`; in French the ratio counts the reviews that contain the n-gram); in English they
are averaged with those of a ridge regression on the 1–5 stars, which ranks verbatims closer to
the ratings. Scoring needs only numpy and the shipped vocabulary, IDF and weights
(``models/sentiment_<language>.npz``, loadable without pickle): a batch is vectorised
(:mod:`emptychair.voice.ngrams`), so one call on many verbatims is far faster than one call per
verbatim. scikit-learn only trains the models (``bench/train_sentiment.py``).

Training data, cited wherever the models ship:

- French: a 2,000-review sample of Théophile Blard's Allociné corpus of film reviews (MIT licence,
  https://github.com/TheophileBlard/french-sentiment-analysis-with-bert);
- English: "Women's E-Commerce Clothing Reviews" (Kaggle nicapotato, CC0 1.0), positive = 4–5
  stars, negative = 1–2 stars;
- in both languages, a short hand-written list of customer-service phrases
  (``bench/sentiment_phrases.csv``, part of this project) that teaches the register of
  customer-service verbatims ("colis jamais reçu", "on hold for an hour", "pas de frais cachés");
- in French, 3,000 sentences composed from the project's own customer-service lexicon
  (``models/lexicon_fr.csv``, written for this project; ``bench/sentiment_lexicon.py``): negated
  irritants that are praise ("aucun frais caché", "pas d'attente"), politeness around anger,
  contrast, intensifiers, pasted company replies.

Limits: measured on held-out reviews, macro-F1 is about 0.90 (French film reviews, English
clothing reviews, Spearman about 0.71 with the English stars), and about 0.73 on French
customer-service reviews (Trustpilot, measured only; ROC AUC 0.94, Spearman 0.35 with the stars):
the model finds the unhappy customers but calls too many satisfied ones negative and ranks the
satisfied poorly. Where verbatims come with a score, learn from it
(:func:`emptychair.voice.crossfit.learn_from_scores`).

References
----------
.. [1] Blard, T. (2020). French sentiment analysis with BERT. GitHub.
.. [2] Wang, S. and Manning, C. D. (2012). Baselines and bigrams: simple, good sentiment and topic
   classification. ACL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.voice.ngrams import CHAR_NGRAMS as CHAR_NGRAMS
from emptychair.voice.ngrams import CharLookup, TfidfBlock, WordLookup, char_gram_hashes
from emptychair.voice.ngrams import char_ngrams as char_ngrams
from emptychair.voice.ngrams import word_ngrams as word_ngrams
from emptychair.voice.text import detect_language, normalise, split_clauses

SentimentLabel = Literal["negative", "neutral", "positive"]

MODEL_DIRECTORY = Path(__file__).resolve().parent / "models"
"""Where the shipped models live: ``sentiment_fr.npz``, ``sentiment_en.npz``."""

LANGUAGES = ("fr", "en")
"""Languages with a shipped model."""

NEUTRAL_BAND = 0.2
"""A sentiment strictly between ``-NEUTRAL_BAND`` and ``NEUTRAL_BAND`` (a probability of being
positive between 0.4 and 0.6) is labelled "neutral": the model cannot tell."""

_FloatArray = npt.NDArray[np.float64]
_BATCH_TEXTS = 4_096
"""Texts vectorised together; larger batches are cut into pieces of this size."""


@dataclass(frozen=True)
class SentimentModel:
    """A fitted sentiment model for one language, scored with numpy only.

    Attributes
    ----------
    language : {"fr", "en"}
        The language of the verbatims it was trained on.
    word, char : TfidfBlock
        The word 1–2-gram and character 2–5-gram TF-IDF blocks with their weights.
    intercept : float
        The bias :math:`b` of the logistic regression.
    """

    language: str
    word: TfidfBlock
    char: TfidfBlock
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
        classifier : sklearn.linear_model.LogisticRegression or similar
            Fitted on the two blocks stacked side by side, word block first; any object
            with ``coef_`` (one row) and ``intercept_`` giving the logit works.
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
            blocks.append(TfidfBlock(pd.Index(terms, dtype=object), idf, weights))
        return cls(language, blocks[0], blocks[1], float(classifier.intercept_[0]))

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        """Read a model saved by :meth:`save` (an ``.npz`` of arrays, no pickle)."""
        with np.load(path, allow_pickle=False) as arrays:
            return cls(
                language=str(arrays["language"]),
                word=TfidfBlock.read(arrays, "word"),
                char=TfidfBlock.read(arrays, "char"),
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

    @cached_property
    def _char_lookup(self) -> CharLookup:
        return CharLookup(self.char.terms)

    @cached_property
    def _word_lookup(self) -> WordLookup:
        return WordLookup(self.word.terms)

    def probability_positive(self, texts: Iterable[str | None]) -> _FloatArray:
        """Return the probability that each verbatim is positive; NaN for empty text.

        The whole batch is vectorised: n-grams are hashed and counted with numpy, so scoring
        many short verbatims in one call is much faster than one call per verbatim.

        Parameters
        ----------
        texts : iterable of str or None
            Verbatims as the customer wrote them (they are normalised here).

        Returns
        -------
        ndarray of shape (n_texts,)
        """
        matching = [normalise(text) if isinstance(text, str) else "" for text in texts]
        return self._probability_of_matching(matching)

    def _probability_of_matching(self, matching: list[str]) -> _FloatArray:
        probabilities = np.full(len(matching), np.nan)
        present = np.array([position for position, text in enumerate(matching) if text], int)
        for start in range(0, len(present), _BATCH_TEXTS):  # bounded memory for any batch
            chosen = present[start : start + _BATCH_TEXTS]
            kept = [matching[position] for position in chosen]
            text_of, hashes = char_gram_hashes(kept)
            columns = self._char_lookup.columns(hashes)
            logit = self.intercept + self.char.logits(text_of, columns, len(kept))
            logit += self.word.logits(*self._word_lookup.occurrences(kept), len(kept))
            probabilities[chosen] = 1.0 / (1.0 + np.exp(-logit))
        return probabilities


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


def _model_chooser(
    models: Mapping[str, SentimentModel] | None,
) -> Callable[[str], SentimentModel]:
    """Check ``models`` and return the model of a language: the one given, else the shipped one."""
    given = dict(models or {})
    for language, model in given.items():
        if language not in LANGUAGES:
            raise InvalidParameterError(
                f"models has a model for language {language!r}: use keys among {LANGUAGES}."
            )
        if not isinstance(model, SentimentModel) or model.language != language:
            raise InvalidParameterError(
                f"models[{language!r}] must be a SentimentModel trained on language {language!r}."
            )
    return lambda language: given[language] if language in given else load_model(language)


def _sentiments(
    matching: list[str], codes: list[str], models: Mapping[str, SentimentModel] | None
) -> _FloatArray:
    """Sentiment 2p - 1 of texts in matching form, one language model per group of texts."""
    model_of = _model_chooser(models)
    sentiments = np.full(len(matching), np.nan)
    code_array = np.array(codes, dtype=object)
    for language in LANGUAGES:
        chosen = np.flatnonzero(code_array == language)
        if len(chosen):
            model = model_of(language)
            sentiments[chosen] = (
                2.0 * model._probability_of_matching([matching[i] for i in chosen]) - 1.0
            )
    other = np.flatnonzero(~np.isin(code_array, LANGUAGES))
    if len(other):
        # Unknown language: both models score it and the more confident one wins.
        texts = [matching[i] for i in other]
        french, english = (
            2.0 * model_of(language)._probability_of_matching(texts) - 1.0
            for language in ("fr", "en")
        )
        sentiments[other] = np.where(np.abs(english) > np.abs(french), english, french)
    return sentiments


def _language_codes(values: list[str | None], languages: str | Sequence[str] | None) -> list[str]:
    if languages is None:
        return [detect_language(text) for text in values]
    if isinstance(languages, str):
        return [languages] * len(values)
    codes = [str(code) for code in languages]
    if len(codes) != len(values):
        raise InvalidParameterError(
            f"Got {len(codes)} languages for {len(values)} texts: give one each."
        )
    return codes


def score_texts(
    texts: Iterable[str | None],
    languages: str | Sequence[str] | None = None,
    *,
    models: Mapping[str, SentimentModel] | None = None,
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
    models : mapping of str to SentimentModel, optional
        Models to use instead of the shipped ones, by language ("fr", "en"), such as
        :attr:`~emptychair.voice.retrain.RetrainResult.models`; a language missing from the
        mapping keeps its shipped model.

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
    codes = _language_codes(values, languages)
    matching = [normalise(text) if isinstance(text, str) else "" for text in values]
    sentiments = _sentiments(matching, codes, models)
    frame = pd.DataFrame({"language": codes, "sentiment": sentiments})
    frame["label"] = [sentiment_label(value) for value in sentiments]
    if index is not None:
        frame.index = index
    return frame


def score_clauses(
    text: str | None,
    language: str | None = None,
    *,
    models: Mapping[str, SentimentModel] | None = None,
) -> pd.DataFrame:
    """Score each clause of a verbatim on its own.

    Parameters
    ----------
    text : str or None
        The verbatim, split by :func:`~emptychair.voice.text.clauses.split_clauses`.
    language : str or None, default None
        "fr" or "en"; None detects it on the whole verbatim.
    models : mapping of str to SentimentModel, optional
        As in :func:`score_texts`: models to use instead of the shipped ones, by language.

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
    table = score_clause_table([text], None if language is None else [language], models=models)
    return table.drop(columns=["verbatim", "language"]).reset_index(drop=True)


def score_clause_table(
    texts: Iterable[str | None],
    languages: str | Sequence[str] | None = None,
    *,
    models: Mapping[str, SentimentModel] | None = None,
) -> pd.DataFrame:
    """Split many verbatims into clauses and score all the clauses in one batch.

    Parameters
    ----------
    texts : iterable of str or None
        Verbatims as customers wrote them, each split by
        :func:`~emptychair.voice.text.clauses.split_clauses`.
    languages : str, sequence of str or None, default None
        As in :func:`score_texts`: one for all, one per verbatim, or None to detect each.
    models : mapping of str to SentimentModel, optional
        As in :func:`score_texts`: models to use instead of the shipped ones, by language.

    Returns
    -------
    DataFrame
        One row per clause, in verbatim then clause order: ``verbatim`` (the position of the
        verbatim in ``texts``, from 0), ``language``, ``clause``, ``start``, ``end``,
        ``after_contrast``, ``sentiment`` and ``label``. Verbatims with no text have no rows.

    Examples
    --------
    >>> table = score_clause_table(["livraison rapide mais produit cassé", "great, thanks"])
    >>> table[["verbatim", "label"]].values.tolist()
    [[0, 'positive'], [0, 'negative'], [1, 'positive']]
    """
    values = list(texts)
    codes = _language_codes(values, languages)
    rows: list[tuple[int, str, str, int, int, bool]] = [
        (position, code, clause.text, clause.start, clause.end, clause.after_contrast)
        for position, (text, code) in enumerate(zip(values, codes, strict=True))
        for clause in split_clauses(text, code)
    ]
    columns = ["verbatim", "language", "clause", "start", "end", "after_contrast"]
    table = pd.DataFrame(rows, columns=columns).astype(
        {"verbatim": np.int64, "start": np.int64, "end": np.int64, "after_contrast": bool}
    )
    matching = [normalise(clause) for clause in table["clause"]]
    sentiments = _sentiments(matching, table["language"].tolist(), models)
    table["sentiment"] = sentiments
    table["label"] = [sentiment_label(value) for value in sentiments]
    return table
