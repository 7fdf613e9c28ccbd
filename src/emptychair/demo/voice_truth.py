"""How well a voice run finds the themes planted in the demo company's verbatims.

The generator records, for every answer, the themes its verbatim was written about and
the polarity of each (``truth/feedback.csv``). A theme found by the analysis counts as
recovered when the verbatim was written about it; precision, recall and the agreement of
the theme's sentiment with the planted polarity are reported per theme.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from emptychair.demo.verbatims import EMERGING_THEME

#: Demo theme -> the taxonomy themes that name it, the closest first. A demo theme can
#: span two taxonomy themes: its waiting time includes "impossible to reach anyone"
#: (reachability), its billing and fees include shipping fees (price and fees).
ACCEPTED = {
    "delivery": ("delivery",),
    "price": ("price_and_fees",),
    "product_quality": ("product_quality",),
    "staff": ("staff_and_service",),
    "waiting_time": ("waiting_time", "reachability"),
    "app_website": ("website_and_app",),
    "billing_fees": ("billing", "price_and_fees"),
    "refund": ("returns_and_refunds",),
    "store": ("store",),
}


def planted_mentions(truth: pd.DataFrame) -> pd.DataFrame:
    """One row per answer with a text and planted taxonomy theme: feedback_id, theme,
    polarity (the emerging theme, unknown to the taxonomy, is left out)."""
    written = truth[truth["has_text"].astype(bool)]
    rows = [
        (feedback_id, theme, polarity)
        for feedback_id, themes, polarities in zip(
            written["feedback_id"], written["themes"], written["polarities"], strict=True
        )
        for theme, polarity in zip(themes.split(";"), polarities.split(";"), strict=True)
        if theme in ACCEPTED
    ]
    return pd.DataFrame(rows, columns=["feedback_id", "theme", "polarity"]).drop_duplicates(
        ["feedback_id", "theme"]
    )


def theme_recovery(truth: Path | pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and sentiment agreement per planted theme, and overall.

    A planted theme is recovered when one of its :data:`ACCEPTED` taxonomy themes is found
    in the verbatim. A found theme is right when it is accepted for one of the themes the
    verbatim was written about; every found theme counts, including those the demo never
    plants.

    Parameters
    ----------
    truth : Path or DataFrame
        The demo's ``truth`` folder (with ``feedback.csv``), or that table: ``feedback_id``,
        ``has_text``, ``themes`` and ``polarities`` (";"-separated).
    mentions : DataFrame
        A voice run's mentions: ``feedback_id``, ``theme``, ``label``.

    Returns
    -------
    DataFrame
        One row per planted theme and a last row "all": ``planted``, ``found`` (mentions of
        its closest taxonomy theme), ``precision`` (of those), ``recall``, ``f1`` and
        ``sentiment_agreement`` (share of the recovered themes whose label is the planted
        polarity).
    """
    if not isinstance(truth, pd.DataFrame):
        truth = pd.read_csv(truth / "feedback.csv")
    planted = planted_mentions(truth)
    scope = set(truth.loc[truth["has_text"].astype(bool), "feedback_id"])
    found = mentions[mentions["feedback_id"].isin(scope)][["feedback_id", "theme", "label"]]
    accepted = pd.DataFrame(
        [(demo, taxonomy) for demo, names in ACCEPTED.items() for taxonomy in names],
        columns=["demo_theme", "theme"],
    )
    # Right: the found theme is accepted for a theme the verbatim was written about.
    expected = planted.rename(columns={"theme": "demo_theme"}).merge(accepted, on="demo_theme")
    right = found.merge(
        expected[["feedback_id", "theme"]].drop_duplicates(), on=["feedback_id", "theme"]
    )
    recovered = expected.merge(found, on=["feedback_id", "theme"])
    recovered = recovered.drop_duplicates(["feedback_id", "demo_theme"])
    rows = []
    for theme in [*ACCEPTED, "all"]:
        if theme == "all":
            p, f, r, g = planted, found, right, recovered
        else:
            closest = ACCEPTED[theme][0]
            p = planted[planted["theme"] == theme]
            f = found[found["theme"] == closest]
            r = right[right["theme"] == closest]
            g = recovered[recovered["demo_theme"] == theme]
        precision = len(r) / len(f) if len(f) else float("nan")
        recall = len(g) / len(p) if len(p) else float("nan")
        total = precision + recall
        rows.append(
            {
                "theme": theme,
                "planted": len(p),
                "found": len(f),
                "precision": precision,
                "recall": recall,
                "f1": 2 * precision * recall / total if total > 0 else float("nan"),
                "sentiment_agreement": float((g["label"] == g["polarity"]).mean())
                if len(g)
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def driver_recovery(
    truth: Path | pd.DataFrame,
    verbatims: pd.DataFrame,
    drivers: pd.DataFrame,
    *,
    top: int = 5,
) -> pd.DataFrame:
    """Do the drivers found from the text match those of the planted themes?

    The planted drivers are the relative weights computed the same way on the themes and
    polarities the verbatims were written from (the demo's score model makes every planted
    theme move the score through its polarity). Per score kind: the rank correlation of
    the weights of drivers found both ways, and how many of the ``top`` planted drivers are
    among the ``top`` found.

    Parameters
    ----------
    truth : Path or DataFrame
        The demo's ``truth`` folder, or its ``feedback.csv`` table.
    verbatims : DataFrame
        A voice run's verbatims (``feedback_id``, ``kind``, ``score``, ``scale_max``).
    drivers : DataFrame
        The run's drivers (``kind``, ``driver``, ``weight``, ``rank``).
    top : int, default 5
        How many leading drivers to compare.
    """
    from scipy.stats import spearmanr

    from emptychair.voice.drivers import key_drivers
    from emptychair.voice.run_parts import driver_frame

    if not isinstance(truth, pd.DataFrame):
        truth = pd.read_csv(truth / "feedback.csv")
    planted = planted_mentions(truth)
    planted = planted.assign(
        theme=planted["theme"].map(lambda t: ACCEPTED[t][0]), label=planted["polarity"]
    )
    rows = []
    for kind, found in drivers.groupby("kind"):
        answers = verbatims[verbatims["kind"] == kind].reset_index(drop=True)
        frame, names = driver_frame(answers, planted)
        expected = key_drivers(frame, "outcome", names, resamples=0).table
        both = expected.merge(found, on="driver", suffixes=("_planted", "_found"))
        correlation = spearmanr(both["weight_planted"], both["weight_found"]).statistic
        leading_planted = set(expected.nsmallest(top, "rank")["driver"])
        leading_found = set(found.nsmallest(top, "rank")["driver"])
        rows.append(
            {
                "kind": kind,
                "drivers_compared": len(both),
                "rank_correlation": float(correlation),
                f"top_{top}_shared": len(leading_planted & leading_found),
                "top_planted": ", ".join(expected.nsmallest(top, "rank")["driver"]),
                "top_found": ", ".join(found.nsmallest(top, "rank")["driver"]),
            }
        )
    return pd.DataFrame(rows)


def emerging_recovery(
    truth: Path | pd.DataFrame, verbatims: pd.DataFrame, emerging: pd.DataFrame
) -> pd.DataFrame:
    """Is the planted emerging topic (the new gift cards) found as an emerging theme?

    Per language, the emerging theme holding most of the planted verbatims is the one found
    for it: ``recall`` is the share of the planted verbatims it holds, ``precision`` the
    share of its verbatims that were planted, and ``label`` its keywords.

    Parameters
    ----------
    truth : Path or DataFrame
        The demo's ``truth`` folder, or its ``feedback.csv`` table.
    verbatims : DataFrame
        A voice run's verbatims (``feedback_id``, ``language``, ``emerging_theme``).
    emerging : DataFrame
        The run's emerging themes (``id``, ``label``).
    """
    if not isinstance(truth, pd.DataFrame):
        truth = pd.read_csv(truth / "feedback.csv")
    planted_ids = set(truth.loc[truth["themes"] == EMERGING_THEME, "feedback_id"])
    labels = dict(zip(emerging.get("id", []), emerging.get("label", []), strict=True))
    rows = []
    for language, group in verbatims.groupby("language"):
        planted = group[group["feedback_id"].isin(planted_ids)]
        if planted.empty:
            continue
        found = planted["emerging_theme"][planted["emerging_theme"] != ""]
        best = found.mode().iloc[0] if len(found) else None
        members = group[group["emerging_theme"] == best] if best else group.iloc[:0]
        rows.append(
            {
                "language": language,
                "planted": len(planted),
                "theme": best,
                "label": labels.get(best),
                "recall": float((planted["emerging_theme"] == best).mean()) if best else 0.0,
                "precision": float(members["feedback_id"].isin(planted_ids).mean())
                if len(members)
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)
