"""Estimators of customer value: one file per model over a shared base.

Each model is known by a short name on the command line and in stored runs.
"""

from __future__ import annotations

from emptychair.errors import InvalidParameterError
from emptychair.value.models.base import CustomerValueModel
from emptychair.value.models.beta_geo import BetaGeoModel
from emptychair.value.models.beta_geo_beta_binom import BetaGeoBetaBinomModel
from emptychair.value.models.gamma_gamma import GammaGammaModel
from emptychair.value.models.modified_beta_geo import ModifiedBetaGeoModel
from emptychair.value.models.pareto_nbd import ParetoNBDModel
from emptychair.value.models.purchase import PurchaseModel
from emptychair.value.models.shifted_beta_geo import ShiftedBetaGeoModel

#: Models of repeat purchases in continuous time, usable for CLV.
PURCHASE_MODELS: dict[str, type[PurchaseModel]] = {
    "bgnbd": BetaGeoModel,
    "paretonbd": ParetoNBDModel,
    "mbgnbd": ModifiedBetaGeoModel,
}
#: Every model, by the name the CLI uses.
MODELS: dict[str, type[CustomerValueModel]] = {
    **PURCHASE_MODELS,
    "bgbb": BetaGeoBetaBinomModel,
    "sbg": ShiftedBetaGeoModel,
    "gammagamma": GammaGammaModel,
}


def model_class(name: str) -> type[CustomerValueModel]:
    """The model class called ``name``; a clear error for an unknown name."""
    try:
        return MODELS[name]
    except KeyError:
        raise InvalidParameterError(
            f"unknown model {name!r}; use one of: {', '.join(MODELS)}"
        ) from None


def purchase_model(name: str) -> PurchaseModel:
    """A new, unfitted purchase model called ``name``."""
    if name not in PURCHASE_MODELS:
        raise InvalidParameterError(
            f"{name!r} is not a purchase model for CLV; use one of: {', '.join(PURCHASE_MODELS)}"
        )
    return PURCHASE_MODELS[name]()


__all__ = [
    "MODELS",
    "PURCHASE_MODELS",
    "BetaGeoBetaBinomModel",
    "BetaGeoModel",
    "CustomerValueModel",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "PurchaseModel",
    "ShiftedBetaGeoModel",
    "model_class",
    "purchase_model",
]
