"""Read many verbatims at once: language, sentiment, themes with their sentiment, redaction.

Each verbatim is cleaned (HTML removed), split into clauses, and every clause is scored
on its own, so that "livraison rapide mais produit cassé" gives delivery a positive
mention and product quality a negative one. A theme takes the sentiment of the clauses
that mention it. The text shown to people is the redacted one: the analysis reads the
original, nothing personal leaves it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.voice.sentiment import (
    LANGUAGES,
    SentimentModel,
    score_clause_table,
    score_texts,
    sentiment_label,
)
from emptychair.voice.taxonomy import Taxonomy
from emptychair.voice.taxonomy_file import default_taxonomy
from emptychair.voice.text import MAX_ANALYSED_CHARACTERS, clean, detect_language, redact_many
from emptychair.voice.text.redaction import PLACEHOLDERS

MENTION_COLUMNS = ("position", "theme", "sentiment", "label", "clauses", "clause")


@dataclass
class VerbatimAnalysis:
    """What the verbatims say.

    Attributes
    ----------
    verbatims : DataFrame
        One row per verbatim, in the input order (a Series input keeps its index):
        ``language``, ``sentiment`` (-1..1, NaN when there is nothing to score),
        ``label``, ``themes`` (theme ids joined by ";", "" for none), ``negative_themes``,
        ``clauses`` (how many) and ``text_redacted`` (the display form, personal data
        replaced by placeholders).
    mentions : DataFrame
        One row per verbatim and theme it mentions: ``position`` (0-based row of the
        verbatim in the input), ``theme``, ``sentiment`` (mean of the clauses that mention
        it), ``label``, ``clauses`` (how many clauses mention it) and ``clause`` (the first
        of them, redacted).
    """

    verbatims: pd.DataFrame
    mentions: pd.DataFrame

    def theme_summary(self) -> pd.DataFrame:
        """Per theme: mentions, share of verbatims with text, mean sentiment, label shares."""
        return theme_summary(self.mentions, int(self.verbatims["clauses"].gt(0).sum()))


def resolve_languages(
    values: list[str | None], languages: str | Sequence[str | None] | None
) -> list[str]:
    """One language code per verbatim: the given one, else detected."""
    if languages is None:
        given: list[str | None] = [None] * len(values)
    elif isinstance(languages, str):
        given = [languages] * len(values)
    else:
        given = list(languages)
        if len(given) != len(values):
            raise InvalidParameterError(
                f"Got {len(given)} languages for {len(values)} verbatims: give one each, "
                "one for all, or none to detect them."
            )
    codes = []
    for text, code in zip(values, given, strict=True):
        known = code.strip().lower() if isinstance(code, str) else ""
        if known in ("fr", "en"):
            codes.append(known)
        elif known in ("", "auto", "unknown"):
            codes.append(detect_language(text))
        else:
            codes.append(known)
    return codes


_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


def _without_placeholders(text: str) -> str:
    if "[" not in text:
        return text
    return _PLACEHOLDER.sub(lambda match: " " * len(match.group()), text)


def _shown(values: list[str | None], codes: list[str]) -> list[str | None]:
    """The display form of each verbatim: cleaned, personal data redacted (in one batch)."""
    present = [i for i, text in enumerate(values) if text is not None]
    redacted = redact_many(
        [clean(values[i]) for i in present],
        [codes[i] if codes[i] in LANGUAGES else None for i in present],
    )
    shown: list[str | None] = [None] * len(values)
    for i, text in zip(present, redacted, strict=True):
        shown[i] = text
    return shown


def analyse_verbatims(
    texts: Iterable[str | None],
    languages: str | Sequence[str | None] | None = None,
    *,
    taxonomy: Taxonomy | None = None,
    models: Mapping[str, SentimentModel] | None = None,
) -> VerbatimAnalysis:
    """Analyse verbatims: language, sentiment, themes and the sentiment of each theme.

    Parameters
    ----------
    texts : iterable of str or None
        The verbatims as customers wrote them (None or blank: nothing to analyse). A pandas
        Series keeps its index in ``verbatims``.
    languages : str, sequence or None, default None
        "fr" or "en" for all, one code per verbatim (None, "" or "unknown" entries are
        detected), or None to detect every language.
    taxonomy : Taxonomy, optional
        The themes to find; the default taxonomy when omitted.
    models : mapping of language to SentimentModel, optional
        Sentiment models to use instead of the shipped ones (e.g. re-trained on the
        company's own scores); languages not in it keep the shipped model.

    Returns
    -------
    VerbatimAnalysis

    Examples
    --------
    >>> result = analyse_verbatims(["livraison rapide mais produit cassé"], "fr")
    >>> result.mentions[["theme", "label"]].values.tolist()
    [['delivery', 'positive'], ['product_quality', 'negative']]
    """
    index = texts.index if isinstance(texts, pd.Series) else None
    values = [text if isinstance(text, str) else None for text in texts]
    taxonomy = default_taxonomy() if taxonomy is None else taxonomy
    codes = resolve_languages(values, languages)
    # The analysis reads the redacted text, cut like the matching form: nothing personal
    # can reach a clause, and each verbatim is redacted once.
    shown = _shown(values, codes)
    analysed = [text[:MAX_ANALYSED_CHARACTERS] if text else "" for text in shown]

    # The placeholders of redacted data ("[email]", "[name]") are neither a theme nor an
    # opinion: they are read as blanks of the same length, so clause positions still point
    # into the redacted text. Every clause of every verbatim is scored in one batch.
    read = [_without_placeholders(text) for text in analysed]
    clauses = score_clause_table(read, codes, models=models)
    clause_rows = clauses["verbatim"].tolist()
    clause_read = clauses["clause"].tolist()
    clause_languages = clauses["language"].tolist()
    clause_scores = clauses["sentiment"].to_numpy(float)
    counts = np.bincount(clauses["verbatim"].to_numpy(np.int64), minlength=len(values))
    # A verbatim of one clause has that clause's sentiment; longer ones are read whole.
    whole = np.full(len(values), np.nan)
    starts = np.cumsum(counts) - counts
    single = np.flatnonzero(counts == 1)
    whole[single] = clause_scores[starts[single]]
    several = np.flatnonzero(counts > 1)
    if len(several):
        several_texts = [read[i] for i in several]
        several_codes = [codes[i] for i in several]
        scored = score_texts(several_texts, several_codes, models=models)
        whole[several] = scored["sentiment"].to_numpy(float)

    mentions = _mentions(taxonomy, clause_read, clause_languages, clause_rows, clause_scores)
    if len(mentions):
        first = clauses.iloc[mentions.pop("first_clause").to_numpy()]
        mentions["clause"] = [
            analysed[row][begin:stop]
            for row, begin, stop in zip(
                first["verbatim"], first["start"], first["end"], strict=True
            )
        ]
    else:
        mentions = pd.DataFrame({column: [] for column in MENTION_COLUMNS})
    themes_of: list[list[str]] = [[] for _ in values]
    negative_of: list[list[str]] = [[] for _ in values]
    for position, theme, label in zip(
        mentions["position"].tolist(),
        mentions["theme"].tolist(),
        mentions["label"].tolist(),
        strict=True,
    ):
        themes_of[position].append(theme)
        if label == "negative":
            negative_of[position].append(theme)
    verbatims = pd.DataFrame(
        {
            "language": codes,
            "sentiment": whole,
            "label": [sentiment_label(value) for value in whole],
            "themes": [";".join(themes) for themes in themes_of],
            "negative_themes": [";".join(themes) for themes in negative_of],
            "clauses": counts,
            "text_redacted": shown,
        }
    )
    if index is not None:
        verbatims.index = index
    return VerbatimAnalysis(verbatims, mentions[list(MENTION_COLUMNS)].reset_index(drop=True))


def _mentions(
    taxonomy: Taxonomy,
    clause_texts: list[str],
    clause_languages: list[str],
    clause_rows: list[int],
    clause_scores: np.ndarray,
) -> pd.DataFrame:
    """One row per verbatim and theme, with the mean sentiment of the clauses naming it."""
    themes = taxonomy.match_many(
        clause_texts, [code if code in LANGUAGES else None for code in clause_languages]
    )
    found: dict[tuple[int, str], list[int]] = {}
    for index, clause_themes in enumerate(themes):
        for theme in clause_themes:
            found.setdefault((clause_rows[index], theme), []).append(index)
    rows = []
    for (position, theme), clauses in found.items():
        scores = clause_scores[clauses]
        scores = scores[~np.isnan(scores)]
        value = float(scores.mean()) if len(scores) else float("nan")
        rows.append((position, theme, value, len(clauses), clauses[0]))
    frame = pd.DataFrame(
        rows, columns=["position", "theme", "sentiment", "clauses", "first_clause"]
    )
    frame = frame.sort_values(["position", "first_clause"], kind="stable", ignore_index=True)
    frame["label"] = [sentiment_label(value) for value in frame["sentiment"].tolist()]
    return frame


def theme_summary(mentions: pd.DataFrame, verbatims_with_text: int) -> pd.DataFrame:
    """Per theme: how often it is raised and how customers feel about it.

    Parameters
    ----------
    mentions : DataFrame
        The ``mentions`` of a :class:`VerbatimAnalysis` (columns ``theme``, ``sentiment``,
        ``label``).
    verbatims_with_text : int
        How many verbatims had text, the base of the ``share``.

    Returns
    -------
    DataFrame
        One row per theme, most mentioned first: ``mentions``, ``share``, ``sentiment``
        (mean), ``negative``, ``positive`` (counts) and ``negative_share`` (of its mentions).
    """
    if mentions.empty:
        return pd.DataFrame(
            columns=[
                *("theme", "mentions", "share", "sentiment"),
                *("negative", "positive", "negative_share"),
            ]
        )
    grouped = mentions.groupby("theme")
    table = pd.DataFrame(
        {
            "mentions": grouped.size(),
            "sentiment": grouped["sentiment"].mean(),
            "negative": grouped["label"].agg(lambda s: int((s == "negative").sum())),
            "positive": grouped["label"].agg(lambda s: int((s == "positive").sum())),
        }
    )
    table["share"] = table["mentions"] / max(verbatims_with_text, 1)
    table["negative_share"] = table["negative"] / table["mentions"]
    table = table.sort_values(["mentions", "negative"], ascending=False).reset_index()
    return table[
        [
            *("theme", "mentions", "share", "sentiment"),
            *("negative", "positive", "negative_share"),
        ]
    ]
