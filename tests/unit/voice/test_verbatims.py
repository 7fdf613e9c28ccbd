"""Reading many verbatims: themes with their own sentiment, odd inputs, exports."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from emptychair.errors import ImportFileError, InvalidParameterError, MappingError
from emptychair.voice.taxonomy import Taxonomy, Theme
from emptychair.voice.text_files import read_text_table, score_text_frame, write_table
from emptychair.voice.verbatims import analyse_verbatims


def test_each_theme_takes_the_sentiment_of_its_own_clause() -> None:
    result = analyse_verbatims(
        [
            "Livraison rapide mais produit cassé.",
            "The parcel never arrived and customer service never answered.",
            "Prix imbattables, personnel souriant.",
        ],
        ["fr", "en", "fr"],
    )
    mentions = result.mentions
    first = mentions[mentions["position"] == 0].set_index("theme")["label"].to_dict()
    assert first == {"delivery": "positive", "product_quality": "negative"}
    second = mentions[mentions["position"] == 1].set_index("theme")["label"].to_dict()
    assert second["delivery"] == "negative"
    assert set(mentions.loc[mentions["position"] == 2, "label"]) == {"positive"}
    verbatims = result.verbatims
    assert verbatims.loc[0, "themes"] == "delivery;product_quality"
    assert verbatims.loc[0, "negative_themes"] == "product_quality"
    assert verbatims.loc[1, "label"] == "negative"
    assert verbatims["clauses"].tolist() == [2, 1, 1]  # split at contrasts, not at "and"


def test_a_series_keeps_its_index_and_missing_languages_are_detected() -> None:
    texts = pd.Series(
        ["colis jamais reçu, service client injoignable", "quick refund, thanks", None],
        index=[10, 20, 30],
    )
    result = analyse_verbatims(texts, [None, "unknown", "fr"])
    assert result.verbatims.index.tolist() == [10, 20, 30]
    assert result.verbatims["language"].tolist() == ["fr", "en", "fr"]
    assert result.verbatims.loc[10, "label"] == "negative"
    assert math.isnan(result.verbatims.loc[30, "sentiment"])
    assert result.verbatims.loc[30, "themes"] == ""
    # Positions in mentions are 0-based rows of the input, whatever its index.
    assert set(result.mentions["position"]) <= {0, 1}


def test_odd_inputs_are_handled_without_losing_rows() -> None:
    long_text = "Livraison en retard. " + "bla " * 15_000 + "Produit cassé."
    texts = [
        "",
        "   ",
        "😡😡😡",
        "<p>Livraison <b>rapide</b>&nbsp;!</p>",
        "'; DROP TABLE feedback; --",
        long_text,
        "Service client injoignable but the refund was quick",
    ]
    result = analyse_verbatims(texts)
    verbatims = result.verbatims
    assert len(verbatims) == len(texts)
    assert verbatims.loc[0, "clauses"] == 0 and verbatims.loc[1, "clauses"] == 0
    assert verbatims.loc[3, "text_redacted"] == "Livraison rapide !"
    assert verbatims.loc[3, "themes"] == "delivery"
    assert verbatims.loc[4, "themes"] == ""
    # Only the beginning of a huge text is analysed; it is kept whole for display.
    assert "delivery" in verbatims.loc[5, "themes"]
    assert len(verbatims.loc[5, "text_redacted"]) > 50_000
    assert verbatims.loc[6, "language"] in ("fr", "en", "unknown")


def test_personal_data_is_redacted_in_texts_and_clauses() -> None:
    result = analyse_verbatims(
        ["Livraison en retard, appelez-moi au 06 12 34 56 78 ou marie.curie@example.fr"], "fr"
    )
    shown = result.verbatims.loc[0, "text_redacted"] + " ".join(result.mentions["clause"])
    assert "06 12 34 56 78" not in shown and "marie.curie" not in shown
    # The placeholders ("[email]", "[phone]") are not read as a theme.
    assert result.verbatims.loc[0, "themes"] == "delivery"


def test_a_custom_taxonomy_and_bad_arguments() -> None:
    taxonomy = Taxonomy([Theme("gift_card", terms={"fr": ("carte cadeau",), "en": ("gift card",)})])
    result = analyse_verbatims(["Ma carte cadeau a expiré, scandaleux"], "fr", taxonomy=taxonomy)
    assert result.mentions[["theme", "label"]].values.tolist() == [["gift_card", "negative"]]
    with pytest.raises(InvalidParameterError, match="2 languages for 1 verbatims"):
        analyse_verbatims(["a"], ["fr", "en"])
    summary = result.theme_summary()
    assert summary.loc[0, "theme"] == "gift_card" and summary.loc[0, "negative_share"] == 1.0


def test_score_text_frame_adds_columns_and_names_problems(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "comment": ["Produit cassé", None]})
    scored = score_text_frame(frame, "comment", language="fr")
    assert scored.columns.tolist()[:2] == ["id", "comment"]
    assert scored.loc[0, "themes"] == "product_quality"
    assert scored.loc[0, "sentiment_label"] == "negative"
    dropped = score_text_frame(frame, "comment", drop_text=True)
    assert "comment" not in dropped.columns and "text_redacted" in dropped.columns
    with pytest.raises(MappingError, match="no column 'texte'"):
        score_text_frame(frame, "texte", source="avis.csv")
    with pytest.raises(MappingError, match="themes"):
        score_text_frame(frame.assign(themes="x"), "comment")
    with pytest.raises(InvalidParameterError, match="--lang 'de'"):
        score_text_frame(frame, "comment", language="de")
    with pytest.raises(InvalidParameterError, match=r"\.xlsx"):
        write_table(scored, tmp_path / "out.xlsx")
    for suffix in (".csv", ".parquet", ".jsonl"):
        path = write_table(scored, tmp_path / f"out{suffix}")
        again = read_text_table(path)
        assert len(again) == 2 and "text_redacted" in again.columns
    with pytest.raises(ImportFileError, match="no such file"):
        read_text_table(tmp_path / "missing.csv")
