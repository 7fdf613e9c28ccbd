"""Cluster the verbatims of one language and name each cluster by its keywords.

This is how :func:`~emptychair.voice.emerging.emerging_themes` finds its themes, for each
language:

1. **Words.** Each verbatim becomes its keywords (:func:`~emptychair.voice.text.lemmas.keywords`:
   lemmas, no stop words), compared without accents, and the pairs of consecutive keywords
   ("carte cadeau"). Terms found in fewer than 2 verbatims are dropped.
2. **Vectors.** TF-IDF with sub-linear term frequency, each verbatim scaled to unit length, so
   that the Euclidean distance between two verbatims orders them as their cosine similarity.
3. **Clusters.** k-means (scikit-learn, ``random_state=seed``, so the result is the same on every
   run) for each number of clusters :math:`k` from 2 to
   :math:`\\min(2 \\cdot \\text{max\\_themes}, n / \\text{min\\_size})`, keeping the :math:`k` with
   the highest mean silhouette (cosine) [1]_: the clustering whose verbatims are closest to their
   own cluster compared with the next one.
4. **Themes.** Short texts make the silhouette favour many small clusters, so one topic may be
   cut in several: clusters are joined while a term is *dominant* (found in at least
   :data:`MIN_COHERENCE` of the verbatims) in two of them. Candidate keywords of a joined cluster
   are ranked by the share of its verbatims that contain them times their IDF. The label keeps
   the first and the next ones that *go with it*: at least :data:`MIN_LIFT` times as frequent
   with it as without, and together more often than chance allows (hypergeometric test at
   :data:`MAX_CHANCE`, Bonferroni-corrected for every pair of terms of the language). A cluster
   is a theme when its label holds two words at least (a word repeated by many customers in
   unrelated sentences is not a theme) and its first keyword appears in at least
   :data:`MIN_COHERENCE` of its verbatims and in ``min_size`` of them.

References
----------
.. [1] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation
   of cluster analysis. Journal of Computational and Applied Mathematics, 20, 53-65.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import hypergeom
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

from emptychair.voice.taxonomy import fold
from emptychair.voice.text.lemmas import keywords

__all__ = [
    "LABEL_KEYWORDS",
    "MAX_CHANCE",
    "MIN_COHERENCE",
    "MIN_LIFT",
    "fit_language",
    "verbatim_terms",
]

MIN_COHERENCE = 0.5
"""Share of a cluster's verbatims that must contain its first keyword for it to be a theme."""

MIN_LIFT = 2.0
"""How much more often a keyword must appear with a theme's first keyword than elsewhere to
be part of its label."""

MAX_CHANCE = 0.01
"""Largest probability, over all the pairs of terms of a language (Bonferroni), that two label
keywords are found together so often by chance."""

LABEL_KEYWORDS = 3
"""Keywords (single words or pairs) in a theme's label."""

_SILHOUETTE_SAMPLE = 2_000


def verbatim_terms(text: str | None, language: str) -> list[str]:
    """Return the terms a verbatim is clustered on: its keywords and their consecutive pairs.

    Parameters
    ----------
    text : str or None
        A verbatim.
    language : str
        Its language ("fr" or "en").

    Returns
    -------
    list of str
        The keywords compared without accents, then the pairs ("carte cadeau").
    """
    words = [fold(word) for word in keywords(text, language)]
    return words + [f"{first} {second}" for first, second in itertools.pairwise(words)]


def _choose_clusters(vectors: Any, max_clusters: int, seed: int) -> npt.NDArray[np.int64]:
    """k-means labels for the number of clusters with the best silhouette."""
    best_labels = np.zeros(vectors.shape[0], dtype=np.int64)
    best_score = -np.inf
    for k in range(2, max_clusters + 1):
        labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(vectors)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(
            vectors,
            labels,
            metric="cosine",
            sample_size=min(_SILHOUETTE_SAMPLE, vectors.shape[0]),
            random_state=seed,
        )
        if score > best_score:
            best_score, best_labels = score, labels
    return best_labels


def _label_terms(
    member_terms: list[list[str]], vectoriser: TfidfVectorizer, limit: int = LABEL_KEYWORDS
) -> list[str]:
    """The terms that best name a group of verbatims.

    A term scores its share of the verbatims that contain it times its IDF (frequent in the
    group, rare elsewhere); a pair of words wins a tie with its words, and a word inside a chosen
    pair (or a pair around a chosen word) is skipped.
    """
    counts = Counter(term for terms in member_terms for term in set(terms))
    idf = dict(zip(vectoriser.get_feature_names_out(), vectoriser.idf_, strict=True))
    ranked = sorted(
        (term for term in counts if term in idf),
        key=lambda term: (-round(counts[term] * idf[term], 9), -term.count(" "), term),
    )
    chosen: list[str] = []
    for term in ranked:
        if len(chosen) == limit:
            break
        words = set(term.split(" "))
        if any(
            words <= set(other.split(" ")) or set(other.split(" ")) <= words for other in chosen
        ):
            continue
        chosen.append(term)
    return chosen


