"""French and English verbatims written from themes whose polarity is known.

A verbatim is one or two clauses, one per theme, each saying something good or bad
about the theme; two clauses of opposite polarity are joined by a contrast ("mais",
"but") as in "Livraison rapide mais produit cassé". Some clauses and closing sentences
carry a negation ("pas du tout satisfait", "no complaints") and some French texts are
typed without accents, so that sentiment and theme detection meet what real customers
write.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

THEMES = (
    "delivery",
    "refund",
    "billing_fees",
    "waiting_time",
    "staff",
    "app_website",
    "product_quality",
    "price",
    "store",
)

#: theme -> language -> (positive clauses, negative clauses)
CLAUSES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "delivery": {
        "fr": (
            (
                "livraison rapide",
                "colis reçu en 48h",
                "livraison dans les temps",
                "le livreur était très aimable",
            ),
            (
                "livraison en retard",
                "colis jamais reçu",
                "la livraison a pris trois semaines",
                "le colis n'est toujours pas arrivé",
            ),
        ),
        "en": (
            (
                "fast delivery",
                "parcel arrived a day early",
                "delivery was on time",
                "the courier was very friendly",
            ),
            (
                "late delivery",
                "my parcel never arrived",
                "delivery took three weeks",
                "the parcel still hasn't arrived",
            ),
        ),
    },
    "refund": {
        "fr": (
            (
                "remboursement reçu en deux jours",
                "remboursement rapide",
                "j'ai été remboursé sans difficulté",
            ),
            (
                "toujours pas remboursé",
                "remboursement qui traîne depuis un mois",
                "j'attends encore mon remboursement",
            ),
        ),
        "en": (
            ("the refund came through quickly", "I was refunded within two days", "easy refund"),
            ("still waiting for my refund", "the refund took over a month", "no refund yet"),
        ),
    },
    "billing_fees": {
        "fr": (
            ("facture claire", "aucun frais caché", "frais de port offerts"),
            ("frais de port trop élevés", "facturé deux fois", "des frais cachés sur la facture"),
        ),
        "en": (
            ("clear invoice", "no hidden fees", "billing was simple and clear"),
            ("I was charged twice", "hidden fees on my invoice", "outrageous shipping fees"),
        ),
    },
    "waiting_time": {
        "fr": (
            (
                "pas d'attente au téléphone",
                "conseiller joignable en deux minutes",
                "très peu d'attente",
            ),
            (
                "40 minutes d'attente au téléphone",
                "une attente interminable",
                "impossible de joindre quelqu'un",
            ),
        ),
        "en": (
            ("no waiting on the phone", "got through in two minutes", "hardly any wait"),
            ("waited 40 minutes on hold", "endless waiting", "impossible to reach anyone"),
        ),
    },
    "staff": {
        "fr": (
            ("conseiller très aimable", "vendeuse à l'écoute et compétente", "personnel souriant"),
            (
                "conseiller désagréable",
                "vendeur pas du tout à l'écoute",
                "le conseiller m'a raccroché au nez",
            ),
        ),
        "en": (
            ("very friendly advisor", "helpful and knowledgeable staff", "the agent was patient"),
            ("rude advisor", "the staff were unhelpful", "the agent hung up on me"),
        ),
    },
    "app_website": {
        "fr": (
            ("site facile à utiliser", "appli fluide et pratique", "commande en ligne très simple"),
            (
                "le site plante au paiement",
                "impossible de me connecter à l'appli",
                "application lente et buggée",
            ),
        ),
        "en": (
            ("easy to use website", "the app is smooth", "ordering online was simple"),
            (
                "the website crashed at checkout",
                "can't log in to the app",
                "the app is slow and buggy",
            ),
        ),
    },
    "product_quality": {
        "fr": (
            (
                "produit de très bonne qualité",
                "article conforme à la description",
                "tissu très agréable",
            ),
            (
                "produit cassé",
                "article de mauvaise qualité",
                "produit défectueux au bout d'une semaine",
            ),
        ),
        "en": (
            ("great quality product", "item exactly as described", "lovely fabric"),
            (
                "the product arrived broken",
                "poor quality item",
                "the product stopped working after a week",
            ),
        ),
    },
    "price": {
        "fr": (
            ("prix très corrects", "des promos intéressantes", "prix imbattables"),
            ("trop cher", "prix en hausse", "beaucoup plus cher qu'ailleurs"),
        ),
        "en": (
            ("great prices", "good value for money", "nice discounts"),
            ("too expensive", "prices keep going up", "much pricier than elsewhere"),
        ),
    },
    "store": {
        "fr": (
            ("magasin bien rangé", "boutique agréable", "magasin propre et lumineux"),
            ("magasin en désordre", "rayons vides en boutique", "boutique bondée et mal rangée"),
        ),
        "en": (
            ("tidy store", "pleasant shop", "bright and clean store"),
            ("messy store", "empty shelves in the shop", "the shop was crowded and cramped"),
        ),
    },
}

#: A topic the taxonomy does not know, raised only in the last months of the history: the
#: new gift cards. Emerging-theme discovery should find it.
EMERGING_THEME = "gift_card"
CLAUSES[EMERGING_THEME] = {
    "fr": (
        ("la carte cadeau a fait très plaisir", "belle idée que cette carte cadeau"),
        (
            "ma carte cadeau a été refusée",
            "impossible d'utiliser ma carte cadeau",
            "carte cadeau expirée au bout de deux mois",
        ),
    ),
    "en": (
        ("the gift card made a lovely present", "great idea, this gift card"),
        (
            "my gift card was rejected",
            "could not use my gift card",
            "the gift card lapsed after two months",
        ),
    ),
}

#: Words that show a verbatim is about a theme (accents removed, lower case).
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "delivery": ("livr", "colis", "deliver", "parcel", "courier"),
    "refund": ("rembours", "refund"),
    "billing_fees": ("factur", "frais", "invoice", "fee", "charged", "billing"),
    "waiting_time": ("attente", "joign", "joindre", "wait", "hold", "reach", "got through"),
    "staff": ("conseiller", "vendeu", "personnel", "advisor", "staff", "agent"),
    "app_website": ("site", "appli", "en ligne", "website", "app", "online"),
    "product_quality": ("produit", "article", "tissu", "product", "item", "fabric"),
    "price": ("prix", "cher", "promo", "price", "pricier", "expensive", "value", "discount"),
    "store": ("magasin", "boutique", "store", "shop"),
    "gift_card": ("carte cadeau", "gift card"),
}

#: language -> (positive closings, negative closings)
CLOSINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fr": (
        ("Très satisfaite.", "Je recommande !", "Rien à redire.", "Aucun problème."),
        ("Pas du tout satisfait.", "Je ne recommande pas.", "Très déçu.", "Plus jamais."),
    ),
    "en": (
        ("Very happy.", "Would recommend!", "No complaints.", "Nothing to complain about."),
        ("Not happy at all.", "Would not recommend.", "Very disappointed.", "Never again."),
    ),
}
CONTRAST = {"fr": (" mais ", ", par contre "), "en": (" but ", ", however ")}
AND = {"fr": " et ", "en": " and "}
NEGATION = re.compile(
    r"\b(ne|n'|pas|jamais|aucun|rien|no|not|never|nothing|impossible)\b|n't", re.IGNORECASE
)


def strip_accents(text: str) -> str:
    """The text as typed on a keyboard without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def write_verbatim(
    rng: np.random.Generator,
    language: str,
    themes: list[str],
    positive: list[bool],
    closing: bool,
    no_accents: bool,
) -> str:
    """One verbatim about ``themes`` with the given polarity per theme."""
    lang = "en" if language == "en" else "fr"
    clauses = []
    for theme, good in zip(themes, positive, strict=True):
        options = CLAUSES[theme][lang][0 if good else 1]
        clauses.append(options[int(rng.integers(len(options)))])
    if len(clauses) == 1:
        body = clauses[0]
    elif positive[0] != positive[1]:
        joints = CONTRAST[lang]
        body = clauses[0] + joints[int(rng.integers(len(joints)))] + clauses[1]
    else:
        body = clauses[0] + AND[lang] + clauses[1]
    text = body[0].upper() + body[1:] + "."
    if closing and all(p == positive[0] for p in positive):
        options = CLOSINGS[lang][0 if positive[0] else 1]
        text += " " + options[int(rng.integers(len(options)))]
    if no_accents and lang == "fr":
        text = strip_accents(text)
    return text


def has_negation(text: str) -> bool:
    """Whether the verbatim contains a negation word."""
    return NEGATION.search(text) is not None
