"""Evaluation: the shipped sentiment models beside the baselines, on the same splits, in one run.

Splits (positive when the sentiment is ≥ 0; macro-F1, accuracy, ROC AUC, Spearman's rank
correlation with the rating where there is one, and speed in verbatims per second):

* ``fr allocine test``: 1,000 French film reviews (Allociné corpus, MIT), labels 1 / 0;
* ``en clothing test``: the English clothing-review test split ("Women's E-Commerce Clothing
  Reviews", CC0): rows whose row number modulo 10 is 7, 8 or 9, positive = 4–5 stars, negative =
  1–2 stars, 3 stars kept only for the rank correlation with ratings;
* ``fr cx-eval trustpilot``: French Trustpilot reviews (title and text), same star convention.
  These have no licence: read from ``/work/shared/data/cx-eval`` to measure only, never copied,
  shipped or trained on;
* ``demo fr`` / ``demo en``: the demo company's verbatims against their planted sentiment
  (``truth/feedback.csv``, "mixed" left out), when ``--demo`` points to a generated demo folder;
* ``phrases (in training)``: the hand-written customer-service phrases, which the shipped model
  is trained on (a check that it still reads them, not a held-out figure).

Methods: the shipped model (:func:`emptychair.voice.sentiment.score_texts`, one batch per split);
a TF-IDF word 1–2-gram + logistic regression baseline trained here on the same training split;
VADER and TextBlob (English), vaderSentiment-fr and textblob-fr (French), each skipped with a
note when its package (or a corpus it would need to download) is missing::

    python bench/sentiment.py [--no-cx-eval] [--demo /path/to/demo-data]
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
    role: str = "evaluation only"
    """How the shipped model used the split: "training" or "evaluation only"."""
    scores: np.ndarray | None = None
    """Scores a company would have (stars, NPS) to learn from, when the split may be learned
    from (never cx-eval)."""
    scale_max: np.ndarray | int | None = None


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
            scores=english["stars"].to_numpy(dtype=float),
            scale_max=5,
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
                role="evaluation only (measure only: no learning, no tuning)",
            )
        )
    return splits


def demo_splits(folder: Path) -> list[Split]:
    """The demo company's verbatims with a planted positive or negative sentiment, per language."""
    feedback = pd.read_json(folder / "feedback.jsonl", lines=True)
    truth = pd.read_csv(folder / "truth" / "feedback.csv")
    rows = feedback.merge(truth[["feedback_id", "sentiment"]], on="feedback_id")
    rows = rows[rows["text"].notna() & rows["sentiment"].isin(["positive", "negative"])]
    splits = []
    for language in ("fr", "en"):
        chosen = rows[rows["language"] == language]
        label = (chosen["sentiment"] == "positive").to_numpy(dtype=float)
        splits.append(
            Split(
                f"demo {language}",
                language,
                chosen["text"].tolist(),
                label,
                label,
                scores=chosen["score"].to_numpy(dtype=float),
                scale_max=chosen["scale_max"].to_numpy(dtype=int),
            )
        )
    return splits


def phrase_split(language: str) -> Split:
    """The hand-written customer-service phrases of one language (part of the training data)."""
    phrases = pd.read_csv(Path(__file__).resolve().parent / "sentiment_phrases.csv")
    phrases = phrases[phrases["language"] == language]
    label = phrases["label"].to_numpy(dtype=float)
    return Split(
        f"phrases {language}", language, phrases["text"].tolist(), label, label, role="training"
    )