def _dominant_terms(member_terms: list[list[str]]) -> set[str]:
    """Terms found in at least :data:`MIN_COHERENCE` of a group's verbatims."""
    counts = Counter(term for terms in member_terms for term in set(terms))
    return {term for term, count in counts.items() if count >= MIN_COHERENCE * len(member_terms)}


def _merged_clusters(
    rows: npt.NDArray[np.int64], labels: npt.NDArray[np.int64], terms: list[list[str]]
) -> list[npt.NDArray[np.int64]]:
    """Join the clusters that speak of the same thing.

    The silhouette favours many small clusters on short texts, so one topic may be cut in
    several; two clusters are joined when a term is dominant in both (found in at least
    :data:`MIN_COHERENCE` of the verbatims of each), until no two clusters share one.
    """
    groups = [rows[labels == cluster] for cluster in range(labels.max() + 1)]
    groups = [group for group in groups if len(group)]
    merged = True
    while merged:
        merged = False
        dominant = [_dominant_terms([terms[row] for row in group]) for group in groups]
        for first, second in itertools.combinations(range(len(groups)), 2):
            if dominant[first] & dominant[second]:
                groups[first] = np.sort(np.concatenate([groups[first], groups[second]]))
                del groups[second]
                merged = True
                break
    return groups


def _associated(
    candidates: list[str], documents: dict[str, set[int]], total: int, pairs: int
) -> list[str]:
    """The first candidate and the next ones that go with it.

    A term goes with the first when it is at least :data:`MIN_LIFT` times as frequent among the
    verbatims that hold the first term as among all, and when finding them together so often
    would happen by chance with a probability under :data:`MAX_CHANCE` / ``pairs``
    (hypergeometric test, Bonferroni correction: clustering seeks out the pairs found together,
    so every pair of the vocabulary counts as tested).
    """
    if not candidates:
        return []
    first = documents[candidates[0]]
    chosen = [candidates[0]]
    for term in candidates[1:]:
        together = len(first & documents[term])
        lift = together * total / (len(first) * len(documents[term]))
        chance = hypergeom.sf(together - 1, total, len(documents[term]), len(first))
        if lift >= MIN_LIFT and chance < MAX_CHANCE / pairs:
            chosen.append(term)
        if len(chosen) == LABEL_KEYWORDS:
            break
    return chosen


def fit_language(
    terms: list[list[str]], min_size: int, max_themes: int, seed: int
) -> tuple[TfidfVectorizer, npt.NDArray[np.float64], list[list[str]]] | None:
    """Cluster one language's verbatims and keep the clusters that make a theme.

    Parameters
    ----------
    terms : list of list of str
        The :func:`verbatim_terms` of each verbatim.
    min_size : int
        Fewest verbatims holding a theme's first keyword.
    max_themes : int
        Most themes wanted: k-means tries up to twice as many clusters.
    seed : int
        Seed of k-means and of the silhouette sample.

    Returns
    -------
    tuple or None
        The fitted TF-IDF vectoriser, the unit-length centroids of the themes (one row each) and
        the label terms of each theme; None when no cluster makes a theme.
    """
    vectoriser = TfidfVectorizer(analyzer=lambda terms: terms, min_df=2, sublinear_tf=True)
    try:
        vectors = vectoriser.fit_transform(terms)
    except ValueError:  # no term shared by two verbatims
        return None
    filled = np.flatnonzero(vectors.getnnz(axis=1))
    max_clusters = min(2 * max_themes, len(filled) // min_size)
    if max_clusters < 2:
        return None
    labels = _choose_clusters(vectors[filled], max_clusters, seed)
    documents: dict[str, set[int]] = {}
    for row, row_terms in enumerate(terms):
        for term in row_terms:
            documents.setdefault(term, set()).add(row)
    size = len(vectoriser.vocabulary_)
    pairs = max(size * (size - 1) // 2, 1)
    centroids, label_terms = [], []
    for members in _merged_clusters(filled, labels, terms):
        candidates = _label_terms([terms[row] for row in members], vectoriser, limit=10)
        chosen = _associated(candidates, documents, len(terms), pairs)
        with_first = sum(chosen[0] in set(terms[row]) for row in members) if chosen else 0
        if with_first >= max(MIN_COHERENCE * len(members), min_size) and (
            sum(term.count(" ") + 1 for term in chosen) >= 2
        ):
            centroid = np.asarray(vectors[members].mean(axis=0)).ravel()
            centroids.append(centroid / np.linalg.norm(centroid))
            label_terms.append(chosen)
    if not centroids:
        return None
    return vectoriser, np.vstack(centroids), label_terms
