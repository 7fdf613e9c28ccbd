"""Personal data replaced by typed placeholders; everything else kept."""

from __future__ import annotations

import pytest

from emptychair.voice.text.redaction import (
    KINDS,
    is_valid_iban,
    passes_luhn,
    redact,
    redaction_report,
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
    assert redaction_report(verbatim) == {"email": 1, "iban": 1, "card": 1, "phone": 2, "name": 2}
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
