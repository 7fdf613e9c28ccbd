"""Emerging themes: what customers talk about that the taxonomy does not cover yet.

The verbatims (or clauses) that match no theme of the taxonomy are grouped, one language at a
time, into clusters of verbatims that share their words, and each cluster gets a readable label
made of its keywords ("carte cadeau · expirer · noël").

How, for each language:

1. **Words and vectors.** Its keywords and pairs of consecutive keywords, weighted by TF-IDF.
2. **Clusters.** k-means, with the number of clusters of best silhouette; clusters that share a
   dominant term are joined.
3. **Themes.** Each cluster is named by its keywords that go together more often than chance
   allows; a cluster whose label holds fewer than two words, or whose first keyword appears in
   fewer than :data:`MIN_COHERENCE` of its verbatims or in fewer than ``min_size`` of them, is
   no theme. :mod:`~emptychair.voice.emerging_clusters` gives the details.
4. **Members.** A verbatim belongs to the theme of the nearest centroid only if it contains one of
   the theme's label keywords; a theme that keeps fewer than ``min_size`` verbatims is dropped.

Each theme has its size, its share of all the verbatims given, 3 example verbatims (the closest to
its centre, taken from ``display_texts`` when the caller gives redacted texts), and its sentiment
(mean of :func:`~emptychair.voice.sentiment.score_texts`, and the share of negative verbatims).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from emptychair.errors import InvalidParameterError
from emptychair.voice.emerging_clusters import (
    LABEL_KEYWORDS,
    MAX_CHANCE,
    MIN_COHERENCE,
    MIN_LIFT,
    fit_language,
    verbatim_terms,
)
from emptychair.voice.sentiment import score_texts
from emptychair.voice.taxonomy import Taxonomy, fold
from emptychair.voice.text.lemmas import LANGUAGES, keywords

__all__ = [
    "EXAMPLES",
    "LABEL_KEYWORDS",
    "MAX_CHANCE",
    "MIN_COHERENCE",
    "MIN_LIFT",
    "EmergingTheme",
    "EmergingThemes",
    "emerging_themes",
]

EXAMPLES = 3
"""Example verbatims given per theme."""


@dataclass(frozen=True)
class EmergingTheme:
    """One emerging theme: a cluster of verbatims that match no taxonomy theme.

    Attributes
    ----------
    id : str
        ``"emerging-<language>-<n>"``, numbered by decreasing size within the language.
    language : str
        Language of its verbatims.
    label : str
        Its keywords joined by " · ".
    keywords : tuple of str
        The keywords of the label (a pair of words counts as one keyword).
    size : int
        Number of verbatims in the theme.
    share : float
        ``size`` over the number of non-empty verbatims given, all languages together.
    examples : tuple of str
        Up to 3 verbatims closest to the theme's centre, as given in ``display_texts``.
    sentiment : float
        Mean sentiment of its verbatims, in [-1, 1] (NaN when none could be scored).
    share_negative : float
        Share of its scored verbatims labelled "negative".
    """

    id: str
    language: str
    label: str
    keywords: tuple[str, ...]
    size: int
    share: float
    examples: tuple[str, ...]
    sentiment: float
    share_negative: float


@dataclass(frozen=True)
class _LanguageModel:
    """What is needed to place a new verbatim of one language in a theme."""

    vectoriser: TfidfVectorizer
    centroids: npt.NDArray[np.float64]
    theme_keys: tuple[tuple[str, ...], ...]
    theme_positions: tuple[int, ...]


def _nearest(model: _LanguageModel, terms: list[list[str]]) -> list[int]:
    """Position (in the result's themes) of each text's theme, or -1."""
    if not terms:
        return []
    vectors = model.vectoriser.transform(terms)
    similarity = np.asarray(vectors @ model.centroids.T)
    nearest = similarity.argmax(axis=1)
    result = []
    for row, (cluster, text_terms) in enumerate(zip(nearest, terms, strict=True)):
        belongs = similarity[row, cluster] > 0 and set(model.theme_keys[cluster]) & set(text_terms)
        result.append(model.theme_positions[cluster] if belongs else -1)
    return result


@dataclass(frozen=True)
class EmergingThemes:
    """Emerging themes found in a set of verbatims, and which verbatim belongs to which.

    Attributes
    ----------
    themes : tuple of EmergingTheme
        The themes, by language then decreasing size.
    assignments : tuple of int
        For each verbatim given, the position of its theme in ``themes``, or -1 (it matches a
        taxonomy theme, is empty, or belongs to no emerging theme).
    unmatched : int
        Number of non-empty verbatims that matched no taxonomy theme.
    notes : tuple of str
        Why a language gave no theme (too few verbatims, no coherent cluster).
    """

    themes: tuple[EmergingTheme, ...]
    assignments: tuple[int, ...]
    unmatched: int
    notes: tuple[str, ...] = ()
    taxonomy: Taxonomy | None = field(default=None, repr=False, compare=False)
    models: dict[str, _LanguageModel] = field(default_factory=dict, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per theme, with the columns of :class:`EmergingTheme`."""
        columns = list(EmergingTheme.__dataclass_fields__)
        return pd.DataFrame([theme.__dict__ for theme in self.themes], columns=columns)

    def assign(self, texts: Sequence[str | None], languages: str | Sequence[str]) -> list[int]:
        """Place new verbatims in the themes found, as :attr:`assignments` does for the others.

        Parameters
        ----------
        texts : sequence of str or None
            Verbatims.
        languages : str or sequence of str
            One language for all, or one per verbatim.

        Returns
        -------
        list of int
            For each verbatim, the position of its theme in :attr:`themes`, or -1.
        """
        codes = _languages_for(texts, languages)
        result = [-1] * len(texts)
        matched = _taxonomy_matches(self.taxonomy, texts, codes)
        for language, model in self.models.items():
            rows = [
                row
                for row, code in enumerate(codes)
                if code == language and texts[row] and not matched[row]
            ]
            places = _nearest(model, [verbatim_terms(texts[row], language) for row in rows])
            for row, place in zip(rows, places, strict=True):
                result[row] = place
        return result


def _languages_for(texts: Sequence[str | None], languages: str | Sequence[str]) -> list[str]:
    codes = [languages] * len(texts) if isinstance(languages, str) else list(languages)
    if len(codes) != len(texts):
        raise InvalidParameterError(
            f"Got {len(codes)} languages for {len(texts)} texts: give one each, or one for all."
        )
    return [str(code) for code in codes]


def _taxonomy_matches(
    taxonomy: Taxonomy | None, texts: Sequence[str | None], codes: list[str]
) -> list[bool]:
    if taxonomy is None:
        return [False] * len(texts)
    known = [code if code in taxonomy.languages else None for code in codes]
    return [bool(themes) for themes in taxonomy.match_many(texts, known)]


def _check_parameters(
    values: list[str | None],
    display_texts: Sequence[str | None] | None,
    min_size: int,
    max_themes: int,
) -> list[str | None]:
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 2:
        raise InvalidParameterError(f"min_size must be a whole number ≥ 2, got {min_size!r}.")
    if isinstance(max_themes, bool) or not isinstance(max_themes, int) or max_themes < 1:
        raise InvalidParameterError(f"max_themes must be a whole number ≥ 1, got {max_themes!r}.")
    if display_texts is None:
        return values
    shown = list(display_texts)
    if len(shown) != len(values):
        raise InvalidParameterError(
            f"Got {len(shown)} display_texts for {len(values)} texts: give one each."
        )
    return shown


def _display_words(keyword_lists: list[list[str]]) -> dict[str, str]:
    """For each folded keyword, the spelling customers use most (accents kept)."""
    spellings: dict[str, Counter[str]] = {}
    for words in keyword_lists:
        for word in words:
            spellings.setdefault(fold(word), Counter())[word] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}