def agreement(split: Split, sentiment: np.ndarray, seconds: float) -> dict[str, float]:
    """Macro-F1, accuracy, ROC AUC, Spearman and speed of one method's sentiment on a split."""
    sentiment = np.nan_to_num(np.asarray(sentiment, dtype=float), nan=0.0)
    binary = ~np.isnan(split.binary)
    truth, predicted = split.binary[binary], (sentiment[binary] >= 0).astype(float)
    rating_levels = len(np.unique(split.ratings[~np.isnan(split.ratings)]))
    both = ~np.isnan(split.ratings)
    return {
        "rows": float(len(split.texts)),
        "binary rows": float(binary.sum()),
        "macro-F1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "ROC AUC": float(roc_auc_score(truth, sentiment[binary])),
        "Spearman": float(spearmanr(split.ratings[both], sentiment[both]).statistic)
        if rating_levels > 2
        else float("nan"),
        "verbatims/s": len(split.texts) / seconds,
        # Confusion matrix: truth negative / positive against predicted negative / positive.
        "TN": float(np.sum((truth == 0) & (predicted == 0))),
        "FP": float(np.sum((truth == 0) & (predicted == 1))),
        "FN": float(np.sum((truth == 1) & (predicted == 0))),
        "TP": float(np.sum((truth == 1) & (predicted == 1))),
    }


def spearman_ceiling(ratings: np.ndarray) -> float:
    """The highest Spearman correlation with ``ratings`` that a score without ties can reach.

    A score that orders every rating level perfectly still ranks the verbatims inside a level
    one after the other, while the ratings tie them: when most ratings share one level (83% of
    five stars on cx-eval) the ceiling falls well below 1. Only a score with ties (a predicted
    star level) can exceed it.
    """
    known = np.sort(ratings[~np.isnan(ratings)])
    return float(spearmanr(known, np.arange(len(known))).statistic)


def evaluate(split: Split) -> dict[str, float]:
    """Score a split with the shipped model of its language and measure agreement."""
    started = time.perf_counter()
    sentiment = score_texts(split.texts, split.language)["sentiment"].to_numpy(dtype=float)
    return agreement(split, sentiment, time.perf_counter() - started)


def report(include_cx_eval: bool = True, demo: Path | None = None) -> pd.DataFrame:
    """Evaluate the shipped model on every split; one row per split."""
    splits = test_splits(include_cx_eval) + (demo_splits(demo) if demo else [])
    splits += [phrase_split("fr"), phrase_split("en")]
    table = pd.DataFrame({split.name: evaluate(split) for split in splits}).T
    return table.astype({"rows": int, "binary rows": int})


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table (one line per split and method)."""
    counts = ["rows", "binary rows", "TN", "FP", "FN", "TP"]
    figures = ["macro-F1", "accuracy", "ROC AUC", "Spearman"]
    header = [
        "split",
        "used as",
        "method",
        *counts[:2],
        *figures,
        "TN / FP / FN / TP",
        "verbatims/s",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 3 + "---:|" * (len(header) - 3)]
    for row in table.to_dict(orient="records"):
        cells = [row["split"], row["role"], row["method"]]
        cells += [f"{int(row[c]):,}" for c in counts[:2]]
        cells += ["—" if np.isnan(row[c]) else f"{row[c]:.3f}" for c in figures]
        cells.append(" / ".join(f"{int(row[c]):,}" for c in counts[2:]))
        cells.append(f"{row['verbatims/s']:,.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cx-eval", action="store_true", help="skip the cx-eval data")
    parser.add_argument("--demo", type=Path, help="a generated demo folder (with truth/)")
    parser.add_argument("--no-learn", action="store_true", help="skip learning from scores")
    arguments = parser.parse_args()
    from sentiment_baselines import compare, throughput
    from sentiment_learned import learned_rows

    splits = test_splits(not arguments.no_cx_eval)
    splits += demo_splits(arguments.demo) if arguments.demo else []
    splits += [phrase_split("fr"), phrase_split("en")]
    rows, notes = compare(splits)
    roles = {split.name: split.role for split in splits}
    rows = [{**row, "role": roles[row["split"]]} for row in rows]
    if not arguments.no_learn:
        for split in splits:
            rows.extend(learned_rows(split))
    table = pd.DataFrame(rows).astype({"rows": int, "binary rows": int})
    print(markdown(table))
    print(throughput(arguments.demo))
    for split in splits:
        if len(np.unique(split.ratings[~np.isnan(split.ratings)])) > 2:
            ceiling = spearman_ceiling(split.ratings)
            print(f"Spearman ceiling for a score without ties on {split.name}: {ceiling:.3f}")
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    main()
