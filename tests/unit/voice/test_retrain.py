"""Re-training the sentiment model on a company's own scored verbatims."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.voice.retrain import labels_from_scores, retrain_on_scores
from emptychair.voice.sentiment import SentimentModel

pytest.importorskip("sklearn")


def _company_verbatims(rows: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Verbatims whose sentiment only this company's jargon tells: "zorblax" praises, "grondu"
    complains (words the shipped model has never seen); NPS scores follow, passives included."""
    rng = np.random.default_rng(seed)
    objects = ["le colis", "la carte", "le dossier", "l'abonnement", "la box", "le compte"]
    texts, scores = [], []
    for row in range(rows):
        kind = row % 3
        word = {0: "zorblax", 1: "grondu", 2: "moyen"}[kind]
        texts.append(f"{rng.choice(objects)} {word} cette semaine")
        scores.append({0: rng.integers(9, 11), 1: rng.integers(0, 7), 2: rng.integers(7, 9)}[kind])
    return texts, np.array(scores, dtype=float)


def test_labels_from_scores_follow_each_scale() -> None:
    nps = labels_from_scores([0, 6, 7, 8, 9, 10, math.nan], 10)
    np.testing.assert_array_equal(nps, [0, 0, np.nan, np.nan, 1, 1, np.nan])
    np.testing.assert_array_equal(labels_from_scores([1, 2, 3, 4, 5], 5), [0, 0, np.nan, 1, 1])
    np.testing.assert_array_equal(labels_from_scores([3, 4, 5], 7), [0, np.nan, 1])
    mixed = labels_from_scores([9, 4, 5], [10, 5, 7])
    np.testing.assert_array_equal(mixed, [1, 1, 1])


def test_scores_outside_the_scale_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match=r"score 11 at position 1 .* 0–10"):
        labels_from_scores([9, 11], 10)
    with pytest.raises(InvalidParameterError, match=r"score 0 at position 0 .* 1–5"):
        labels_from_scores([0, 4], 5)
    with pytest.raises(InvalidParameterError, match="scale_max 4 is not supported"):
        labels_from_scores([1], 4)
    with pytest.raises(InvalidParameterError, match="one score and one language per text"):
        retrain_on_scores(["a", "b"], [1.0], 10, "fr")
    with pytest.raises(InvalidParameterError, match="folds"):
        retrain_on_scores(["a"], [1.0], 10, "fr", folds=1)


def test_company_jargon_is_learnt_and_the_retrained_model_is_chosen(tmp_path: Path) -> None:
    texts, scores = _company_verbatims(180)
    result = retrain_on_scores(texts, scores, 10, "fr", folds=3, seed=0)
    summary = result.summary.set_index("language").loc["fr"]
    assert summary["rows"] == 120  # the 60 passives are left out
    assert summary["chosen"] == "company"
    assert summary["company_macro_f1"] > 0.95
    assert summary["company_macro_f1"] > summary["shipped_macro_f1"]
    assert len(result.folds) == 3
    model = result.models["fr"]
    probabilities = model.probability_positive(["la box zorblax", "le compte grondu"])
    assert probabilities[0] > 0.5 > probabilities[1]
    paths = result.save(tmp_path)
    assert {path.name for path in paths} == {"sentiment_fr.npz", "sentiment_retrain.json"}
    reloaded = SentimentModel.load(tmp_path / "sentiment_fr.npz")
    np.testing.assert_allclose(
        reloaded.probability_positive(["la box zorblax"]), probabilities[:1], atol=1e-5
    )


def test_too_few_scored_verbatims_keep_the_shipped_model() -> None:
    texts, scores = _company_verbatims(30)
    result = retrain_on_scores(texts, scores, 10, ["fr"] * 30)
    assert result.summary["chosen"].tolist() == ["shipped"]
    assert result.models == {}
    assert result.folds.empty
