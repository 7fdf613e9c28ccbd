"""Fitting and scoring in the engine give the numbers of the in-memory path."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from emptychair.value.clv import customer_lifetime_value
from emptychair.value.models import BetaGeoModel, GammaGammaModel
from emptychair.value.scoring import fit_models, score_customers

from .conftest import simulate_summary


def test_engine_and_memory_paths_agree() -> None:
    summary = simulate_summary(5000, seed=21)
    summary["recency"] = summary["recency"].round(1)  # shared histories, as with days
    summary["T"] = summary["T"].round(1)
    con = ibis.duckdb.connect()
    table = con.create_table("summary", ibis.memtable(summary))
    purchases, spend = fit_models(table, "bgnbd")
    # Same optimum; rows come in another order, so the last digits of the optimiser differ.
    np.testing.assert_allclose(purchases.params_, BetaGeoModel().fit(summary).params_, rtol=1e-5)
    np.testing.assert_allclose(spend.params_, GammaGammaModel().fit(summary).params_, rtol=1e-5)
    assert purchases.diagnostics_["unique_rows"] < len(summary)

    scored = con.to_pandas(score_customers(table, purchases, spend, months=6, margin=0.4))
    scored = scored.sort_values("customer_id").set_index("customer_id")
    expected = customer_lifetime_value(purchases, spend, summary, months=6, margin=0.4)
    expected = expected.set_index("customer_id").loc[scored.index]
    columns = ["probability_alive", "expected_purchases", "expected_spend", "clv", "clv_lower"]
    pd.testing.assert_frame_equal(
        scored[[*columns, "clv_upper"]], expected[[*columns, "clv_upper"]], rtol=1e-9
    )
