"""Practices that pay now and hurt later: the detector and its stored runs.

For each outbound practice (see :mod:`emptychair.actions.practices_panel`), customers
contacted in a week are compared with comparable customers not contacted that week
(same wave, same coarsened value, order count, recency, tenure, e-mail consent and
earlier contact): the short-term revenue lift against later complaints, consent
withdrawals, dissatisfied answers, lapse and revenue (see
:mod:`emptychair.actions.practices_estimate`). A practice is *flagged* when its
short-term revenue lift and at least one later harm are both found, with the false
discovery rate controlled across every practice and outcome.

A run stores two result tables (see :mod:`emptychair.workspace.results`):
``actions_practices`` (one row per practice and outcome: effect, intervals, q-value,
signal, flag) and ``actions_practices_summary`` (one row per practice: contacts,
comparison, status and flag).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.actions.practices_estimate import (
    cell_statistics,
    clustered_variance,
    matched_strata,
    point_estimates,
    with_intervals,
)
from emptychair.actions.practices_panel import DAY_S, OUTCOMES, panel, sends, strata
from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import resolve_run, result_table, write_results

ANALYSIS = "practices"
ASSESSED = "assessed"
Step = Callable[[str], None]


@dataclass(frozen=True)
class PracticeSettings:
    """What the detector compares and how strict it is.

    Attributes
    ----------
    short_days
        Length of the short window after the start of a wave (revenue lift).
    long_days
        End of the long window (harm is measured from ``short_days`` to ``long_days``).
    alpha
        False discovery rate across practices and outcomes (Benjamini-Hochberg); the
        plain intervals have level ``1 - alpha``.
    min_contacted
        Contacted customers (summed over waves) a practice needs, with comparable
        uncontacted customers, to be assessed.
    by
        ``practice``: campaign ids sharing a name once their date or number is removed
        are one practice; ``campaign``: each campaign id on its own.
    as_of
        End of the data used (default: the latest order or interaction).
    """

    short_days: int = 30
    long_days: int = 180
    alpha: float = 0.05
    min_contacted: int = 50
    by: str = "practice"
    as_of: date | datetime | str | None = None

    def check(self) -> None:
        """Refuse settings the detector cannot use, naming the parameter."""
        if not 0 < self.short_days < self.long_days:
            raise InvalidParameterError(
                f"short_days={self.short_days}, long_days={self.long_days}: need "
                "0 < short_days < long_days"
            )
        if not 0 < self.alpha < 1:
            raise InvalidParameterError(f"alpha={self.alpha}: use a value between 0 and 1")
        if self.min_contacted < 1:
            raise InvalidParameterError(f"min_contacted={self.min_contacted}: use 1 or more")
        if self.by not in ("practice", "campaign"):
            raise InvalidParameterError(f"by={self.by!r}: use practice or campaign")


@dataclass
class PracticesResult:
    """What the detector found (and, once stored, the run that holds it)."""

    as_of: pd.Timestamp
    settings: PracticeSettings
    #: One row per practice: campaigns, contacts, comparison, status, flag.
    practices: pd.DataFrame
    #: One row per assessed practice and outcome: effect, intervals, q-value, signal.
    effects: pd.DataFrame
    run_id: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[str]:
        """The practices that pay now and hurt later."""
        rows = self.practices[self.practices["flagged"].astype(bool)]
        return sorted(rows["practice"].astype(str))


def _nothing(step: str) -> None:
    return None


def _end_seconds(workspace: Workspace, as_of: date | datetime | str | None) -> int:
    if as_of is not None:
        try:
            return int(pd.Timestamp(as_of).timestamp())
        except ValueError as error:
            raise InvalidParameterError(f"as_of={as_of!r}: use a date, YYYY-MM-DD") from error
    orders = workspace.table("orders")
    interactions = workspace.table("interactions")
    latest = [
        workspace.engine.execute(orders["ordered_at"].max()),
        workspace.engine.execute(interactions["occurred_at"].max()),
    ]
    found = [pd.Timestamp(v) for v in latest if v is not None and not pd.isna(v)]
    if not found:
        raise ModelDataError("no orders and no interactions: nothing to compare")
    return int(max(found).timestamp())


def _overview(workspace: Workspace, settings: PracticeSettings) -> pd.DataFrame:
    table = sends(workspace, settings.by)
    per_channel = workspace.to_pandas(
        table.group_by(["practice", "channel"]).aggregate(
            contacts=table.count(),
            campaigns=table["campaign_id"].nunique(),
            first_s=table["at_s"].min(),
            last_s=table["at_s"].max(),
        )
    )
    if per_channel.empty:
        raise ModelDataError(
            "no outbound campaigns: no interaction has direction 'outbound' and a "
            "campaign_id, so there is no practice to assess; import the campaign sends "
            "and calls into interactions with their campaign_id"
        )
    main = per_channel.sort_values(["practice", "contacts"], ascending=[True, False])
    channel = main.drop_duplicates("practice").set_index("practice")["channel"]
    overview = per_channel.groupby("practice").agg(
        campaigns=("campaigns", "sum"), first_s=("first_s", "min"), last_s=("last_s", "max")
    )
    overview["channel"] = channel
    return overview


def detect_practices(
    workspace: Workspace, settings: PracticeSettings | None = None, on_step: Step = _nothing
) -> PracticesResult:
    """Compare contacted and comparable uncontacted customers for every practice.

    Raises
    ------
    ModelDataError
        No outbound interaction with a campaign id, or no practice that can be
        assessed (each one's reason is given).
    """
    settings = settings or PracticeSettings()
    settings.check()
    on_step("campaign sends")
    overview = _overview(workspace, settings)
    end_s = _end_seconds(workspace, settings.as_of)
    short_s, long_s = settings.short_days * DAY_S, settings.long_days * DAY_S
    table = sends(workspace, settings.by)
    contacts = table.select("practice", "wave_s", "customer_id").distinct()
    waves = workspace.to_pandas(
        contacts.group_by(["practice", "wave_s"]).aggregate(contacted=contacts.count())
    )
    waves = waves[waves["wave_s"] + long_s <= end_s]
    contacted = waves.groupby("practice")["contacted"].sum()
    status = pd.Series("", index=overview.index, dtype=object)
    latest_start = pd.Timestamp(end_s - long_s, unit="s")
    for practice in overview.index:
        n = int(contacted.get(practice, 0))
        if n == 0:
            status[practice] = (
                f"no send before {latest_start:%Y-%m-%d}: the {settings.long_days}-day "
                "follow-up of every send is not over yet"
            )
        elif n < settings.min_contacted:
            status[practice] = (
                f"too few contacted customers: {n} with a complete follow-up "
                f"(min_contacted={settings.min_contacted})"
            )
    candidates = [p for p in overview.index if not status[p]]
    matched = pd.DataFrame()
    effects = pd.DataFrame()
    if candidates:
        on_step("comparison panel")
        chosen = waves[waves["practice"].isin(candidates)][["practice", "wave_s"]]
        engine = workspace.engine
        staged = f"_stage_practices_{new_batch_id().replace('-', '_')}"
        engine.create_table(
            staged, panel(workspace, contacts, ibis.memtable(chosen), short_s, long_s), temp=True
        )
        try:
            matched, effects = _compare(workspace, engine.table(staged), on_step)
        finally:
            engine.drop_table(staged)
        found = matched.groupby("practice")["n1"].sum()
        for practice in candidates:
            n1 = int(found.get(practice, 0))
            if n1 == 0:
                status[practice] = (
                    "no comparable uncontacted customers: no contacted customer has "
                    "uncontacted customers of the same week, value, order count, recency, "
                    "tenure and consent to be compared with"
                )
            elif n1 < settings.min_contacted:
                status[practice] = (
                    f"too few contacted customers with comparable uncontacted ones: {n1} "
                    f"of {int(contacted[practice])} (min_contacted={settings.min_contacted})"
                )
            else:
                status[practice] = ASSESSED
        assessed = [p for p in candidates if status[p] == ASSESSED]
        if assessed:
            on_step("effects and intervals")
            effects = effects[effects["practice"].isin(assessed)]
            effects = with_intervals(effects.reset_index(drop=True), settings.alpha)
        else:
            effects = pd.DataFrame()
    practices = _practice_frame(overview, waves, matched, effects, status)
    if not (practices["status"] == ASSESSED).any():
        reasons = "; ".join(f"{p}: {s}" for p, s in practices[["practice", "status"]].values)
        raise ModelDataError(f"no practice could be assessed ({reasons})")
    warnings = [f"{p}: {s}" for p, s in practices[["practice", "status"]].values if s != ASSESSED]
    return PracticesResult(
        as_of=pd.Timestamp(end_s, unit="s"),
        settings=settings,
        practices=practices,
        effects=_ordered(effects, matched),
        warnings=warnings,
    )


def _compare(
    workspace: Workspace, rows: ir.Table, on_step: Step
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matched strata and, per practice and outcome, effect and variance (before the
    multiple-testing step)."""
    buyers = rows.filter(rows["orders_before"] > 0)
    cuts = workspace.to_pandas(
        buyers.aggregate(
            low=buyers["spend_before"].quantile(1 / 3),
            high=buyers["spend_before"].quantile(2 / 3),
        )
    ).fillna(0.0)
    banded = strata(rows, (float(cuts["low"].iloc[0]), float(cuts["high"].iloc[0])))
    on_step("strata")
    matched = matched_strata(workspace.to_pandas(cell_statistics(banded)))
    if matched.empty:
        return matched, pd.DataFrame()
    estimates = point_estimates(matched)
    variance = workspace.to_pandas(clustered_variance(banded, matched, estimates))
    long = variance.melt(id_vars="practice", var_name="outcome", value_name="variance")
    return matched, estimates.merge(long, on=["practice", "outcome"])


def _practice_frame(
    overview: pd.DataFrame,
    waves: pd.DataFrame,
    matched: pd.DataFrame,
    effects: pd.DataFrame,
    status: pd.Series,
) -> pd.DataFrame:
    index = overview.index
    n1 = matched.groupby("practice")["n1"].sum() if len(matched) else pd.Series(dtype=float)
    n0 = matched.groupby("practice")["n0"].sum() if len(matched) else pd.Series(dtype=float)
    flagged = effects.groupby("practice")["flagged"].any() if len(effects) else pd.Series()
    harms = (
        effects[effects["signal"] == "harm"].groupby("practice")["outcome"].agg(", ".join)
        if len(effects)
        else pd.Series(dtype=object)
    )
    frame = pd.DataFrame(
        {
            "practice": index.astype(str),
            "channel": overview["channel"].astype(str).to_numpy(),
            "campaigns": overview["campaigns"].astype("int64").to_numpy(),
            "first_send": pd.to_datetime(overview["first_s"].to_numpy(), unit="s"),
            "last_send": pd.to_datetime(overview["last_s"].to_numpy(), unit="s"),
            "waves": [int((waves["practice"] == p).sum()) for p in index],
            "contacted": [int(waves.loc[waves["practice"] == p, "contacted"].sum()) for p in index],
            "matched": [int(n1.get(p, 0)) for p in index],
            "compared": [int(n0.get(p, 0)) for p in index],
            "status": [str(status[p]) for p in index],
            "flagged": [bool(flagged.get(p, False)) for p in index],
            "harms": [str(harms.get(p, "")) for p in index],
        }
    )
    return frame.sort_values(["flagged", "practice"], ascending=[False, True], ignore_index=True)


def _ordered(effects: pd.DataFrame, matched: pd.DataFrame) -> pd.DataFrame:
    if effects.empty:
        return effects
    n1 = matched.groupby("practice")["n1"].sum()
    n0 = matched.groupby("practice")["n0"].sum()
    effects = effects.assign(
        contacted=effects["practice"].map(n1).astype("int64"),
        compared=effects["practice"].map(n0).astype("int64"),
        rank=effects["outcome"].map({o: i for i, o in enumerate(OUTCOMES)}),
    )
    columns = ["practice", "outcome", "contacted", "compared", "baseline", "effect"]
    rest = [c for c in effects.columns if c not in columns and c != "rank"]
    effects = effects.sort_values(["practice", "rank"], ignore_index=True)
    return effects[columns + rest]


def _parameters(settings: PracticeSettings, as_of: pd.Timestamp) -> dict[str, object]:
    values = asdict(settings)
    values["as_of"] = as_of.isoformat()
    return values


def run_practices(
    workspace: Workspace,
    settings: PracticeSettings | None = None,
    *,
    on_step: Step = _nothing,
) -> PracticesResult:
    """Run the detector and store the run (analysis ``practices``).

    Parameters
    ----------
    workspace
        A workspace opened for writing.
    settings
        Windows, false discovery rate, minimum contacted customers (defaults:
        :class:`PracticeSettings`).
    on_step
        Called with the name of each step (for progress display).
    """
    started = utc_now()
    found = detect_practices(workspace, settings, on_step)
    run_id = new_batch_id()
    on_step("storing")
    write_results(
        workspace,
        run_id,
        ANALYSIS,
        {"actions_practices": found.effects, "actions_practices_summary": found.practices},
        parameters=_parameters(found.settings, found.as_of),
        started_at=started,
        rows=int(found.practices["contacted"].sum()),
    )
    found.run_id = run_id
    return found


def practices_summary(workspace: Workspace, run_id: str | None = None) -> PracticesResult:
    """A stored practices run (the latest by default)."""
    run = resolve_run(workspace, ANALYSIS, run_id)
    found = str(run["run_id"])
    parameters = json.loads(run["parameters"] or "{}")
    as_of = pd.Timestamp(parameters.pop("as_of"))
    settings = PracticeSettings(**parameters)
    practices = workspace.to_pandas(result_table(workspace, "actions_practices_summary", found))
    effects = workspace.to_pandas(result_table(workspace, "actions_practices", found))
    practices = practices.sort_values(
        ["flagged", "practice"], ascending=[False, True], ignore_index=True
    )
    rank = effects["outcome"].map({o: i for i, o in enumerate(OUTCOMES)})
    effects = effects.assign(rank=rank).sort_values(["practice", "rank"], ignore_index=True)
    warnings = [f"{p}: {s}" for p, s in practices[["practice", "status"]].values if s != ASSESSED]
    return PracticesResult(
        as_of=as_of,
        settings=settings,
        practices=practices,
        effects=effects.drop(columns="rank"),
        run_id=found,
        warnings=warnings,
    )
