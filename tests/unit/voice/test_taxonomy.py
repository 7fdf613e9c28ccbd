"""The theme taxonomy: the shipped file, loading errors, matching French and English verbatims."""

from __future__ import annotations

from pathlib import Path

import pytest

from emptychair.errors import EmptyChairError, InvalidParameterError
from emptychair.voice.taxonomy import Taxonomy, TaxonomyError, Theme, ThemeMatch
from emptychair.voice.taxonomy_file import load_taxonomy, write_default_taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def test_default_taxonomy_has_the_expected_themes(taxonomy: Taxonomy) -> None:
    expected = {
        "delivery", "price_and_fees", "product_quality", "staff_and_service", "waiting_time",
        "reachability", "website_and_app", "billing", "returns_and_refunds",
        "communication_and_information", "loyalty_programme", "store", "account_and_security",
        "stock_availability", "complaint_handling",
    }  # fmt: skip
    assert expected <= set(taxonomy.theme_ids)
    assert taxonomy.languages == ("fr", "en")
    for theme in taxonomy.themes:
        assert set(theme.label) == {"fr", "en"}
        assert set(theme.description) == {"fr", "en"}
        assert theme.terms["fr"] and theme.terms["en"]


FRENCH = [
    ("Colis jamais reçu, le livreur ne s'est pas présenté", {"delivery"}),
    ("colis jamais recu", {"delivery"}),
    ("Livraisons toujours en retard", {"delivery"}),
    ("Les frais cachés sur mon compte sont scandaleux", {"price_and_fees", "account_and_security"}),
    ("Beaucoup trop cher", {"price_and_fees"}),
    ("Produit cassé à l'arrivée", {"product_quality"}),
    ("Chaussures abîmées après une semaine", {"product_quality"}),
    ("Conseillère très aimable et compétente", {"staff_and_service"}),
    ("Vendeur impoli et désagréable", {"staff_and_service"}),
    ("L'attente était interminable", {"waiting_time"}),
    ("Trop d'attente en caisse", {"waiting_time", "store"}),
    ("Service injoignable, on m'a raccroché au nez", {"reachability"}),
    ("Impossible de joindre quelqu'un, personne ne répond", {"reachability"}),
    ("L'appli plante à chaque connexion", {"website_and_app", "account_and_security"}),
    ("Site internet pas ergonomique", {"website_and_app"}),
    ("Erreur de facturation, prélevé deux fois", {"billing"}),
    ("Remboursment toujours pas fait", {"returns_and_refunds"}),
    ("Les remboursements prennent trop de temps", {"returns_and_refunds"}),
    ("Retour gratuit et échange facile", {"returns_and_refunds"}),
    ("Pas informé du changement, aucune nouvelle", {"communication_and_information"}),
    ("Ma carte de fidélité n'a pas cumulé les points", {"loyalty_programme"}),
    ("Magasin sale et mal rangé", {"store"}),
    ("Mon compte a été piraté", {"account_and_security"}),
    ("Article en rupture de stock depuis un mois", {"stock_availability", "waiting_time"}),
    ("Le SAV ne traite pas ma réclamation", {"complaint_handling"}),
    ("Le sav m'a proposé un geste commercial", {"complaint_handling"}),
]

ENGLISH = [
    ("Parcel never arrived and the courier was rude", {"delivery", "staff_and_service"}),
    ("My package was late", {"delivery"}),
    ("Hidden fees everywhere, total rip-off", {"price_and_fees"}),
    ("The jacket fell apart after two washes", {"product_quality"}),
    ("Staff were friendly and knowledgeable", {"staff_and_service"}),
    ("I was on hold for an hour", {"waiting_time"}),
    ("They hung up on me twice", {"reachability"}),
    ("Couldn't get through to anyone", {"reachability"}),
    ("The app keeps crashing", {"website_and_app"}),
    ("I was overcharged on my last bill", {"billing"}),
    ("Still waiting for my refund", {"waiting_time", "returns_and_refunds"}),
    ("They refunded me", {"returns_and_refunds"}),
    ("Refunds took weeks", {"returns_and_refunds"}),
    ("Misleading information on the website", {"communication_and_information", "website_and_app"}),
    ("My loyalty points disappeared", {"loyalty_programme"}),
    ("The store was dirty and the aisles messy", {"store"}),
    ("Someone hacked my account", {"account_and_security"}),
    ("Out of stock again", {"stock_availability"}),
    ("My complaint was never resolved", {"complaint_handling"}),
]

NEGATIVES = [
    ("Le savon sent bon", "fr"),
    ("Rien à signaler, parfait", "fr"),
    ("Merci beaucoup, très satisfaite", "fr"),
    ("Je me suis rendu compte de mon erreur", "fr"),
    ("Lovely, thank you", "en"),
    ("I will take that into account", "en"),
]


@pytest.mark.parametrize(("text", "themes"), FRENCH)
def test_french_verbatims(taxonomy: Taxonomy, text: str, themes: set[str]) -> None:
    assert set(taxonomy.match_many([text], "fr")[0]) == themes


@pytest.mark.parametrize(("text", "themes"), ENGLISH)
def test_english_verbatims(taxonomy: Taxonomy, text: str, themes: set[str]) -> None:
    assert set(taxonomy.match_many([text], "en")[0]) == themes


