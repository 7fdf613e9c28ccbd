"""Emerging themes: planted topics outside the taxonomy are found, named and measured."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from emptychair.errors import InvalidParameterError
from emptychair.voice.emerging import EmergingThemes, emerging_themes
from emptychair.voice.taxonomy_file import load_taxonomy

_FRENCH_NOISE_WORDS = """
jardin musique vacances chat montagne soleil nuage rivière forêt théâtre cinéma peinture voyage
plage neige printemps automne hiver vélo piano guitare roman poème recette gâteau chocolat
fromage pomme cerise fraise tomate salade soupe café lait sucre farine beurre poisson poulet
lapin cheval oiseau papillon abeille fleur arbre herbe sable océan île lac colline vallée
village château église musée bibliothèque école professeur élève cahier crayon stylo gomme
horloge bague collier chapeau écharpe gant manteau botte parapluie lampe bougie miroir fenêtre
escalier grenier cuisine salon
"""
FRENCH_NOISE = _FRENCH_NOISE_WORDS.split()
_ENGLISH_NOISE_WORDS = """
garden music holiday cat mountain sun cloud river forest theatre cinema painting travel beach
snow spring autumn winter bicycle piano guitar novel poem recipe cake chocolate cheese apple
cherry strawberry tomato salad soup coffee milk sugar flour butter fish chicken rabbit horse
bird butterfly bee flower tree grass sand ocean island lake hill valley village castle church
museum library school teacher pupil notebook pencil pen eraser clock ring necklace hat scarf
glove coat boot umbrella lamp candle mirror window staircase attic kitchen lounge
"""
ENGLISH_NOISE = _ENGLISH_NOISE_WORDS.split()
FRENCH_KNOWN = [
    "Livraison en retard.",
    "Trop cher.",
    "Produit cassé.",
    "Le site plante au paiement.",
    "Facturé deux fois.",
    "Colis jamais reçu.",
    "Vendeuse à l'écoute et compétente.",
]
ENGLISH_KNOWN = ["Late delivery.", "Too expensive.", "Broken product.", "Charged twice."]
PLANTED = {
    "gift_card_fr": (
        "fr",
        ["Ma carte cadeau", "La carte cadeau", "La carte cadeau offerte par ma sœur",
         "Une carte cadeau reçue à Noël", "Notre carte cadeau"],
        ["a expiré sans prévenir", "a expiré trop vite", "était déjà expirée",
         "est expirée depuis hier", "a expiré avant que je puisse l'utiliser"],
        ["", " Dommage.", " Quelle déception.", " C'est injuste."],
    ),
    "charging_fr": (
        "fr",
        ["La borne de recharge", "Les bornes de recharge électrique",
         "La borne de recharge pour voiture électrique", "Une borne de recharge"],
        ["ne démarre pas", "est toujours occupée", "refuse de charger ma voiture",
         "est inutilisable", "reste éteinte"],
        ["", " Dommage.", " Quelle déception.", " C'est injuste."],
    ),
    "gift_card_en": (
        "en",
        ["My gift card", "The gift card", "The gift card from my sister",
         "A gift card I got for my birthday"],
        ["was rejected", "ran out after six months", "lapsed before christmas",
         "cannot be redeemed", "would not scan"],
        ["", " Shame.", " So annoying.", " Unfair."],
    ),
}  # fmt: skip


def _unmatched(texts: list[str], language: str) -> list[str]:
    taxonomy = load_taxonomy()
    return [
        text
        for text, themes in zip(texts, taxonomy.match_many(texts, language), strict=True)
        if not themes
    ]


def planted_verbatims(seed: int = 1) -> tuple[list[str], list[str], list[str]]:
    """Texts, languages and the truth (planted topic, "known" or "noise") of a mixed sample."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    for topic, (language, subjects, problems, closers) in PLANTED.items():
        combos = [f"{s} {p}.{c}" for s in subjects for p in problems for c in closers]
        combos = _unmatched(combos, language)
        rows += [(text, language, topic) for text in rng.sample(combos, 40)]
    for language, known, pool, count in (
        ("fr", FRENCH_KNOWN, FRENCH_NOISE, 80),
        ("en", ENGLISH_KNOWN, ENGLISH_NOISE, 60),
    ):
        rows += [(rng.choice(known), language, "known") for _ in range(2 * count)]
        noise = [" ".join(rng.sample(pool, 3)).capitalize() + "." for _ in range(count)]
        rows += [(text, language, "noise") for text in _unmatched(noise, language)]
    rng.shuffle(rows)
    texts, languages, truth = (list(column) for column in zip(*rows, strict=True))
    return texts, languages, truth


