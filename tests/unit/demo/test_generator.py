"""The demo company matches its ground truth and the canonical schema."""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from scipy.special import hyp2f1

from emptychair.demo.generator import DemoFiles, generate_company
from emptychair.demo.verbatims import CLAUSES, THEME_KEYWORDS, strip_accents
from emptychair.schema import TABLES, Column, Kind, normalise_label

END = date(2025, 6, 30)
END_AT = datetime(2025, 6, 30)
SIZE = 2000
#: How each written file is read: separator and encoding.
CSV_READ = {
    "customers.csv": (",", "utf-8"),
    "clients_boutique.csv": (";", "latin-1"),
    "commandes.csv": (";", "utf-8-sig"),
    "complaints.csv": (",", "utf-8"),
    "consents.csv": (",", "utf-8"),
}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_company(tmp_path_factory.mktemp("demo"), customers=SIZE, seed=7, end=END)


def read(path: Path) -> pd.DataFrame:
    """A demo file as raw text values (Parquet keeps its types)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    if path.suffix == ".jsonl":
        return pd.DataFrame([json.loads(line) for line in path.read_text("utf-8").splitlines()])
    sep, encoding = CSV_READ[path.name]
    return pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False)


def canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rename headers to canonical columns the way the importer's aliases do."""
    renames = {}
    for header in frame.columns:
        for column in TABLES[table].columns:
            if header == column.name or normalise_label(header) in column.aliases:
                renames[header] = column.name
    return frame.rename(columns=renames)


def parse_time(value: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def bad_rows(demo: DemoFiles) -> pd.DataFrame:
    return pd.read_csv(demo.truth / "bad_rows.csv", dtype={"value": str}, keep_default_na=False)


def good(demo: DemoFiles, table: str) -> list[tuple[Path, pd.DataFrame]]:
    """Each file of a table with canonical headers, without the known bad rows."""
    bad = bad_rows(demo)
    out = []
    for path in demo.files[table]:
        frame = canonical(table, read(path))
        listed = bad.loc[bad["file"] == path.name, "row"].to_numpy() - 2
        out.append((path, frame.drop(index=listed)))
    return out


def customer_ids(demo: DemoFiles) -> set[str]:
    return {i for _, frame in good(demo, "customers") for i in frame["customer_id"]}


def check_value(column: Column, raw: object) -> str | None:
    """Why a value breaks the column's rules, or None."""
    if isinstance(raw, (pd.Timestamp, datetime)):
        return "in the future" if raw > pd.Timestamp(END_AT) else None
    if isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool):
        if isinstance(raw, float) and math.isnan(raw):
            return "missing" if column.required else None
        text = str(raw)
    else:
        text = "" if raw is None else str(raw).strip()
    if not text:
        return "missing" if column.required else None
    if column.kind is Kind.CATEGORY and column.allowed:
        return None if column.canonical_value(text) else f"not allowed: {text}"
    if column.kind in (Kind.TEXT, Kind.CATEGORY):
        if column.case == "lower":
            text = text.lower()
        elif column.case == "upper":
            text = text.upper()
        return None if column.pattern is None or re.search(column.pattern, text) else text
    if column.kind in (Kind.NUMBER, Kind.INTEGER):
        number = float(text.replace(",", "."))
        if column.kind is Kind.INTEGER and number != int(number):
            return "not whole"
        low = -math.inf if column.minimum is None else column.minimum
        high = math.inf if column.maximum is None else column.maximum
        return None if low <= number <= high else f"out of bounds: {text}"
    if column.kind in (Kind.TIMESTAMP, Kind.DATE):
        moment = parse_time(text)
        if moment is None:
            return f"unreadable date: {text}"
        return "in the future" if moment > END_AT else None
    if column.kind is Kind.BOOLEAN:
        return None if text in ("true", "false") else f"not a boolean: {text}"
    return None