@pytest.mark.parametrize(("text", "language"), NEGATIVES)
def test_texts_without_theme(taxonomy: Taxonomy, text: str, language: str) -> None:
    assert taxonomy.themes_of(text, language) == []


def test_themes_of_gives_positions_in_the_original_text(taxonomy: Taxonomy) -> None:
    text = "Colis JAMAIS REÇU; l’attente au SAV!"
    matches = taxonomy.themes_of(text, "fr")
    assert ThemeMatch("delivery", "jamais reçu", 6, 17) in matches
    assert [text[m.start : m.end] for m in matches] == ["Colis", "JAMAIS REÇU", "attente", "SAV"]


def test_decomposed_accents_and_ligatures_keep_positions(taxonomy: Taxonomy) -> None:
    text = "Cœur brisé: produit casse\u0301e"
    [match] = taxonomy.themes_of(text, "fr")[-1:]
    assert match.theme_id == "product_quality"
    assert text[match.start : match.end] == "casse\u0301e"


def test_exclusion_only_cancels_its_own_theme(taxonomy: Taxonomy) -> None:
    themes = taxonomy.match_many(["Des prix cassés toute l'année"], "fr")[0]
    assert themes == ["price_and_fees"]


def test_match_many_with_one_language_per_text(taxonomy: Taxonomy) -> None:
    texts = ["Colis perdu", "Lost parcel", None, "colis"]
    assert taxonomy.match_many(texts, ["fr", "en", "fr", None]) == [
        ["delivery"], ["delivery"], [], [],
    ]  # fmt: skip


def test_unknown_language_and_length_mismatch(taxonomy: Taxonomy) -> None:
    with pytest.raises(InvalidParameterError, match="'de'"):
        taxonomy.themes_of("Lieferung", "de")
    with pytest.raises(InvalidParameterError, match="2 texts but 1 languages"):
        taxonomy.match_many(["a", "b"], ["fr"])


def test_write_default_then_load_gives_the_same_taxonomy(tmp_path: Path) -> None:
    path = write_default_taxonomy(tmp_path / "themes.yaml")
    assert "# Empty Chair" in path.read_text(encoding="utf-8")
    assert load_taxonomy(path) == load_taxonomy()
    with pytest.raises(InvalidParameterError, match="already exists"):
        write_default_taxonomy(path)
    write_default_taxonomy(path, overwrite=True)


def test_to_yaml_round_trip(tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    path = tmp_path / "copy.yaml"
    path.write_text(taxonomy.to_yaml(), encoding="utf-8")
    assert load_taxonomy(path) == taxonomy
    small = Taxonomy([Theme("delivery", terms={"fr": ("colis",)})])
    path.write_text(small.to_yaml(), encoding="utf-8")
    assert load_taxonomy(path) == small


def _load(tmp_path: Path, content: str) -> Taxonomy:
    path = tmp_path / "mine.yaml"
    path.write_text(content, encoding="utf-8")
    return load_taxonomy(path)


ONE = "themes:\n  - "
INVALID_FILES = [
    (ONE + "id: a\n    terms: {fr: [colis\n", r"not valid YAML at line \d+, column \d+"),
    (ONE + "terms: {fr: [colis]}\n", r"theme #1: missing field 'id'"),
    (ONE + "id: delivery\n", r"theme 'delivery', field 'terms': missing"),
    (ONE + "{id: a, terms: {fr: [x]}}\n  - {id: a, terms: {fr: [y]}}\n", r"'a': duplicate id"),
    (ONE + "{id: a, terms: {de: [x]}}\n", r"'a', field 'terms'\.de: unknown language 'de'"),
    (ONE + "{id: a, terms: {fr: [colis, '  ']}}\n", r"'terms'\.fr, item 2: the term is empty"),
    (ONE + "{id: a, terms: {en: [on, off]}}\n", r"item 1: expected a word or phrase, got true"),
    (ONE + "{id: a, terms: {fr: colis}}\n", r"field 'terms'\.fr: expected a list"),
    (ONE + "{id: a, terms: {fr: [x]}, term: {fr: [y]}}\n", r"unknown field 'term'"),
    (ONE + "{id: A b, terms: {fr: [x]}}\n", r"'A b' is not a valid id"),
    (ONE + "{id: a, label: Livraison, terms: {fr: [x]}}\n", r"'label': expected a mapping"),
    ("- a\n- b\n", r"top level: expected a mapping"),
    ("themes: []\n", r"the list is empty"),
]


@pytest.mark.parametrize(("content", "message"), INVALID_FILES)
def test_invalid_files_name_file_theme_and_field(
    tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(TaxonomyError, match=message) as caught:
        _load(tmp_path, content)
    assert "mine.yaml" in str(caught.value)
    assert isinstance(caught.value, EmptyChairError)
    assert caught.value.exit_code == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read the taxonomy file"):
        load_taxonomy(tmp_path / "nowhere.yaml")


def test_matching_many_texts(taxonomy: Taxonomy) -> None:
    texts = ["Livraison en retard, conseiller injoignable", "Still waiting for my refund"] * 5000
    languages = ["fr", "en"] * 5000
    results = taxonomy.match_many(texts, languages)
    assert len(results) == 10_000
    assert results[1] == ["waiting_time", "returns_and_refunds"]