@pytest.fixture(scope="module")
def planted() -> tuple[list[str], list[str], list[str], EmergingThemes]:
    texts, languages, truth = planted_verbatims()
    return texts, languages, truth, emerging_themes(texts, languages, min_size=10, seed=0)


def test_planted_data_is_outside_the_taxonomy_where_it_should_be() -> None:
    texts, languages, truth = planted_verbatims()
    matched = load_taxonomy().match_many(texts, languages)
    assert all(
        bool(themes) == (kind == "known") for themes, kind in zip(matched, truth, strict=True)
    )
    assert Counter(truth)["gift_card_fr"] == 40


@pytest.mark.parametrize(
    ("topic", "label_words"),
    [
        ("gift_card_fr", ["carte cadeau"]),
        ("charging_fr", ["borne", "recharge"]),
        ("gift_card_en", ["gift card"]),
    ],
)
def test_planted_topics_are_recovered_with_their_keywords(
    planted: tuple[list[str], list[str], list[str], EmergingThemes],
    topic: str,
    label_words: list[str],
) -> None:
    _, _, truth, found = planted
    in_topic = {row for row, kind in enumerate(truth) if kind == topic}
    overlaps = Counter(found.assignments[row] for row in in_topic if found.assignments[row] >= 0)
    assert overlaps, f"{topic} was not found"
    best, hits = overlaps.most_common(1)[0]
    members = {row for row, place in enumerate(found.assignments) if place == best}
    assert hits / len(in_topic) >= 0.85  # recall
    assert hits / len(members) >= 0.95  # purity
    theme = found.themes[best]
    assert theme.language == PLANTED[topic][0]
    assert theme.size == len(members)
    assert all(word in theme.label for word in label_words), theme.label
    assert 2 <= len(theme.examples) <= 3


def test_every_theme_is_a_planted_topic_and_known_verbatims_are_left_out(
    planted: tuple[list[str], list[str], list[str], EmergingThemes],
) -> None:
    _, _, truth, found = planted
    assert len(found.themes) == 3
    for place in range(len(found.themes)):
        kinds = Counter(truth[row] for row, p in enumerate(found.assignments) if p == place)
        assert kinds.most_common(1)[0][0] in PLANTED
    assert all(p == -1 for p, kind in zip(found.assignments, truth, strict=True) if kind == "known")
    noise = [p for p, kind in zip(found.assignments, truth, strict=True) if kind == "noise"]
    assert sum(p >= 0 for p in noise) <= 0.1 * len(noise)
    assert found.unmatched == sum(kind != "known" for kind in truth)


def test_theme_figures_are_consistent(
    planted: tuple[list[str], list[str], list[str], EmergingThemes],
) -> None:
    texts, _, _, found = planted
    for theme in found.themes:
        assert theme.share == pytest.approx(theme.size / len(texts))
        assert -1 <= theme.sentiment <= 1
        assert 0 <= theme.share_negative <= 1
    frame = found.to_frame()
    assert frame["size"].tolist() == [theme.size for theme in found.themes]


def test_same_seed_gives_same_themes() -> None:
    texts, languages, _ = planted_verbatims()
    first = emerging_themes(texts, languages, min_size=10, seed=3)
    again = emerging_themes(texts, languages, min_size=10, seed=3)
    assert first == again


