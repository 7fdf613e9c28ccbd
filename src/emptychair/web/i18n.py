"""The dashboard's words in French and English, and the reader's language."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from emptychair.report.formatting import LANGUAGES

LANGUAGE_COOKIE = "emptychair_lang"
WORDS: dict[str, dict[str, Any]] = {
    "fr": {
        "app": "Empty Chair",
        "skip": "Aller au contenu",
        "nav": {
            "overview": "La chaise vide",
            "value": "Valeur",
            "voice": "Voix du client",
            "journeys": "Parcours",
            "scorecard": "Tableau de bord équipes",
        },
        "switch": "English",
        "logout": "Se déconnecter",
        "login_title": "Connexion",
        "account": "Compte",
        "token": "Jeton d'accès",
        "sign_in": "Se connecter",
        "login_failed": "Compte ou jeton inconnu, révoqué ou désactivé.",
        "too_many": "Trop d'essais : réessayez dans {wait} s.",
        "overview_title": "La chaise vide : ce que le client dirait s'il était dans la salle",
        "not_run": "Analyse non lancée : {command}.",
        "sources": "D'où viennent les chiffres",
        "warnings": "Alertes",
        "no_warning": "Aucune équipe ne gagne en productivité au détriment des clients.",
        "segments": "Segments",
        "by": {"team": "Par équipe", "channel": "Par canal"},
        "scores": "Scores par canal",
        "irritants": "Premiers irritants",
        "friction": "Frictions des parcours",
        "variants": "Parcours les plus fréquents",
        "columns": {
            "group": "équipe / canal",
            "channel": "canal",
            "handled": "contacts",
            "aht_s": "durée moy. (s)",
            "fcr": "résolution 1er contact",
            "csat": "CSAT",
            "easy": "effort faible",
            "complaints_per_1000": "récl. / 1 000",
            "retention": "recommandent",
            "segment": "segment",
            "customers": "clients",
            "share_of_customers": "part des clients",
            "share_of_revenue": "part du CA",
            "kind": "score",
            "group_value": "canal",
            "responses": "réponses",
            "score": "valeur",
            "interval": "intervalle à 95 %",
            "theme": "thème",
            "frequency": "part des verbatims",
            "value_at_risk": "valeur en jeu",
            "indicator": "indicateur",
            "flagged": "parcours touchés",
            "journeys": "parcours",
            "share": "part",
            "variant": "parcours",
        },
    },
    "en": {
        "app": "Empty Chair",
        "skip": "Skip to content",
        "nav": {
            "overview": "The empty chair",
            "value": "Value",
            "voice": "Voice",
            "journeys": "Journeys",
            "scorecard": "Scorecard",
        },
        "switch": "Français",
        "logout": "Sign out",
        "login_title": "Sign in",
        "account": "Account",
        "token": "Access token",
        "sign_in": "Sign in",
        "login_failed": "Unknown, revoked or disabled account or token.",
        "too_many": "Too many attempts: try again in {wait} s.",
        "overview_title": "The empty chair: what the customer would say if they were in the room",
        "not_run": "Analysis not run: {command}.",
        "sources": "Where the numbers come from",
        "warnings": "Warnings",
        "no_warning": "No team gains productivity at the customers' expense.",
        "segments": "Segments",
        "by": {"team": "By team", "channel": "By channel"},
        "scores": "Scores by channel",
        "irritants": "Top irritants",
        "friction": "Journey frictions",
        "variants": "Most frequent journeys",
        "columns": {
            "group": "team / channel",
            "channel": "channel",
            "handled": "contacts",
            "aht_s": "avg. handle time (s)",
            "fcr": "first-contact resolution",
            "csat": "CSAT",
            "easy": "low effort",
            "complaints_per_1000": "complaints / 1,000",
            "retention": "reorder",
            "segment": "segment",
            "customers": "customers",
            "share_of_customers": "share of customers",
            "share_of_revenue": "share of revenue",
            "kind": "score",
            "group_value": "channel",
            "responses": "answers",
            "score": "value",
            "interval": "95% interval",
            "theme": "theme",
            "frequency": "share of verbatims",
            "value_at_risk": "value at stake",
            "indicator": "indicator",
            "flagged": "journeys hit",
            "journeys": "journeys",
            "share": "share",
            "variant": "journey",
        },
    },
}


def language_of(request: Request) -> str:
    """``?lang=`` first, then the language cookie, then the browser's first choice, then English."""
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in LANGUAGES:
        return str(asked)
    accepted = request.headers.get("accept-language", "")
    return "fr" if accepted.lower().startswith("fr") else "en"
