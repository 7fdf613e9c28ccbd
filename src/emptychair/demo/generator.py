"""Maison Exemple: a synthetic French/English omnichannel retailer with known ground truth.

:func:`generate_company` writes the files a real company would hand over (a CRM export,
a second customer file from the shops' loyalty system, orders from a French spreadsheet,
interactions in Parquet, survey answers in JSON lines, complaints and consents) together
with a ``truth`` folder holding everything that generated them, so that each analysis
can be checked against the answer it should find.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from emptychair.demo import clock
from emptychair.demo.clock import Window
from emptychair.demo.consents import make_consents
from emptychair.demo.interactions import Interactions, make_interactions
from emptychair.demo.orders import Orders, make_orders
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.people import People, make_people
from emptychair.demo.practices import (
    call_steps,
    plan_practice,
    with_complaints,
    with_withdrawals,
)
from emptychair.demo.voice import make_voice
from emptychair.demo.writing import write_csv

#: Each canonical table's files, in import order (customers first).
FILES: dict[str, tuple[str, ...]] = {
    "customers": ("customers.csv", "clients_boutique.csv"),
    "orders": ("commandes.csv",),
    "interactions": ("interactions.parquet",),
    "feedback": ("feedback.jsonl",),
    "complaints": ("complaints.csv",),
    "consents": ("consents.csv",),
}
MINIMUM_CUSTOMERS = 100


@dataclass(frozen=True)
class DemoFiles:
    """What :func:`generate_company` wrote.

    Attributes
    ----------
    folder
        The folder holding the files.
    files
        Canonical table name to the files to import into it, in import order
        (customers first).
    truth
        The folder holding the ground truth.
    counts
        Rows written per canonical table, summed over its files (deliberately bad
        rows included).
    """

    folder: Path
    files: dict[str, list[Path]]
    truth: Path
    counts: dict[str, int]


def generate_company(
    folder: Path, customers: int = 50_000, seed: int = 0, end: date | None = None
) -> DemoFiles:
    """Write the demo company's files and their ground truth into ``folder``.

    Parameters
    ----------
    folder
        Where to write; created if needed. Existing demo files are replaced.
    customers
        Number of customers in the CRM export. The shops add about 7 % more records
        (3 % known duplicates of CRM customers and 4 % shop-only customers).
    seed
        Seed of the random generator: the same seed, size and ``end`` give
        byte-identical files.
    end
        The day the history stops (at midnight, excluded); defaults to today. The
        history covers the three years before it and nothing is dated after it,
        except the few deliberately bad order rows dated in the future.

    Returns
    -------
    DemoFiles
        The files per canonical table, the truth folder and the row counts.
    """
    if customers < MINIMUM_CUSTOMERS:
        raise ValueError(f"customers must be at least {MINIMUM_CUSTOMERS}, got {customers}")
    params = DemoParameters(customers=customers, seed=seed, end=end or date.today())
    window = Window.before(params.end, params.history_years)
    streams = np.random.default_rng(seed).spawn(6)
    people = make_people(streams[0], params, window)
    consents = make_consents(streams[2], window, people)
    practice = plan_practice(streams[5], params, window, people, consents)
    consents = with_withdrawals(practice, consents, people)
    orders = make_orders(streams[1], params, window, people, practice)
    interactions = make_interactions(
        streams[3], params, window, people, orders, consents, call_steps(practice)
    )
    voice = make_voice(streams[4], params, window, people, orders, interactions)
    complaints = with_complaints(practice, voice.complaints, people, window)

    folder = Path(folder)
    truth = folder / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    write_csv(people.crm_file, folder / "customers.csv")
    write_csv(
        people.shop_file, folder / "clients_boutique.csv", sep=";", encoding="latin-1", excel=True
    )
    write_csv(orders.file, folder / "commandes.csv", sep=";", encoding="utf-8-sig", excel=True)
    pq.write_table(interactions.table, folder / "interactions.parquet", compression="zstd")
    (folder / "feedback.jsonl").write_text(
        "".join(line + "\n" for line in voice.feedback_lines), encoding="utf-8"
    )
    write_csv(complaints, folder / "complaints.csv")
    write_csv(consents.file, folder / "consents.csv")

    counts = {
        "customers": len(people.crm_file) + len(people.shop_file),
        "orders": len(orders.file),
        "interactions": interactions.table.num_rows,
        "feedback": len(voice.feedback_lines),
        "complaints": len(complaints),
        "consents": len(consents.file),
    }
    _csv(people.identity, truth / "identity.csv")
    _csv(orders.bad_rows, truth / "bad_rows.csv")
    _csv(voice.feedback_truth, truth / "feedback.csv")
    _csv(interactions.violations, truth / "consent_violations.csv")
    _csv(_teams(params, interactions), truth / "teams.csv")
    _csv(practice.truth(people), truth / "practice.csv")
    pq.write_table(_customer_truth(people, orders), truth / "customers.parquet", compression="zstd")
    pq.write_table(_journey_truth(interactions), truth / "journeys.parquet", compression="zstd")
    summary = params.to_dict()
    summary["window"] = {"start": window.start.isoformat(), "end": window.end.isoformat()}
    summary["rows"] = counts
    summary["realised"] = _realised(people, orders, interactions, voice.feedback_truth)
    summary["realised"]["practice"] = practice.realised()
    (truth / "parameters.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    files = {table: [folder / name for name in names] for table, names in FILES.items()}
    return DemoFiles(folder=folder, files=files, truth=truth, counts=counts)


def _csv(
    frame: pd.DataFrame, path: Path, sep: str = ",", encoding: str = "utf-8", excel: bool = False
) -> None:
    """Write a text table; ``excel`` ends lines with CRLF as spreadsheets do."""
    frame.to_csv(
        path, sep=sep, encoding=encoding, index=False, lineterminator="\r\n" if excel else "\n"
    )


def _customer_truth(people: People, orders: Orders) -> pa.Table:
    records = people.records
    person = records["person"].to_numpy()
    truth = orders.truth
    per_record = np.bincount(orders.table["record"].to_numpy(), minlength=len(records))
    frame = pd.DataFrame(
        {
            "record_id": records["record_id"].to_numpy(),
            "person_id": people.persons["person_id"].to_numpy()[person],
            "source": records["source"].to_numpy(),
            "purchase_rate_per_week": truth["purchase_rate_per_week"].to_numpy()[person],
            "dropout_probability": truth["dropout_probability"].to_numpy()[person],
            "alive_at_end": truth["alive_at_end"].to_numpy()[person],
            "spend_nu": truth["spend_nu"].to_numpy()[person],
            "expected_spend": truth["expected_spend"].to_numpy()[person],
            "first_purchase_at": clock.timestamps(truth["first_purchase_s"].to_numpy()[person]),
            "age_weeks": truth["age_weeks"].to_numpy()[person],
            "repeat_purchases": truth["repeat_purchases"].to_numpy()[person],
            "orders_person": truth["orders_person"].to_numpy()[person],
            "orders_record": per_record,
        }
    )
    return pa.Table.from_pandas(frame, preserve_index=False)


def _journey_truth(interactions: Interactions) -> pa.Table:
    j = interactions.journeys
    frame = pd.DataFrame(
        {
            "journey_id": j["journey_id"].to_numpy(dtype=str),
            "kind": j["kind"].to_numpy(dtype=str),
            "customer_id": j["customer_id"].to_numpy(dtype=str),
            "reason": j["reason"].fillna("").to_numpy(dtype=str),
            "started_at": clock.timestamps(j["started_s"].to_numpy(dtype=np.int64)),
            "ended_at": clock.timestamps(j["ended_s"].to_numpy(dtype=np.int64)),
            "contacts": j["contacts"].to_numpy(dtype=np.int64),
            "first_team": j["first_team"].fillna("").to_numpy(dtype=str),
            "last_team": j["last_team"].fillna("").to_numpy(dtype=str),
            **{
                flag: j[flag].to_numpy(dtype=bool)
                for flag in (
                    "repeat_contact",
                    "web_to_phone",
                    "long_wait",
                    "abandoned_call",
                    "transferred",
                    "resolved",
                    "dead_end",
                )
            },
        }
    )
    for column in ("customer_id", "reason", "first_team", "last_team"):
        frame[column] = frame[column].replace("", None)
    return pa.Table.from_pandas(frame, preserve_index=False)


def _teams(params: DemoParameters, interactions: Interactions) -> pd.DataFrame:
    """The teams' known profiles beside what their contacts show."""
    steps = interactions.contacts.steps
    agent = steps[(steps["attempt"] >= 0) & (steps["touchpoint"] != "queue")]
    attempts = set(zip(steps["journey"].tolist(), steps["attempt"].tolist(), strict=True))
    followed = np.array(
        [
            (j, a + 1) in attempts
            for j, a in zip(agent["journey"].tolist(), agent["attempt"].tolist(), strict=True)
        ],
        dtype=bool,
    )
    observed = pd.DataFrame(
        {
            "team": agent["team"].to_numpy(),
            "resolved": agent["outcome"].to_numpy() == "resolved",
            "followed": followed,
        }
    ).groupby("team")
    level_two = next(t for t in params.teams if t.level == 2)
    rows = []
    for team in params.teams:
        handled = observed.get_group(team.name) if team.name in observed.groups else None
        rows.append(
            {
                "team": team.name,
                "channel": team.channel,
                "level": team.level,
                "outsourced": str(team.outsourced).lower(),
                "agents": team.agents,
                "contacts_per_agent_hour": team.contacts_per_agent_hour,
                "average_handle_time_s": team.average_handle_time_s,
                "first_contact_resolution": team.first_contact_resolution,
                "routing_share": team.routing_share,
                "expected_repeat_rate": round(
                    params.frictions.expected_repeat_rate(team, level_two), 4
                )
                if team.level == 1
                else None,
                "contacts_handled": 0 if handled is None else len(handled),
                "observed_resolution_rate": None
                if handled is None
                else round(float(handled["resolved"].mean()), 4),
                "observed_repeat_rate": None
                if handled is None
                else round(float(handled["followed"].mean()), 4),
            }
        )
    return pd.DataFrame(rows)