def _settle(
    model: _LanguageModel, terms: list[list[str]], min_size: int, max_themes: int
) -> tuple[_LanguageModel, list[int]]:
    """Assign the verbatims, dropping themes left with fewer than ``min_size`` until stable."""
    while True:
        places = _nearest(model, terms)
        sizes = Counter(places)
        ranked = sorted(range(len(model.theme_keys)), key=lambda theme: -sizes[theme])
        keep = [theme for theme in ranked if sizes[theme] >= min_size][:max_themes]
        if keep == list(range(len(model.theme_keys))) or not keep:
            return model, places if keep else [-1] * len(terms)
        model = _LanguageModel(
            model.vectoriser,
            model.centroids[keep],
            tuple(model.theme_keys[theme] for theme in keep),
            tuple(range(len(keep))),
        )


def _describe(
    model: _LanguageModel,
    theme: int,
    members: list[int],
    member_terms: list[list[str]],
    values: list[str | None],
    shown: list[str | None],
    language: str,
    spelling: dict[str, str],
    total: int,
) -> EmergingTheme:
    """Label, size, examples and sentiment of one theme, from the rows of its verbatims."""
    closeness = model.vectoriser.transform(member_terms) @ model.centroids[theme]
    order = np.argsort(-closeness, kind="stable")
    examples = list(dict.fromkeys(str(shown[members[i]]) for i in order))[:EXAMPLES]
    scores = score_texts([values[row] for row in members], language)
    scored = max(int(scores["label"].notna().sum()), 1)
    words = [
        " ".join(spelling.get(word, word) for word in term.split(" "))
        for term in model.theme_keys[theme]
    ]
    return EmergingTheme(
        id=f"emerging-{language}-{theme + 1}",
        language=language,
        label=" · ".join(words),
        keywords=tuple(words),
        size=len(members),
        share=len(members) / total,
        examples=tuple(examples),
        sentiment=float(scores["sentiment"].mean()),
        share_negative=float((scores["label"] == "negative").sum() / scored),
    )