def test_files_are_listed_in_import_order_with_counts(demo: DemoFiles) -> None:
    assert list(demo.files) == [
        "customers",
        "orders",
        "interactions",
        "feedback",
        "complaints",
        "consents",
    ]
    assert [p.name for p in demo.files["customers"]] == ["customers.csv", "clients_boutique.csv"]
    for table, paths in demo.files.items():
        assert demo.counts[table] == sum(len(read(p)) for p in paths), table
    assert len(read(demo.files["customers"][0])) == SIZE
    for name in ("parameters.json", "customers.parquet", "identity.csv", "bad_rows.csv"):
        assert (demo.truth / name).exists()
    for name in ("feedback.csv", "journeys.parquet", "teams.csv"):
        assert (demo.truth / name).exists()


def digest(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_same_seed_gives_the_same_bytes(demo: DemoFiles, tmp_path: Path) -> None:
    again = generate_company(tmp_path / "again", customers=SIZE, seed=7, end=END)
    assert digest(again.folder) == digest(demo.folder)
    other = generate_company(tmp_path / "other", customers=SIZE, seed=8, end=END)
    changed = digest(other.folder)
    assert all(changed[name] != value for name, value in digest(demo.folder).items())


def test_end_defaults_to_today(tmp_path: Path) -> None:
    files = generate_company(tmp_path, customers=100, seed=1)
    parameters = json.loads((files.truth / "parameters.json").read_text("utf-8"))
    assert parameters["end"] == date.today().isoformat()


def test_too_small_a_company_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_company(tmp_path, customers=10)


def test_headers_map_onto_the_canonical_tables(demo: DemoFiles) -> None:
    for table, paths in demo.files.items():
        schema = TABLES[table]
        for path in paths:
            headers = list(read(path).columns)
            mapped = list(canonical(table, read(path)).columns)
            assert set(mapped) <= set(schema.column_names), (path.name, headers)
            assert len(set(mapped)) == len(mapped), path.name
            assert set(schema.required) <= set(mapped), path.name


def test_every_good_row_passes_the_schema_checks(demo: DemoFiles) -> None:
    known = customer_ids(demo)
    start = END_AT - timedelta(days=3 * 366)
    for table, schema in TABLES.items():
        seen: set[tuple[str, ...]] = set()
        for path, frame in good(demo, table):
            for column in schema.columns:
                if column.name not in frame:
                    continue
                problems = [p for p in (check_value(column, v) for v in frame[column.name]) if p]
                assert not problems, (path.name, column.name, problems[:3])
            keys = list(zip(*(frame[k].astype(str) for k in schema.key), strict=True))
            assert len(set(keys)) == len(keys), (path.name, "duplicate keys")
            assert not seen & set(keys), (path.name, "keys repeated across files")
            seen |= set(keys)
            if table != "customers":
                ids = frame["customer_id"].dropna()
                assert set(ids[ids != ""]) <= known, path.name
            if table == "interactions":
                assert (frame["customer_id"].notna() | frame["visitor_id"].notna()).all()
                assert frame["occurred_at"].min() >= pd.Timestamp(start)
            if table == "feedback":
                assert (frame["score"] <= frame["scale_max"]).all()


def test_nothing_is_dated_after_the_end(demo: DemoFiles) -> None:
    latest = []
    for table, schema in TABLES.items():
        times = [c.name for c in schema.columns if c.kind in (Kind.TIMESTAMP, Kind.DATE)]
        for _path, frame in good(demo, table):
            for name in times:
                if name not in frame:
                    continue
                values = frame[name]
                if values.dtype.kind == "M":
                    latest.append(values.max().to_pydatetime())
                else:
                    parsed = [parse_time(v) for v in values if v]
                    assert None not in parsed
                    latest.append(max(p for p in parsed if p is not None))
    assert max(latest) <= END_AT
    journeys = pq.read_table(demo.truth / "journeys.parquet").to_pandas()
    assert journeys["ended_at"].max() <= pd.Timestamp(END_AT) + pd.Timedelta(hours=2)


def test_bad_rows_are_where_the_truth_says(demo: DemoFiles) -> None:
    bad = bad_rows(demo)
    assert 15 <= len(bad) <= 25
    assert set(bad["reason"]) == {
        "negative amount",
        "absurd amount",
        "unparseable date",
        "date in the future",
        "unknown customer",
        "duplicate order id",
    }
    lines = (demo.folder / "commandes.csv").read_text("utf-8-sig").splitlines()
    header = lines[0].split(";")
    known = customer_ids(demo)
    for row in bad.itertuples():
        cells = dict(zip(header, lines[row.row - 1].split(";"), strict=True))
        value = cells[row.column]
        assert value == row.value
        if row.reason == "negative amount":
            assert float(value.replace(",", ".")) < 0
        elif row.reason == "absurd amount":
            assert float(value.replace(",", ".")) > 1_000_000
        elif row.reason == "unparseable date":
            assert parse_time(value) is None
        elif row.reason == "date in the future":
            moment = parse_time(value)
            assert moment is not None and moment > datetime.now()
        elif row.reason == "unknown customer":
            assert value not in known
        else:
            earlier = [line.split(";")[0] for line in lines[1 : row.row - 1]]
            assert value in earlier


def expected_repeats(t: np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """BG/NBD E[X(t)] (Fader, Hardie and Lee, 2005, equation 9)."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def orders_per_person(demo: DemoFiles) -> pd.DataFrame:
    ((_, orders),) = good(demo, "orders")
    identity = pd.read_csv(demo.truth / "identity.csv", dtype=str)
    person = dict(zip(identity["record_id"], identity["person_id"], strict=True))
    orders["person_id"] = orders["customer_id"].map(lambda c: person.get(c, c))
    return orders


def test_repeat_purchases_follow_the_bgnbd_expectation(demo: DemoFiles) -> None:
    params = json.loads((demo.truth / "parameters.json").read_text("utf-8"))["bgnbd"]
    truth = pq.read_table(demo.truth / "customers.parquet").to_pandas()
    people = truth.drop_duplicates("person_id").set_index("person_id")
    counts = orders_per_person(demo).groupby("person_id").size()
    repeats = counts.reindex(people.index).to_numpy() - 1
    assert (repeats == people["repeat_purchases"].to_numpy()).all()
    expected = expected_repeats(
        people["age_weeks"].to_numpy(), params["r"], params["alpha"], params["a"], params["b"]
    )
    tolerance = 4 * repeats.std() / math.sqrt(len(repeats))
    assert abs(repeats.mean() - expected.mean()) < tolerance
    per_record = orders_per_person(demo).groupby("customer_id").size()
    recorded = truth.set_index("record_id")["orders_record"]
    assert (per_record.reindex(recorded.index).fillna(0).astype(int) == recorded).all()


def test_order_amounts_follow_the_gamma_gamma_process(demo: DemoFiles) -> None:
    gg = json.loads((demo.truth / "parameters.json").read_text("utf-8"))["gamma_gamma"]
    p, q, gamma = gg["p"], gg["q"], gg["gamma"]
    orders = orders_per_person(demo)
    orders["amount"] = orders["amount"].str.replace(",", ".").astype(float)
    orders["when"] = pd.to_datetime(orders["ordered_at"], format="%d/%m/%Y %H:%M")
    first = orders.sort_values("when", kind="stable").drop_duplicates("person_id")["amount"]
    mean = p * gamma / (q - 1)
    variance = p * (p + 1) * gamma**2 / ((q - 1) * (q - 2)) - mean**2
    assert abs(first.mean() - mean) < 4 * math.sqrt(variance / len(first))
    truth = pq.read_table(demo.truth / "customers.parquet").to_pandas()
    expected = truth.drop_duplicates("person_id").set_index("person_id")["expected_spend"]
    regular = orders.groupby("person_id")["amount"].agg(["mean", "size"])
    regular = regular[regular["size"] >= 5]
    assert regular["mean"].corr(expected.reindex(regular.index)) > 0.6


def normal_email(value: str) -> str:
    return value.strip().lower()


def normal_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "33" + digits[1:] if digits.startswith("0") else digits


def test_identity_pairs_share_an_email_or_a_phone_written_differently(demo: DemoFiles) -> None:
    crm = read(demo.folder / "customers.csv").set_index("customer_id")
    shop = read(demo.folder / "clients_boutique.csv").set_index("id_client")
    identity = pd.read_csv(demo.truth / "identity.csv", dtype=str)
    assert set(identity["record_id"]) == set(shop.index)
    assert set(identity["match_on"]) == {"email", "phone", "none"}
    share = (identity["match_on"] != "none").mean() * len(shop) / SIZE
    assert 0.025 <= share <= 0.035
    emails = {normal_email(e) for e in crm["email"] if e}
    phones = {normal_phone(p) for p in crm["phone"] if p}
    for row in identity.itertuples():
        record = shop.loc[row.record_id]
        if row.match_on == "none":
            assert row.person_id == row.record_id
            assert normal_email(record["courriel"]) not in emails
            assert not record["telephone"] or normal_phone(record["telephone"]) not in phones
            continue
        person = crm.loc[row.person_id]
        if row.match_on == "email":
            assert normal_email(record["courriel"]) == normal_email(person["email"])
            assert record["courriel"] != person["email"]
        else:
            assert normal_phone(record["telephone"]) == normal_phone(person["phone"])
            assert record["telephone"] != person["phone"]


def test_shop_file_is_a_latin1_french_spreadsheet(demo: DemoFiles) -> None:
    raw = (demo.folder / "clients_boutique.csv").read_bytes()
    assert raw.startswith(b"id_client;date_creation;courriel;telephone;prenom;nom;pays;langue\r\n")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    orders = (demo.folder / "commandes.csv").read_bytes()
    assert orders.startswith(b"\xef\xbb\xbfnum_commande;")
    text = orders.decode("utf-8-sig")
    assert re.search(r";\d+,\d{2};EUR;", text)
    assert {"magasin", "site web", "application"} <= set(
        read(demo.folder / "commandes.csv")["canal"]
    )


def test_feedback_texts_carry_their_true_themes(demo: DemoFiles) -> None:
    feedback = read(demo.folder / "feedback.jsonl").set_index("feedback_id")
    truth = pd.read_csv(demo.truth / "feedback.csv", keep_default_na=False).set_index("feedback_id")
    assert list(truth.index) == list(feedback.index)
    written = truth[truth["has_text"]]
    assert feedback.loc[written.index, "text"].notna().all()
    assert feedback.loc[truth.index[~truth["has_text"]], "text"].isna().all()
    for feedback_id, row in written.iterrows():
        text = strip_accents(feedback.at[feedback_id, "text"]).lower()
        for theme in row["themes"].split(";"):
            assert any(word in text for word in THEME_KEYWORDS[theme]), (theme, text)
    contrasts = written[written["contrast"]]
    assert len(contrasts) > 50
    joints = (" mais ", ", par contre ", " but ", ", however ")
    for feedback_id in contrasts.index:
        assert any(j in feedback.at[feedback_id, "text"] for j in joints)
    assert set(contrasts["sentiment"]) == {"mixed"}
    assert written["negation"].sum() > 50
    assert written["accents_stripped"].sum() > 20
    assert set(written["language"]) == {"fr", "en"}
    assert set(feedback["kind"]) == {"nps", "csat", "ces"}
    assert set(feedback.groupby("kind")["scale_max"].first().items()) == {
        ("nps", 10),
        ("csat", 5),
        ("ces", 7),
    }


def test_every_clause_names_its_theme() -> None:
    for theme, languages in CLAUSES.items():
        for positive, negative in languages.values():
            for clause in (*positive, *negative):
                text = strip_accents(clause).lower()
                assert any(word in text for word in THEME_KEYWORDS[theme]), (theme, clause)


def test_scores_follow_sentiment_and_frictions(demo: DemoFiles) -> None:
    truth = pd.read_csv(demo.truth / "feedback.csv", keep_default_na=False)
    scale = truth["kind"].map({"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)})
    low = scale.map(lambda s: s[0])
    high = scale.map(lambda s: s[1])
    truth["level"] = (truth["score"] - low) / (high - low)
    by_sentiment = truth.groupby("sentiment")["level"].mean()
    assert by_sentiment["positive"] > by_sentiment["mixed"] > by_sentiment["negative"]
    positive = truth[truth["sentiment"] == "positive"]
    hit = positive[positive["repeat_contact"]]["level"]
    clean = positive[~positive["repeat_contact"]]["level"]
    gap = clean.mean() - hit.mean()
    assert gap > 3 * math.sqrt(hit.var() / len(hit) + clean.var() / len(clean))


def test_complaint_status_follows_its_timestamps(demo: DemoFiles) -> None:
    complaints = read(demo.folder / "complaints.csv")
    assert len(complaints) > 30
    has_ack = complaints["acknowledged_at"] != ""
    has_close = complaints["closed_at"] != ""
    status = complaints["status"]
    assert ((status == "closed") == has_close).all()
    assert ((status == "acknowledged") == (has_ack & ~has_close)).all()
    assert ((status == "open") == ~has_ack).all()
    assert (has_ack | ~has_close).all()
    assert ((complaints["resolution"] != "") == has_close).all()
    assert ((complaints["reopened"] == "true") <= has_close).all()
    for row in complaints[has_close].itertuples():
        assert row.opened_at < row.acknowledged_at < row.closed_at
    assert set(status) == {"open", "acknowledged", "closed"} or len(complaints) < 200


def test_consent_keys_are_unique_and_some_are_withdrawn(demo: DemoFiles) -> None:
    consents = read(demo.folder / "consents.csv")
    keys = consents[["customer_id", "purpose", "recorded_at"]]
    assert not keys.duplicated().any()
    ordered = consents.sort_values("recorded_at", kind="stable")
    history = ordered.groupby(["customer_id", "purpose"])["granted"].agg(list)
    withdrawn = history[history.map(lambda h: h[:2] == ["true", "false"])]
    assert len(withdrawn) > 50
    assert set(consents["source"]) == {"signup", "preference_centre", "store", "call"}


def test_interactions_carry_known_conversion_and_frictions(demo: DemoFiles) -> None:
    table = pq.read_table(demo.folder / "interactions.parquet")
    assert str(table.schema.field("occurred_at").type) == "timestamp[us]"
    assert str(table.schema.field("duration_s").type) == "double"
    frame = table.to_pandas()
    params = json.loads((demo.truth / "parameters.json").read_text("utf-8"))
    visitors = frame[frame["visitor_id"].notna()]
    bought = visitors.loc[visitors["outcome"] == "purchase", "visitor_id"].nunique()
    rate = bought / visitors["visitor_id"].nunique()
    assert rate == pytest.approx(params["web"]["visitor_conversion_rate"], abs=0.005)
    assert (visitors["customer_id"].isna() & (visitors["touchpoint"] == "visit")).any()

    journeys = pq.read_table(demo.truth / "journeys.parquet").to_pandas().set_index("journey_id")
    steps = frame[frame["journey_id"].notna()].groupby("journey_id")
    repeated = journeys[journeys["repeat_contact"]].index
    assert len(repeated) > 20
    contacts = {"call", "chat", "email", "queue"}
    for journey_id in repeated[:200]:
        rows = steps.get_group(journey_id)
        rows = rows[rows["touchpoint"].isin(contacts)]
        assert rows["reason"].nunique() == 1
        starts = rows["occurred_at"].sort_values().diff().dropna()
        assert (starts < pd.Timedelta(days=7)).all() and len(rows) >= 2
    hops = journeys[journeys["web_to_phone"]].index
    assert len(hops) > 10
    for journey_id in hops[:200]:
        rows = steps.get_group(journey_id).sort_values("occurred_at", kind="stable")
        first = rows.iloc[0]
        assert first["outcome"] == "error" and first["channel"] in ("web", "app")
        call = rows[rows["channel"] == "phone"].iloc[0]
        assert call["occurred_at"] - first["occurred_at"] < pd.Timedelta(hours=24)
    waits = frame[frame["touchpoint"] == "queue"]
    long_waits = set(waits.loc[waits["duration_s"] > 600, "journey_id"])
    assert long_waits == set(journeys[journeys["long_wait"]].index)
    campaigns = frame[frame["campaign_id"].notna()]
    assert (campaigns["direction"] == "outbound").all()


def test_teams_include_a_fast_team_that_resolves_poorly(demo: DemoFiles) -> None:
    teams = pd.read_csv(demo.truth / "teams.csv").set_index("team")
    fastest = teams["contacts_per_agent_hour"].idxmax()
    assert fastest == teams["first_contact_resolution"].idxmin()
    assert teams.at[fastest, "observed_repeat_rate"] > teams["observed_repeat_rate"].median()
    frame = pq.read_table(demo.folder / "interactions.parquet").to_pandas()
    assert set(frame["team"].dropna()) == set(teams.index)