def _realised(
    people: People, orders: Orders, interactions: Interactions, feedback: pd.DataFrame
) -> dict[str, object]:
    """What the random draws actually produced, beside the parameters."""
    journeys = interactions.journeys
    contact = journeys[journeys["kind"] == "contact"]
    errors = journeys[journeys["web_error"]]
    phone_contacts = contact[contact["first_channel"] == "phone"]
    return {
        "persons": len(people.persons),
        "shop_duplicates": int((people.identity["match_on"] != "none").sum()),
        "shop_only": int((people.identity["match_on"] == "none").sum()),
        "orders_good": len(orders.table),
        "orders_bad": len(orders.bad_rows),
        "mean_repeat_purchases": float(orders.truth["repeat_purchases"].mean()),
        "mean_order_amount": float(orders.table["amount_cents"].mean() / 100),
        "alive_share": float(orders.truth["alive_at_end"].mean()),
        "visitor_conversion": interactions.conversion,
        "contact_journeys": len(contact),
        "repeat_contact_share": float(contact["repeat_contact"].mean()) if len(contact) else 0.0,
        "long_wait_share_of_phone_journeys": float(phone_contacts["long_wait"].mean())
        if len(phone_contacts)
        else 0.0,
        "web_errors": len(errors),
        "web_errors_followed_by_call": float(errors["web_to_phone"].mean()) if len(errors) else 0.0,
        "consent_violations": len(interactions.violations),
        "feedback_mean_score_by_kind": {
            str(k): float(v) for k, v in feedback.groupby("kind")["score"].mean().items()
        },
    }
