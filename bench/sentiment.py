"""Evaluation: the shipped sentiment models on review test splits and French customer service.

Reads the shipped models (``src/emptychair/voice/models/``) and scores

* ``fr_allocine_test``: 1,000 French film reviews (Allociné corpus, MIT), labels 1 / 0;
* the English clothing-review test split ("Women's E-Commerce Clothing Reviews", CC0): rows whose
  row number modulo 10 is 7, 8 or 9, positive = 4–5 stars, negative = 1–2 stars, 3 stars kept only
  for the rank correlation with ratings;
* ``cx-eval`` French Trustpilot reviews (title and text), with the same star convention. These
  have no licence: they are read from ``/work/shared/data/cx-eval`` to measure only, never copied,
  shipped or trained on.

It prints macro-F1, accuracy and ROC AUC (positive when sentiment ≥ 0), Spearman's rank
correlation with the rating where there is one, and the scoring speed::

    python bench/sentiment.py
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from emptychair.voice.sentiment import score_texts

SHARED = Path("/work/shared/data")
REVIEWS = SHARED / "reviews"
CX_EVAL = SHARED / "cx-eval" / "fr_trustpilot_multisector.csv.gz"
ENGLISH_TEST_REMAINDERS = (7, 8, 9)


@dataclass(frozen=True)
class Split:
    """Texts to score, with their rating (stars, or 0/1) and their binary label (NaN for 3)."""

    name: str
    language: str
    texts: list[str]
    ratings: np.ndarray
    binary: np.ndarray


def _joined(title: pd.Series, text: pd.Series) -> pd.Series:
    title, text = title.fillna("").astype(str).str.strip(), text.fillna("").astype(str).str.strip()
    return (title + ". " + text).str.strip(". ").where(title != "", text)


def _star_binary(stars: pd.Series) -> np.ndarray:
    return np.where(stars >= 4, 1.0, np.where(stars <= 2, 0.0, np.nan))


def english_reviews(test: bool) -> pd.DataFrame:
    """The English clothing reviews of the train or test split: ``text``, ``stars``."""
    frame = pd.read_csv(REVIEWS / "en_womens_clothing_reviews.csv.gz", index_col=0)
    in_test = np.isin(frame.index.to_numpy() % 10, ENGLISH_TEST_REMAINDERS)
    frame = frame[in_test if test else ~in_test]
    reviews = pd.DataFrame(
        {"text": _joined(frame["Title"], frame["Review Text"]), "stars": frame["Rating"]}
    )
    return reviews[frame["Review Text"].notna()].reset_index(drop=True)


def french_reviews(test: bool) -> pd.DataFrame:
    """The Allociné sample for training or testing: ``text``, ``label``."""
    name = "fr_allocine_test" if test else "fr_allocine_train"
    return pd.read_csv(REVIEWS / f"{name}.csv.gz")


def test_splits(include_cx_eval: bool = True) -> list[Split]:
    """The evaluation splits, in report order; cx-eval only when present and asked for."""
    french = french_reviews(test=True)
    english = english_reviews(test=True)
    splits = [
        Split(
            "fr allocine test",
            "fr",
            french["text"].tolist(),
            french["label"].to_numpy(dtype=float),
            french["label"].to_numpy(dtype=float),
        ),
        Split(
            "en clothing test",
            "en",
            english["text"].tolist(),
            english["stars"].to_numpy(dtype=float),
            _star_binary(english["stars"]),
        ),
    ]
    if include_cx_eval and CX_EVAL.exists():
        trustpilot = pd.read_csv(CX_EVAL)
        stars = trustpilot["stars"].astype(float)
        splits.append(
            Split(
                "fr cx-eval trustpilot",
                "fr",
                _joined(trustpilot["title"], trustpilot["text"]).tolist(),
                stars.to_numpy(),
                _star_binary(stars),
            )
        )
    return splits


def evaluate(split: Split) -> dict[str, float]:
    """Score a split with the shipped model of its language and measure agreement."""
    started = time.perf_counter()
    sentiment = score_texts(split.texts, split.language)["sentiment"].to_numpy(dtype=float)
    seconds = time.perf_counter() - started
    sentiment = np.nan_to_num(sentiment, nan=0.0)
    binary = ~np.isnan(split.binary)
    truth, predicted = split.binary[binary], (sentiment[binary] >= 0).astype(float)
    rating_levels = len(np.unique(split.ratings))
    return {
        "rows": float(len(split.texts)),
        "binary rows": float(binary.sum()),
        "macro-F1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "ROC AUC": float(roc_auc_score(truth, sentiment[binary])),
        "Spearman": float(spearmanr(split.ratings, sentiment).statistic)
        if rating_levels > 2
        else float("nan"),
        "texts/s": len(split.texts) / seconds,
    }


def report(include_cx_eval: bool = True) -> pd.DataFrame:
    """Evaluate every split and return the table (one row per split)."""
    rows = {split.name: evaluate(split) for split in test_splits(include_cx_eval)}
    table = pd.DataFrame(rows).T
    return table.astype({"rows": int, "binary rows": int})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cx-eval", action="store_true", help="skip the cx-eval data")
    arguments = parser.parse_args()
    with pd.option_context(
        "display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format
    ):
        print(report(include_cx_eval=not arguments.no_cx_eval))


if __name__ == "__main__":
    main()
