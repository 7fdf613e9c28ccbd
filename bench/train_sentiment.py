"""Train the shipped sentiment models (French and English) and print their evaluation.

For each language it fits, with scikit-learn and a fixed seed, TF-IDF word 1–2-grams and
character 2–5-grams of the normalised verbatims (the analysers of
:mod:`emptychair.voice.sentiment`, so that training and scoring read the same n-grams) and a
class-balanced logistic regression, then writes the vocabulary, IDF and weights as
``src/emptychair/voice/models/sentiment_<language>.npz`` and a training record
``sentiment.json`` (data, sizes, hyperparameters and reference probabilities that the numpy
scorer must reproduce).

Training data:

* French: ``fr_allocine_train`` (2,000 film reviews, a sample of Théophile Blard's Allociné
  corpus, MIT licence);
* English: the training split of "Women's E-Commerce Clothing Reviews" (Kaggle nicapotato,
  CC0 1.0): rows whose row number modulo 10 is not 7, 8 or 9; positive = 4–5 stars,
  negative = 1–2 stars, 3 stars left out;
* both: the hand-written customer-service phrases of ``bench/sentiment_phrases.csv`` (written for
  this project), each weighted :data:`PHRASE_WEIGHT`, to teach the register of customer-service
  verbatims that film and clothing reviews lack.

The cx-eval Trustpilot reviews are never read here: they only measure (``bench/sentiment.py``)::

    python bench/train_sentiment.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from emptychair.voice.sentiment import (
    MODEL_DIRECTORY,
    SentimentModel,
    char_ngrams,
    word_ngrams,
)
from emptychair.voice.text import normalise
from sentiment import english_reviews, french_reviews, report

HERE = Path(__file__).resolve().parent
PHRASES = HERE / "sentiment_phrases.csv"
SEED = 0
PHRASE_WEIGHT = 5.0
"""Each hand-written phrase counts as this many reviews."""
MAX_WORD_FEATURES = 40_000
MAX_CHAR_FEATURES = 80_000
MIN_DOCUMENT_FREQUENCY = 2
REGULARISATION_C = 4.0
"""Chosen with ``class_weight="balanced"`` by 3-fold cross-validation on the training rows."""
REFERENCE_TEXTS = {
    "fr": ["colis jamais reçu", "livraison rapide, merci", "pas satisfait du tout", "bof"],
    "en": ["never received my parcel", "quick refund, thanks", "not happy at all", "meh"],
}
SOURCES = {
    "fr": "fr_allocine_train (Allociné corpus, T. Blard, MIT) + bench/sentiment_phrases.csv",
    "en": "Women's E-Commerce Clothing Reviews train split (CC0 1.0) + bench/sentiment_phrases.csv",
}


def training_rows(language: str) -> pd.DataFrame:
    """Texts, binary labels and sample weights for one language."""
    if language == "fr":
        reviews = french_reviews(test=False)
    else:
        english = english_reviews(test=False)
        english = english[english["stars"] != 3]
        reviews = pd.DataFrame({"text": english["text"], "label": (english["stars"] >= 4)})
    phrases = pd.read_csv(PHRASES)
    phrases = phrases[phrases["language"] == language]
    rows = pd.concat(
        [
            reviews[["text", "label"]].assign(weight=1.0),
            phrases[["text", "label"]].assign(weight=PHRASE_WEIGHT),
        ],
        ignore_index=True,
    )
    rows["text"] = rows["text"].map(normalise)
    rows["label"] = rows["label"].astype(int)
    return rows[rows["text"] != ""].reset_index(drop=True)


def _vectorizer(analyzer: object, max_features: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=analyzer,
        sublinear_tf=True,
        min_df=MIN_DOCUMENT_FREQUENCY,
        max_features=max_features,
        dtype=np.float64,
    )


def train(language: str) -> tuple[SentimentModel, dict[str, object]]:
    """Fit one language's model; return it with its training record."""
    rows = training_rows(language)
    word = _vectorizer(word_ngrams, MAX_WORD_FEATURES)
    char = _vectorizer(char_ngrams, MAX_CHAR_FEATURES)
    features = sp.hstack([word.fit_transform(rows["text"]), char.fit_transform(rows["text"])])
    classifier = LogisticRegression(
        C=REGULARISATION_C,
        class_weight="balanced",
        solver="liblinear",
        max_iter=1_000,
        random_state=SEED,
    )
    classifier.fit(features.tocsr(), rows["label"], sample_weight=rows["weight"])
    model = SentimentModel.from_estimators(language, word, char, classifier)
    references = REFERENCE_TEXTS[language]
    matching = [normalise(text) for text in references]
    stacked = sp.hstack([word.transform(matching), char.transform(matching)]).tocsr()
    record = {
        "training_data": SOURCES[language],
        "training_rows": len(rows),
        "positive_share": round(float(rows["label"].mean()), 4),
        "word_features": len(word.vocabulary_),
        "char_features": len(char.vocabulary_),
        "reference_texts": references,
        "reference_probabilities": classifier.predict_proba(stacked)[:, 1].tolist(),
    }
    return model, record


def main() -> None:
    np.random.seed(SEED)
    MODEL_DIRECTORY.mkdir(parents=True, exist_ok=True)
    records: dict[str, object] = {}
    for language in ("fr", "en"):
        started = time.perf_counter()
        model, record = train(language)
        path = MODEL_DIRECTORY / f"sentiment_{language}.npz"
        model.save(path)
        record["seconds"] = round(time.perf_counter() - started, 1)
        record["file_bytes"] = path.stat().st_size
        records[language] = record
        print(f"{language}: {record}")
    metadata = {
        "model": "TF-IDF word 1-2-grams + char 2-5-grams, logistic regression",
        "hyperparameters": {
            "C": REGULARISATION_C,
            "class_weight": "balanced",
            "min_df": MIN_DOCUMENT_FREQUENCY,
            "max_word_features": MAX_WORD_FEATURES,
            "max_char_features": MAX_CHAR_FEATURES,
            "phrase_weight": PHRASE_WEIGHT,
            "seed": SEED,
        },
        "scikit_learn": sklearn.__version__,
        "languages": records,
    }
    text = json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
    (MODEL_DIRECTORY / "sentiment.json").write_text(text, encoding="utf-8")
    with pd.option_context(
        "display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format
    ):
        print(report())


if __name__ == "__main__":
    main()
