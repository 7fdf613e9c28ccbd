"""Word and character n-grams of normalised text, and their batch lookup in a model's vocabulary.

The sentiment models (:mod:`emptychair.voice.sentiment`) read two TF-IDF blocks of the matching
form of a verbatim: word 1–2-grams (:func:`word_ngrams`) and character 2–5-grams
(:func:`char_ngrams`). Training hands these two functions to scikit-learn; scoring does not build
the n-grams one by one but finds, for a whole batch of texts at once, the vocabulary column of
every n-gram occurrence:

- character n-grams are hashed with a 64-bit rolling polynomial hash computed with numpy over the
  concatenated batch (:func:`char_gram_hashes`) and found by binary search among the sorted hashes
  of the vocabulary (:class:`CharLookup`);
- words are looked up once in a dictionary and word pairs by binary search on a pair key
  (:class:`WordLookup`).

:class:`TfidfBlock` holds one exported block (vocabulary, IDF, weights) and turns those occurrences
into the sub-linear, L2-normalised TF-IDF dot product with its weights.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

CHAR_NGRAMS = (2, 5)
"""Shortest and longest character n-grams; words are taken alone and in pairs."""
_TOKEN = re.compile(r"\w+|[!?]")
_FloatArray = npt.NDArray[np.float64]
_IntArray = npt.NDArray[np.int64]
_HASH_MULTIPLIER = np.uint64(0x100000001B3)
_HASH_OFFSET = np.uint64(0xCBF29CE484222325)
_HASH_MASK = (1 << 64) - 1


def word_ngrams(text: str) -> list[str]:
    """Return the word 1–2-grams of a text already in matching form.

    Words are runs of letters or digits; "!" and "?" count as words.
    """
    tokens = _TOKEN.findall(text)
    return tokens + [f"{first} {second}" for first, second in itertools.pairwise(tokens)]


def char_ngrams(text: str) -> list[str]:
    """Return the character 2–5-grams of a text already in matching form, padded by a space."""
    padded = f" {text} "
    low, high = CHAR_NGRAMS
    return [
        padded[start : start + size]
        for size in range(low, high + 1)
        for start in range(len(padded) - size + 1)
    ]


def string_hash(term: str) -> int:
    """The 64-bit rolling hash of a string, as :func:`char_gram_hashes` computes it."""
    value = 0
    for position, character in enumerate(term):
        start = (ord(character) + int(_HASH_OFFSET)) if position == 0 else ord(character)
        value = (value * int(_HASH_MULTIPLIER) + start) & _HASH_MASK
    return value


def char_gram_hashes(matching: list[str]) -> tuple[_IntArray, npt.NDArray[np.uint64]]:
    """Hash every character 2–5-gram of a batch of texts (each padded by a space) at once.

    Returns the text position and the hash of each n-gram; a hash is a rolling polynomial hash
    modulo 2**64 of the characters' code points, so that one n-gram has one hash in every text.
    """
    padded = [f" {text} " for text in matching]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    text_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    remaining = (np.cumsum(lengths)[text_of] - np.arange(len(codes), dtype=np.int64)).astype(
        np.int64
    )
    low, high = CHAR_NGRAMS
    hashes = codes + _HASH_OFFSET
    texts, keys = [], []
    for size in range(2, high + 1):
        hashes = hashes[:-1] * _HASH_MULTIPLIER + codes[size - 1 : size - 1 + len(hashes) - 1]
        if size >= low:
            inside = remaining[: len(hashes)] >= size
            texts.append(text_of[: len(hashes)][inside])
            keys.append(hashes[inside])
    return np.concatenate(texts), np.concatenate(keys)


@dataclass(frozen=True)
class TfidfBlock:
    """One TF-IDF block: its n-grams (in column order), their IDF and their weights."""

    terms: pd.Index
    idf: _FloatArray
    coef: _FloatArray

    def logits(self, texts: _IntArray, columns: _IntArray, n_texts: int) -> _FloatArray:
        """Sum of weight × sub-linear TF-IDF over the known n-grams of each text, L2-normalised.

        ``texts`` and ``columns`` give the text position and vocabulary column of every n-gram
        occurrence (-1 for n-grams outside the vocabulary).
        """
        known = columns >= 0
        pairs = texts[known] * len(self.terms) + columns[known]
        unique, counts = np.unique(pairs, return_counts=True)
        text_of, column = unique // len(self.terms), unique % len(self.terms)
        values = (1.0 + np.log(counts)) * self.idf[column]
        weighted = np.bincount(text_of, weights=values * self.coef[column], minlength=n_texts)
        norms = np.sqrt(np.bincount(text_of, weights=values * values, minlength=n_texts))
        return np.divide(weighted, norms, out=np.zeros(n_texts), where=norms > 0)

    def arrays(self, prefix: str) -> dict[str, npt.NDArray[Any]]:
        """The block as named arrays for an ``.npz`` (vocabulary, IDF and weights in float32)."""
        return {
            f"{prefix}_vocabulary": np.array(self.terms.tolist(), dtype=str),
            f"{prefix}_idf": self.idf.astype(np.float32),
            f"{prefix}_coef": self.coef.astype(np.float32),
        }

    @classmethod
    def read(cls, arrays: Any, prefix: str) -> TfidfBlock:
        """Read a block written by :meth:`arrays` from an opened ``.npz``."""
        return cls(
            terms=pd.Index(arrays[f"{prefix}_vocabulary"].tolist(), dtype=object),
            idf=arrays[f"{prefix}_idf"].astype(np.float64),
            coef=arrays[f"{prefix}_coef"].astype(np.float64),
        )


class CharLookup:
    """Vocabulary columns of character n-grams found by hash (sorted hashes, binary search)."""

    def __init__(self, terms: pd.Index) -> None:
        hashes = np.array([string_hash(term) for term in terms], dtype=np.uint64)
        self.order = np.argsort(hashes)
        self.hashes = hashes[self.order]

    def columns(self, hashes: npt.NDArray[np.uint64]) -> _IntArray:
        """Vocabulary column of each hashed n-gram, -1 when it is not in the vocabulary."""
        if len(self.hashes) == 0:
            return np.full(len(hashes), -1, dtype=np.int64)
        where = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[where] == hashes, self.order[where], -1).astype(np.int64)


class WordLookup:
    """Vocabulary columns of words and word pairs: words by dictionary, pairs by sorted keys."""

    def __init__(self, terms: pd.Index) -> None:
        words: dict[str, int] = {}
        split = [str(term).split(" ") for term in terms]
        for parts in split:
            for word in parts:
                words.setdefault(word, len(words))
        self.word_ids = words
        self.single = np.full(len(words) + 1, -1, dtype=np.int64)
        pair_keys, pair_columns = [], []
        for column, parts in enumerate(split):
            if len(parts) == 1:
                self.single[words[parts[0]]] = column
            else:
                pair_keys.append(words[parts[0]] * len(words) + words[parts[1]])
                pair_columns.append(column)
        order = np.argsort(np.array(pair_keys, dtype=np.int64))
        self.pair_keys = np.array(pair_keys, dtype=np.int64)[order]
        self.pair_columns = np.array(pair_columns, dtype=np.int64)[order]

    def occurrences(self, matching: list[str]) -> tuple[_IntArray, _IntArray]:
        """Text position and vocabulary column (-1 if unknown) of every word and word pair."""
        token_lists = [_TOKEN.findall(text) for text in matching]
        counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        flat = itertools.chain.from_iterable(token_lists)
        ids = np.fromiter((self.word_ids.get(token, -1) for token in flat), dtype=np.int64)
        text_of = np.repeat(np.arange(len(matching), dtype=np.int64), counts)
        single = self.single[ids]  # id -1 reads the last slot, which is -1
        same_text = text_of[1:] == text_of[:-1]
        both = same_text & (ids[1:] >= 0) & (ids[:-1] >= 0)
        keys = ids[:-1][both] * len(self.word_ids) + ids[1:][both]
        pair = np.full(len(keys), -1, dtype=np.int64)
        if len(self.pair_keys):
            where = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            pair = np.where(self.pair_keys[where] == keys, self.pair_columns[where], -1)
        return np.concatenate([text_of, text_of[:-1][both]]), np.concatenate([single, pair])
