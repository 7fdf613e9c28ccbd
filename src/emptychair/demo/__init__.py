"""A synthetic omnichannel retailer, Maison Exemple, with known ground truth."""
