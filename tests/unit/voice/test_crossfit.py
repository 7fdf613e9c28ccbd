"""Learning sentiment from a company's own scores, cross-fitted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.voice.crossfit import (
    CombinedSentimentModel,
    best_cutoff,
    fold_of_rows,
    learn_from_scores,
)
from emptychair.voice.sentiment import score_clause_table

pytest.importorskip("sklearn")

_SUBJECTS = [
    "la livraison", "le conseiller", "le remboursement", "l'appli", "le service client",
    "la facture", "le magasin", "le site", "la hotline", "le suivi du colis",
]  # fmt: skip
_PRAISE = [
    "rapide", "parfait", "au top", "impeccable", "efficace", "très pratique", "excellent",
    "génial", "nickel", "super", "agréable", "sans souci", "top", "satisfaisant", "très clair",
]  # fmt: skip
_COMPLAINTS = [
    "lamentable", "inadmissible", "catastrophique", "nul", "déplorable", "honteux", "horrible",
    "décevant", "scandaleux", "inexistant", "trop lent", "pénible", "médiocre", "pitoyable",
    "inacceptable",
]  # fmt: skip
_NEUTRAL = ["j'ai appelé mardi", "commande passée en ligne", "client depuis deux ans", "voilà"]
_OBJECTS = ["le forfait", "la box", "l'abonnement", "la carte", "le dossier", "l'appli"]


def simulated_company(rows: int, seed: int = 0) -> pd.DataFrame:
    """A company's NPS-scored verbatims with a known sentiment.

    Each row is a promoter (9–10), a detractor (0–6) or a passive (7–8). A generic clause that
    the shipped model can read agrees with the truth in 60% of the rows (otherwise it is
    neutral); the company's jargon ("zorblax" praises, "grondu" complains, words no shipped model
    knows) agrees in 60% of the rows (otherwise neutral "plume"). Each source alone is
    incomplete, so learning from the scores and combining with the shipped model should help.
    """
    rng = np.random.default_rng(seed)
    truth = rng.choice([1, 0, -1], size=rows, p=[0.5, 0.35, 0.15])  # -1: passive
    texts, scores = [], []
    for kind in truth:
        generic = rng.choice(_NEUTRAL)
        jargon = "plume"
        if kind >= 0 and rng.random() < 0.6:
            generic = f"{rng.choice(_SUBJECTS)} {rng.choice(_PRAISE if kind == 1 else _COMPLAINTS)}"
        if kind >= 0 and rng.random() < 0.6:
            jargon = "zorblax" if kind == 1 else "grondu"
        texts.append(f"{rng.choice(_OBJECTS)} {jargon}, {generic}")
        score = {1: rng.integers(9, 11), 0: rng.integers(0, 7), -1: rng.integers(7, 9)}[kind]
        scores.append(float(score))
    return pd.DataFrame({"comment": texts, "nps": scores, "truth": truth})


@pytest.fixture(scope="module")
def company() -> pd.DataFrame:
    return simulated_company(1_200)


@pytest.fixture(scope="module")
def learned(company: pd.DataFrame):  # type: ignore[no-untyped-def]
    return learn_from_scores(company["comment"].tolist(), company["nps"], 10, "fr")


def test_folds_are_balanced_and_depend_on_position_only() -> None:
    fold = fold_of_rows(103, 5, seed=0)
    assert sorted(np.bincount(fold).tolist()) == [20, 20, 21, 21, 21]
    np.testing.assert_array_equal(fold, fold_of_rows(103, 5, seed=0))
    assert not np.array_equal(fold, fold_of_rows(103, 5, seed=1))


def test_best_cutoff_separates_separable_labels() -> None:
    logits = np.array([-3.0, -2.0, 1.0, 2.0, 5.0, 6.0])
    labels = np.array([0, 0, 0, 0, 1, 1])
    assert best_cutoff(logits, labels) == pytest.approx(3.5)


def test_rows_are_aligned_with_the_input_and_scored_once(company, learned) -> None:  # type: ignore[no-untyped-def]
    rows = learned.rows
    assert len(rows) == len(company)
    assert set(rows["method"]) == {learned.chosen["fr"]}
    labelled = company["truth"] >= 0
    # Every labelled row was held out by exactly one fold; passives were scored by the final model.
    assert (rows.loc[labelled, "fold"] >= 0).all() and (rows.loc[~labelled, "fold"] == -1).all()
    np.testing.assert_array_equal(rows["score_label"].isna(), ~labelled)
    chosen = rows["sentiment"].to_numpy()
    np.testing.assert_array_equal(chosen, rows[learned.chosen["fr"]].to_numpy())


def test_combined_is_at_least_as_good_as_either_alone(learned) -> None:  # type: ignore[no-untyped-def]
    summary = learned.summary.set_index("method")
    assert summary.loc["shipped", "rows"] > 900  # promoters and detractors of 1,200 rows
    f1 = summary["macro_f1"]
    assert f1["combined"] >= max(f1["shipped"], f1["learned"])
    assert f1["learned"] > f1["shipped"]  # the jargon is only learnable from the scores
    assert summary["spearman"]["combined"] >= summary["spearman"]["shipped"]
    assert learned.chosen == {"fr": "combined"}
    assert bool(summary.loc["combined", "chosen"]) and summary["chosen"].sum() == 1


def test_a_row_never_reads_its_own_score(company: pd.DataFrame) -> None:
    planted = company.head(300).copy()
    row = int(np.flatnonzero(planted["truth"] == 1)[0])
    planted.loc[row, "comment"] = "la box xylokravitch, voilà"  # a word found only in this row
    outcomes = []
    for score in (10.0, 0.0):
        planted.loc[row, "nps"] = score
        outcomes.append(learn_from_scores(planted["comment"], planted["nps"], 10, "fr"))
    promoter, detractor = outcomes
    for method in ("learned", "combined"):
        assert promoter.rows.loc[row, method] == detractor.rows.loc[row, method]
    # The final models did see the row's score, and it moves what they say of the same text.
    text = [planted.loc[row, "comment"]]
    finals = [outcome.score_texts(text, "fr")["sentiment"].iloc[0] for outcome in outcomes]
    assert finals[0] != finals[1]


def test_final_models_score_clauses_and_new_texts(learned) -> None:  # type: ignore[no-untyped-def]
    model = learned.models["fr"]
    assert isinstance(model, CombinedSentimentModel)
    scored = learned.score_texts(["la box zorblax", "la box grondu"], "fr")
    assert scored["label"].tolist() == ["positive", "negative"]
    clauses = score_clause_table(
        ["abonnement zorblax mais carte grondu"], "fr", models=learned.models
    )
    assert clauses["label"].tolist() == ["positive", "negative"]
    with pytest.raises(InvalidParameterError, match="cannot be saved"):
        model.save(None)


def test_too_few_scores_keep_the_shipped_model() -> None:
    texts = ["colis jamais reçu", "livraison rapide", "voilà", None]
    result = learn_from_scores(texts, [0, 10, np.nan, 9], 10, "fr")
    assert result.chosen == {"fr": "shipped"} and result.models == {}
    assert result.rows["learned"].isna().all()
    assert result.rows["label"].tolist()[:2] == ["negative", "positive"]
    assert result.rows["sentiment"].isna().tolist() == [False, False, False, True]


def test_bad_inputs_are_named() -> None:
    with pytest.raises(InvalidParameterError, match="3 texts and 2 scores"):
        learn_from_scores(["a", "b", "c"], [1, 2], 5, "fr")
    with pytest.raises(InvalidParameterError, match="folds"):
        learn_from_scores(["a"], [1], 5, "fr", folds=1)
    with pytest.raises(InvalidParameterError, match="outside the scale"):
        learn_from_scores(["a"], [11], 10, "fr")


def test_scale_is_inferred_from_the_highest_score() -> None:
    from emptychair.errors import MappingError
    from emptychair.voice.text_files import infer_scale_max, read_scores

    frame = pd.DataFrame({"note": ["4", "", "2,5", None]})
    np.testing.assert_array_equal(read_scores(frame, "note"), [4.0, np.nan, 2.5, np.nan])
    assert infer_scale_max(np.array([1.0, 5.0, np.nan])) == 5
    assert infer_scale_max(np.array([1.0, 6.0])) == 7
    assert infer_scale_max(np.array([0.0, 10.0])) == 10
    with pytest.raises(MappingError, match="goes up to 12"):
        infer_scale_max(np.array([12.0]), "note")
    with pytest.raises(MappingError, match="no scores"):
        infer_scale_max(np.array([np.nan]), "note")
