"""Batch decisions for a million customers: how long ``decision_table`` takes in DuckDB.

Synthetic customer features (every column the rules and guardrails read, with missing
values where a real workspace has them) are generated in DuckDB, then every customer's
decision under the default catalogue is materialised, and the guardrail statistics are
computed, as ``emptychair actions run`` does after building the features.

    python bench/actions.py [--customers 1000000] [--threads 2] [--memory-limit 2GB]

Target: under 60 s for 1,000,000 customers on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import time

import ibis

from emptychair.actions.arbitration import decision_table, guardrail_statistics
from emptychair.actions.catalogue import default_catalogue_file, load_catalogue
from emptychair.actions.features import FEATURES, PURPOSES

THEMES = "['delivery', 'price_and_fees', 'billing', 'product_quality', 'waiting_time']"


def _features_sql(customers: int) -> str:
    """One row per customer; each feature drawn from a plausible distribution."""
    consents = ",\n".join(f"random() < 0.5 AS consent_{p}" for p in PURPOSES)
    return f"""
    CREATE TABLE features AS
    SELECT
        'C' || lpad(i::VARCHAR, 8, '0') AS customer_id,
        random() * 3000 AS tenure_days,
        CASE WHEN random() < 0.95 THEN random() * random() * 1000 END AS clv,
        CASE WHEN random() < 0.95 THEN random() END AS p_alive,
        ['champions', 'loyal', 'potential loyalists', 'at risk', 'hibernating', 'lost']
            [1 + floor(random() * 6)::INT] AS segment,
        ['top', 'high', 'medium', 'low'][1 + floor(random() * 4)::INT] AS tier,
        floor(random() * 10)::DOUBLE AS orders,
        random() * 2000 AS total_spend,
        random() * 1000 AS days_since_last_purchase,
        CASE WHEN random() < 0.3 THEN floor(random() * 11)::DOUBLE END AS last_nps,
        CASE WHEN random() < 0.3 THEN random() * 700 END AS days_since_last_nps,
        CASE WHEN random() < 0.1 THEN random() END AS last_csat,
        random() < 0.2 AS detractor_followed_up,
        CASE WHEN random() < 0.2
             THEN list_slice({THEMES}, 1 + floor(random() * 5)::INT, 5) ELSE [] END
            AS negative_themes,
        CASE WHEN random() < 0.01 THEN 1.0 ELSE 0.0 END AS open_complaints,
        floor(random() * random() * 5)::DOUBLE AS recent_outbound_contacts,
        CASE WHEN random() < 0.4 THEN random() * 120 END AS days_since_last_contact,
        {consents}
    FROM range({customers}) AS t(i)
    """


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GB")
    args = parser.parse_args()

    con = ibis.duckdb.connect(threads=args.threads, memory_limit=args.memory_limit)
    started = time.perf_counter()
    con.raw_sql(_features_sql(args.customers))
    generated = time.perf_counter() - started
    features = con.table("features")
    assert list(features.columns) == ["customer_id", *FEATURES]
    catalogue = load_catalogue(default_catalogue_file())

    started = time.perf_counter()
    con.create_table("decisions", decision_table(features, catalogue))
    decided = time.perf_counter() - started
    started = time.perf_counter()
    statistics = con.execute(guardrail_statistics(features, catalogue))
    counted = time.perf_counter() - started

    decisions = con.table("decisions")
    per_action = con.execute(decisions.group_by("action_id").aggregate(n=decisions.count()))
    report = {
        "customers": args.customers,
        "threads": args.threads,
        "features_generated_s": round(generated, 2),
        "decisions_s": round(decided, 2),
        "guardrail_statistics_s": round(counted, 2),
        "total_s": round(decided + counted, 2),
        "per_action": dict(
            zip(per_action["action_id"].fillna("none"), per_action["n"], strict=True)
        ),
        "guardrail_columns": len(statistics.columns),
    }
    print(json.dumps(report, indent=2, default=int))


if __name__ == "__main__":
    main()
