"""Small hand-written lists of first and last names for the demo company's customers.

Every name is written with Latin-1 characters only, so the shop's loyalty export can be
encoded the way an old French spreadsheet would.
"""

from __future__ import annotations

import re
import unicodedata

FRENCH_FIRST = (
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Claire",
    "Hélène", "Isabelle", "Nathalie", "Sophie", "Céline", "Aurélie", "Élodie", "Anaïs", "Zoé",
    "Louise", "Jeanne", "Margaux", "Océane", "Pauline", "Lucie", "Amélie", "Agnès", "Béatrice",
    "Françoise", "Geneviève", "Mélanie", "Noémie", "Jean", "Pierre", "Louis", "Lucas", "Hugo",
    "Thomas", "Nicolas", "Julien", "Antoine", "Mathieu", "Alexandre", "Maxime", "Théo", "Nathan",
    "Léo", "Gabriel", "Raphaël", "Jérôme", "François", "Sébastien", "Stéphane", "Frédéric",
    "Benoît", "Cédric", "Grégoire", "Hervé", "Joël", "Loïc", "Noël", "Rémi", "Yannick", "Émile",
)  # fmt: skip

ENGLISH_FIRST = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "William",
    "James", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Jessica",
    "Emma", "Liam", "Ethan", "Chloe", "Hannah", "Megan", "Daniel", "Ryan", "Laura", "Sarah",
    "Michael",
)  # fmt: skip

FRENCH_LAST = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Pérez", "Marchand",
    "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
    "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Lacroix", "Fabre",
    "Dupuis", "Da Silva", "Rivière", "Le Gall", "Ménard", "Prévost", "Carré", "Rémy",
    "Tremblay", "Gagnon", "Côté", "Bouchard", "Lavoie", "Fortin", "Gagné", "Pelletier",
)  # fmt: skip

ENGLISH_LAST = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Lewis", "Harris", "Martin", "Cooper", "King", "Lee",
    "Campbell", "MacDonald", "O'Brien", "Murphy", "Scott", "Young", "Morris", "Turner",
)  # fmt: skip


def ascii_slug(name: str) -> str:
    """Lower-case ASCII form of a name as it appears in an e-mail address."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", plain.lower())
