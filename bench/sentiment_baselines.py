"""Baselines for ``bench/sentiment.py``: the methods compared with the shipped model.

* TF-IDF word 1–2-grams + class-balanced logistic regression, trained here on the same training
  split as the shipped model (without the customer-service phrases);
* VADER (``vadersentiment``, MIT) and TextBlob (``textblob``, MIT) for English;
* vaderSentiment-fr (``vadersentiment-fr``, MIT) and textblob-fr (``textblob-fr``) for French.

Lexicon methods give a score in [-1, 1] read like the shipped sentiment (positive when ≥ 0). A
method whose package is missing, or that would need a corpus download, is skipped with a note.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from emptychair.voice.sentiment import score_clause_table, score_texts

Scorer = Callable[[list[str]], np.ndarray]
SHIPPED = "shipped model"


def _tfidf_baseline(language: str) -> Scorer:
    from sentiment import english_reviews, french_reviews

    if language == "fr":
        rows = french_reviews(test=False)
        texts, labels = rows["text"], rows["label"].to_numpy()
    else:
        rows = english_reviews(test=False)
        rows = rows[rows["stars"] != 3]
        texts, labels = rows["text"], (rows["stars"] >= 4).to_numpy(dtype=int)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    classifier = LogisticRegression(class_weight="balanced", max_iter=1_000)
    classifier.fit(vectorizer.fit_transform(texts), labels)
    return lambda batch: 2.0 * classifier.predict_proba(vectorizer.transform(batch))[:, 1] - 1.0


def _lexicon_scorers(notes: list[str]) -> dict[tuple[str, str], Scorer]:
    scorers: dict[tuple[str, str], Scorer] = {}
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        scorers["VADER", "en"] = lambda batch: np.array(
            [vader.polarity_scores(text)["compound"] for text in batch]
        )
    except ImportError:
        notes.append("VADER skipped: install vadersentiment")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from vaderSentiment_fr.vaderSentiment import (
                SentimentIntensityAnalyzer as FrenchAnalyzer,
            )
        vader_fr = FrenchAnalyzer()
        scorers["vaderSentiment-fr", "fr"] = lambda batch: np.array(
            [vader_fr.polarity_scores(text)["compound"] for text in batch]
        )
    except ImportError:
        notes.append("vaderSentiment-fr skipped: install vadersentiment-fr")
    try:
        from textblob import Blobber, TextBlob

        scorers["TextBlob", "en"] = lambda batch: np.array(
            [TextBlob(text).sentiment.polarity for text in batch]
        )
        try:
            from textblob_fr import PatternAnalyzer, PatternTagger

            blobber = Blobber(pos_tagger=PatternTagger(), analyzer=PatternAnalyzer())
            scorers["textblob-fr", "fr"] = lambda batch: np.array(
                [blobber(text).sentiment[0] for text in batch]
            )
        except ImportError:
            notes.append("textblob-fr skipped: install textblob-fr")
    except ImportError:
        notes.append("TextBlob skipped: install textblob")
    return scorers


def compare(splits: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Score every split with every method of its language; one row per (split, method)."""
    from sentiment import agreement

    notes: list[str] = []
    scorers: dict[tuple[str, str], Scorer] = {}
    for language in ("fr", "en"):
        scorers[SHIPPED, language] = lambda batch, code=language: score_texts(batch, code)[
            "sentiment"
        ].to_numpy(dtype=float)
        scorers["TF-IDF + LR", language] = _tfidf_baseline(language)
    scorers.update(_lexicon_scorers(notes))
    for language in ("fr", "en"):
        score_texts(["ok"], language)  # loads the shipped model outside the timings
    rows = []
    for split in splits:
        for (method, language), scorer in scorers.items():
            if language != split.language:
                continue
            started = time.perf_counter()
            try:
                sentiment = scorer(split.texts)
            except LookupError as error:  # a TextBlob corpus that is not downloaded
                notes.append(f"{method} skipped on {split.name}: {str(error).splitlines()[0]}")
                continue
            measured = agreement(split, sentiment, time.perf_counter() - started)
            rows.append({"split": split.name, "method": method, **measured})
    return rows, notes


def throughput(demo: Path | None) -> str:
    """Speed of the shipped model on the demo company's verbatims, per text and per clause."""
    if demo is None:
        return "throughput on the demo verbatims: give --demo"
    feedback = pd.read_json(demo / "feedback.jsonl", lines=True)
    feedback = feedback[feedback["text"].notna()]
    texts, languages = feedback["text"].tolist(), feedback["language"].tolist()
    score_texts(texts[:100], languages[:100])  # loads the models
    started = time.perf_counter()
    score_texts(texts, languages)
    per_text = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    clauses = score_clause_table(texts, languages)
    per_clause = time.perf_counter() - started
    return (
        f"throughput on {len(texts):,} demo verbatims (one batch, languages given): "
        f"score_texts {per_text:,.0f} verbatims/s; score_clause_table (split + score "
        f"{len(clauses):,} clauses) {len(texts) / per_clause:,.0f} verbatims/s"
    )