def emerging_themes(
    texts: Sequence[str | None],
    languages: str | Sequence[str],
    *,
    taxonomy: Taxonomy | None = None,
    display_texts: Sequence[str | None] | None = None,
    min_size: int = 15,
    max_themes: int = 10,
    seed: int = 0,
) -> EmergingThemes:
    """Find the themes customers raise that the taxonomy does not cover.

    Parameters
    ----------
    texts : sequence of str or None
        Verbatims or clauses, as customers wrote them.
    languages : str or sequence of str
        One language for all ("fr", "en"), or one per text. Texts in other languages (or
        "unknown") are left out, with a note.
    taxonomy : Taxonomy, optional
        Texts matching one of its themes are not clustered. Default: the shipped taxonomy
        (:func:`~emptychair.voice.taxonomy_file.load_taxonomy`).
    display_texts : sequence of str or None, optional
        The texts to quote as examples, one per text (typically the redacted verbatims).
        Default: ``texts``.
    min_size : int, default 15
        Fewest verbatims in a theme; a language with fewer unmatched verbatims gives no theme.
    max_themes : int, default 10
        Most themes per language (the largest are kept).
    seed : int, default 0
        Seed of k-means and of the silhouette sample: the same inputs give the same themes.

    Returns
    -------
    EmergingThemes
        The themes, each verbatim's theme, and notes on languages that gave none.

    Examples
    --------
    >>> found = emerging_themes(verbatims, "fr")  # doctest: +SKIP
    >>> found.to_frame()[["label", "size", "sentiment"]]  # doctest: +SKIP
    """
    values = list(texts)
    codes = _languages_for(values, languages)
    shown = _check_parameters(values, display_texts, min_size, max_themes)
    if taxonomy is None:
        from emptychair.voice.taxonomy_file import default_taxonomy

        taxonomy = default_taxonomy()
    matched = _taxonomy_matches(taxonomy, values, codes)
    filled = [isinstance(text, str) and bool(text.strip()) for text in values]
    total = sum(filled)
    unmatched = [row for row in range(len(values)) if filled[row] and not matched[row]]
    notes: list[str] = []
    others = sum(codes[row] not in LANGUAGES for row in unmatched)
    if others:
        notes.append(f"{others} verbatims in other or unknown languages were left out.")
    themes: list[EmergingTheme] = []
    models: dict[str, _LanguageModel] = {}
    assignments = [-1] * len(values)
    for language in LANGUAGES:
        rows = [row for row in unmatched if codes[row] == language]
        if not rows:
            continue
        if len(rows) < min_size:
            notes.append(
                f"{language}: only {len(rows)} verbatims match no taxonomy theme; at least "
                f"min_size={min_size} are needed to look for emerging themes."
            )
            continue
        keyword_lists = [keywords(values[row], language) for row in rows]
        terms = [verbatim_terms(values[row], language) for row in rows]
        fitted = fit_language(terms, min_size, max_themes, seed)
        if fitted is None:
            notes.append(
                f"{language}: the {len(rows)} verbatims that match no taxonomy theme share "
                "too few words to form a theme."
            )
            continue
        vectoriser, centroids, label_terms = fitted
        first = _LanguageModel(
            vectoriser,
            centroids,
            tuple(tuple(chosen) for chosen in label_terms),
            tuple(range(len(centroids))),
        )
        model, places = _settle(first, terms, min_size, max_themes)
        if not any(place >= 0 for place in places):
            notes.append(f"{language}: no group of {min_size} or more verbatims shares a theme.")
            continue
        spelling = _display_words(keyword_lists)
        offset = len(themes)
        for theme in range(len(model.centroids)):
            members = [index for index, place in enumerate(places) if place == theme]
            themes.append(
                _describe(
                    model,
                    theme,
                    [rows[i] for i in members],
                    [terms[i] for i in members],
                    values,
                    shown,
                    language,
                    spelling,
                    total,
                )
            )
            for index in members:
                assignments[rows[index]] = offset + theme
        models[language] = _LanguageModel(
            model.vectoriser,
            model.centroids,
            model.theme_keys,
            tuple(offset + theme for theme in range(len(model.centroids))),
        )
    return EmergingThemes(
        tuple(themes), tuple(assignments), len(unmatched), tuple(notes), taxonomy, models
    )