def test_new_verbatims_are_assigned_to_the_themes(
    planted: tuple[list[str], list[str], list[str], EmergingThemes],
) -> None:
    texts, languages, truth, found = planted
    place_of = {
        topic: Counter(
            p for p, kind in zip(found.assignments, truth, strict=True) if kind == topic
        ).most_common(1)[0][0]
        for topic in PLANTED
    }
    new = [
        "Carte cadeau expirée, impossible de l'utiliser",
        "Encore une borne de recharge éteinte ce matin",
        "Gift card was rejected again",
        "Livraison en retard.",
        "Piano jardin soleil.",
    ]
    assert found.assign(new, ["fr", "fr", "en", "fr", "fr"]) == [
        place_of["gift_card_fr"],
        place_of["charging_fr"],
        place_of["gift_card_en"],
        -1,
        -1,
    ]
    assert found.assign(texts, languages) == list(found.assignments)


def test_examples_come_from_display_texts() -> None:
    texts, languages, _ = planted_verbatims()
    shown = [f"#{row}" for row in range(len(texts))]
    found = emerging_themes(texts, languages, min_size=10, display_texts=shown)
    for place, theme in enumerate(found.themes):
        for example in theme.examples:
            assert found.assignments[int(example[1:])] == place


def test_too_few_unmatched_verbatims_give_no_theme_and_a_note() -> None:
    texts = ["Ma carte cadeau a expiré."] * 5 + ["Livraison en retard."] * 50
    found = emerging_themes(texts, "fr", min_size=10)
    assert found.themes == ()
    assert found.assignments == (-1,) * len(texts)
    assert found.unmatched == 5
    assert "only 5 verbatims" in found.notes[0] and "min_size=10" in found.notes[0]


def test_empty_input_gives_no_theme() -> None:
    found = emerging_themes([], "fr")
    assert (found.themes, found.assignments, found.unmatched, found.notes) == ((), (), 0, ())
    blank = emerging_themes([None, "", "   "], "fr")
    assert blank.themes == () and blank.unmatched == 0


def test_other_languages_are_left_out_with_a_note() -> None:
    found = emerging_themes(["Das ist gut"] * 20, "unknown", min_size=5)
    assert found.themes == ()
    assert "20 verbatims in other or unknown languages" in found.notes[0]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"min_size": 1}, "min_size"),
        ({"max_themes": 0}, "max_themes"),
        ({"display_texts": ["a"]}, "1 display_texts for 2 texts"),
        ({"languages": ["fr"]}, "1 languages for 2 texts"),
    ],
)
def test_bad_parameters_are_named(arguments: dict[str, object], message: str) -> None:
    options: dict[str, object] = {"languages": "fr", **arguments}
    with pytest.raises(InvalidParameterError, match=message):
        emerging_themes(["a", "b"], **options)


def test_words_repeated_in_unrelated_sentences_are_not_themes() -> None:
    texts: list[str] = []
    languages: list[str] = []
    truth: list[str] = []
    for seed in range(1, 6):
        more_texts, more_languages, more_truth = planted_verbatims(seed)
        texts += more_texts
        languages += more_languages
        truth += more_truth
    found = emerging_themes(texts, languages, min_size=10)
    noise_words = Counter(
        word
        for text, kind in zip(texts, truth, strict=True)
        if kind == "noise"
        for word in text.lower().strip(".").split()
    )
    assert noise_words.most_common(1)[0][1] >= 10  # noise words are frequent enough to group
    assert len(found.themes) == 3
    for place, theme in enumerate(found.themes):
        kinds = Counter(truth[row] for row, p in enumerate(found.assignments) if p == place)
        assert kinds.most_common(1)[0][1] >= 0.95 * theme.size
        assert kinds.most_common(1)[0][0] in PLANTED
