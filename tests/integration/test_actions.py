"""Customer-first actions on the demo company: features against the raw tables, service
recovery first for open complaints, batch equals one by one, stored runs, overrides."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from emptychair import Workspace
from emptychair.actions import decide, decide_all, record_override, run_actions
from emptychair.actions.arbitration import workspace_catalogue
from emptychair.actions.features import PURPOSES, customer_features
from emptychair.actions.overrides import override_history
from emptychair.actions.service import actions_summary
from emptychair.cli import app
from emptychair.demo.service import DemoReport
from emptychair.errors import NotFoundError
from emptychair.identity import with_golden_ids
from emptychair.workspace.results import result_table

SELLING = {"win_back", "cross_sell"}


@pytest.fixture(scope="module")
def company_copy(
    company: DemoReport, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("actions") / "ws"
    shutil.copytree(company.workspace, folder)
    with Workspace(folder) as ws:
        yield ws


@pytest.fixture(scope="module")
def busiest_moment(company_copy: Workspace) -> pd.Timestamp:
    """The moment, just after a complaint was filed, when most complaints were open."""
    complaints = company_copy.to_pandas(
        with_golden_ids(company_copy, company_copy.table("complaints"))
    )
    moments = complaints["opened_at"] + pd.Timedelta(minutes=1)
    closed = complaints["closed_at"].fillna(pd.Timestamp("2200-01-01"))
    counts = [((complaints["opened_at"] <= m) & (closed > m)).sum() for m in moments]
    return pd.Timestamp(moments.iloc[int(pd.Series(counts).idxmax())])


def _open_complaint_customers(ws: Workspace, at: pd.Timestamp) -> set[str]:
    complaints = ws.to_pandas(with_golden_ids(ws, ws.table("complaints")))
    closed = complaints["closed_at"].fillna(pd.Timestamp("2200-01-01"))
    is_open = (complaints["opened_at"] <= at) & (closed > at)
    return set(complaints.loc[is_open, "customer_id"])


def test_features_agree_with_the_raw_tables(company_copy: Workspace) -> None:
    ws = company_copy
    at = pd.Timestamp("2026-06-30")
    features = ws.to_pandas(customer_features(ws, at).table).set_index("customer_id")
    assert features.index.is_unique
    consents = ws.to_pandas(with_golden_ids(ws, ws.table("consents")))
    consents = consents[consents["recorded_at"] <= at].sort_values(
        ["recorded_at", "granted"], ascending=[True, False]
    )
    latest = consents.groupby(["customer_id", "purpose"])["granted"].last().unstack()
    for purpose in PURPOSES:
        expected = latest[purpose].astype("boolean").fillna(False) if purpose in latest else False
        got = features[f"consent_{purpose}"]
        assert (got.reindex(latest.index).fillna(False) == expected).all(), purpose
    opened = _open_complaint_customers(ws, at)
    assert set(features.index[features["open_complaints"] > 0]) == opened
    interactions = ws.to_pandas(with_golden_ids(ws, ws.table("interactions")))
    outbound = interactions[
        (interactions["direction"] == "outbound")
        & (interactions["occurred_at"] <= at)
        & (interactions["occurred_at"] > at - pd.Timedelta(days=30))
    ]
    counts = outbound.groupby("customer_id").size()
    recent = features["recent_outbound_contacts"]
    assert recent.sum() == len(outbound)
    assert (recent.reindex(counts.index) == counts).all()


def test_open_complaints_get_service_recovery_first(
    company_copy: Workspace, busiest_moment: pd.Timestamp
) -> None:
    ws = company_copy
    opened = _open_complaint_customers(ws, busiest_moment)
    assert len(opened) >= 2
    decisions = ws.to_pandas(decide_all(ws, as_of=busiest_moment)).set_index("customer_id")
    for customer in opened:
        row = decisions.loc[customer]
        assert row["action_id"] not in SELLING
        blocked = str(row["blocked_actions"])
        if row["action_id"] != "complaint_follow_up":
            # Only the contact guardrails may hold the call back.
            assert "complaint_follow_up:" in blocked, (customer, row.to_dict())
            held = blocked.split("complaint_follow_up:")[1].split(";")[0].split("+")
            assert set(held) <= {"contact_pressure", "quiet_period"}
        decision = decide(ws, customer, as_of=busiest_moment)
        assert decision.action_id == row["action_id"]
    assert (decisions.loc[list(opened), "action_id"] == "complaint_follow_up").sum() >= 1
    others = decisions.drop(index=list(opened))
    assert (others["action_id"] != "complaint_follow_up").all()


def test_batch_decisions_equal_the_decisions_one_by_one(company_copy: Workspace) -> None:
    ws = company_copy
    decisions = ws.to_pandas(decide_all(ws))
    assert decisions["customer_id"].is_unique
    assert decisions["action_id"].notna().all()  # the default catalogue can always leave alone
    chosen = set(decisions["action_id"])
    assert {"leave_alone", "thank_loyal_customer", "detractor_call_back"} <= chosen
    sample = pd.concat(
        [
            decisions.groupby("action_id").head(3),
            decisions.sample(20, random_state=3),
        ]
    ).drop_duplicates("customer_id")
    for row in sample.to_dict("records"):
        decision = decide(ws, row["customer_id"])
        assert decision.action_id == row["action_id"]
        assert ",".join(decision.eligible_actions) == row["eligible_actions"]
        blocked = ";".join(f"{a}:{'+'.join(g)}" for a, g in decision.blocked_actions.items())
        assert blocked == row["blocked_actions"]
        assert decision.why("en") and decision.why("fr")
        assert len(decision.why_not("en")) == len(decision.verdicts) - 1


def test_the_run_is_stored_with_its_guardrail_statistics(company_copy: Workspace) -> None:
    ws = company_copy
    run = run_actions(ws)
    stored = ws.to_pandas(result_table(ws, "actions_decisions", run.run_id))
    assert len(stored) == run.customers == ws.to_pandas(decide_all(ws))["customer_id"].nunique()
    assert run.actions["customers"].sum() == run.customers
    guardrails = ws.to_pandas(result_table(ws, "actions_guardrails", run.run_id))
    for row in guardrails.to_dict("records"):
        eligible = (
            stored["eligible_actions"].str.split(",").map(lambda ids, a=row["action_id"]: a in ids)
        )
        assert eligible.sum() == row["eligible_customers"]
        pattern = rf"(?:^|;){row['action_id']}:[a-z_+]*\b{row['guardrail']}\b"
        assert stored["blocked_actions"].str.contains(pattern).sum() == row["blocked_customers"]
    # Consent is the guardrail that holds back the most thanks on the demo company.
    thanks = guardrails[guardrails["action_id"] == "thank_loyal_customer"].set_index("guardrail")
    assert thanks["blocked_customers"].idxmax() == "consent"
    summary = actions_summary(ws)
    assert summary.run_id == run.run_id and summary.customers == run.customers


def test_an_override_is_recorded_and_shown_with_the_decision(company_copy: Workspace) -> None:
    ws = company_copy
    catalogue = workspace_catalogue(ws)
    customer = ws.to_pandas(decide_all(ws))["customer_id"].iloc[0]
    record_override(ws, customer, "thank_loyal_customer", reason="long-standing customer",
                    decided_by="A. Martin", catalogue=catalogue)  # fmt: skip
    record_override(ws, customer, "none", reason="asked for no contact", decided_by="B. Durand",
                    catalogue=catalogue)  # fmt: skip
    decision = decide(ws, customer)
    assert decision.override is not None
    assert decision.override.action_id is None and decision.override.decided_by == "B. Durand"
    assert "B. Durand" in (decision.override_text("fr") or "")
    assert len(override_history(ws, customer)) == 2  # append-only: the first one stays
    row = ws.to_pandas(decide_all(ws)).set_index("customer_id").loc[customer]
    assert row["override_action_id"] == "none" and row["override_by"] == "B. Durand"
    with pytest.raises(Exception, match="no action 'upsell'"):
        record_override(ws, customer, "upsell", reason="x", decided_by="y", catalogue=catalogue)


def test_missing_runs_leave_features_empty_and_say_which(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.engine.sql("INSERT INTO customers (customer_id, created_at) VALUES ('C1', '2024-01-01')")
        decision = decide(ws, "C1", as_of="2025-01-01")
        assert any("no value run" in w for w in decision.warnings)
        assert any("no voice run" in w for w in decision.warnings)
        assert decision.features["clv"] is None and decision.features["negative_themes"] is None
        assert decision.action_id == "leave_alone"
        label = "Win back a valuable customer who is drifting away"
        (line,) = [line for line in decision.why_not("en") if line.startswith(label)]
        assert "p_alive < 0.5 is unknown (p_alive = missing)" in line
        with pytest.raises(NotFoundError):
            decide(ws, "C404", as_of="2025-01-01")


def test_a_withdrawal_recorded_with_the_cli_stops_the_action(
    company: DemoReport, tmp_path: Path
) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(company.workspace, folder)
    with Workspace(folder) as ws:
        catalogue = workspace_catalogue(ws)
        decisions = ws.to_pandas(decide_all(ws, catalogue=catalogue))
        needing = {a.id: a.required_consents for a in catalogue.actions if a.required_consents}
        chosen = decisions[decisions["action_id"].isin(list(needing))].iloc[0]
        customer, action = str(chosen["customer_id"]), str(chosen["action_id"])
        before = decide(ws, customer, catalogue=catalogue)
        assert before.action_id == action
        assert all(before.features[f"consent_{p}"] for p in needing[action])
    purpose = needing[action][0]
    withdrawn = CliRunner().invoke(
        app,
        ["consent", "withdraw", customer, purpose, "--source", "call", "--workspace", str(folder)],
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    with Workspace(folder) as ws:
        # the same moment as before: the withdrawal was recorded after it, and still counts
        after = decide(ws, customer, as_of=before.as_of, catalogue=catalogue)
        assert after.features[f"consent_{purpose}"] is False
        assert after.action_id != action
        assert "consent" in after.blocked_actions[action]
        batch = ws.to_pandas(decide_all(ws, as_of=before.as_of, catalogue=catalogue))
        assert batch.set_index("customer_id").loc[customer, "action_id"] == after.action_id
        # everyone else is decided as before
        others = batch[batch["customer_id"] != customer].set_index("customer_id")["action_id"]
        unchanged = decisions[decisions["customer_id"] != customer].set_index("customer_id")
        assert others.sort_index().equals(unchanged["action_id"].sort_index())


def test_restriction_and_objection_hold_actions_back(company: DemoReport, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    shutil.copytree(company.workspace, folder)
    with Workspace(folder) as ws:
        catalogue = workspace_catalogue(ws)
        decisions = ws.to_pandas(decide_all(ws, catalogue=catalogue))
        kinds = decisions.set_index("customer_id")["action_kind"]
        seller = str(kinds[kinds.isin(["offer", "retention"])].index[0])
        mender = str(kinds[kinds == "service_recovery"].index[0])
        as_of = decide(ws, seller, catalogue=catalogue).as_of
    runner = CliRunner()
    for customer, purpose in ((seller, "marketing"), (mender, "marketing")):
        done = runner.invoke(
            app, ["gdpr", "restrict", customer, "--purpose", purpose, "-w", str(folder)]
        )
        assert done.exit_code == 0, done.output
    with Workspace(folder) as ws:
        # an objection to marketing stops selling, not putting a problem right
        sold = decide(ws, seller, as_of=as_of, catalogue=catalogue)
        assert sold.features["objects_to_marketing"] is True
        assert sold.action is None or not sold.action.sells
        mended = decide(ws, mender, as_of=as_of, catalogue=catalogue)
        assert mended.action is not None and mended.action.kind == "service_recovery"
    done = runner.invoke(
        app, ["gdpr", "restrict", mender, "--purpose", "processing", "-w", str(folder)]
    )
    assert done.exit_code == 0, done.output
    with Workspace(folder) as ws:
        # a restriction of processing stops every action: the engine leaves them alone
        held = decide(ws, mender, as_of=as_of, catalogue=catalogue)
        assert held.action is None or held.action.kind == "no_action"
        assert all("restriction" in g for g in held.blocked_actions.values())
        batch = ws.to_pandas(decide_all(ws, as_of=as_of, catalogue=catalogue))
        chosen = batch.set_index("customer_id")
        assert chosen.loc[mender, "action_id"] == held.action_id
        assert chosen.loc[seller, "action_id"] == sold.action_id
