"""The simulator page: the driver tree from behaviour to money, and what one scenario
changes in revenue and customer value, with intervals.

The form builds a scenario in the syntax of :mod:`emptychair.impact.scenarios` (lever,
change, share, segment, theme) and sends it with GET, so a scenario is a link that can be
shared. The tree of the workspace is kept while the data does not change (a new import
or run makes a new one), so the page opens at once.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from emptychair.errors import EmptyChairError
from emptychair.impact.charts import tree_chart
from emptychair.impact.scenarios import LEVERS
from emptychair.impact.service import driver_tree, simulate
from emptychair.impact.tree import DriverTree
from emptychair.report.findings import Formatter, latest_run
from emptychair.web.page_model import Cell, Field, Form, Page, PageContext, Table
from emptychair.workspace import Workspace

#: Bootstrap resamples of a scenario asked from the page (the CLI's default).
RESAMPLES = 200
_TREES: dict[tuple[str, str], DriverTree] = {}
_LOCK = threading.Lock()


def _data_version(workspace: Workspace) -> str:
    """Changes with every import and every stored run."""
    batches = workspace.table("_batches")
    latest = batches.aggregate(n=batches.count(), last=batches["started_at"].max())
    row = workspace.to_pandas(latest).iloc[0]
    return f"{row['n']}:{row['last']}"


def _tree(workspace: Workspace) -> DriverTree:
    key = (str(workspace.path), _data_version(workspace))
    with _LOCK:
        found = _TREES.get(key)
    if found is None:
        found = driver_tree(workspace)
        with _LOCK:
            _TREES.clear()  # one workspace per server: keep only the current tree
            _TREES[key] = found
    return found


def _translated(tree: DriverTree, words: dict[str, str]) -> DriverTree:
    nodes = {
        name: dataclasses.replace(node, label=words.get(name, node.label))
        for name, node in tree.nodes.items()
    }
    return dataclasses.replace(tree, nodes=nodes)


def _choices(context: PageContext) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Segments (value segments, tiers, web/app visitors) and voice themes to choose from."""
    words, language = context.words, context.language
    segments = [("", words["everyone"]), ("visitors", words["visitors"])]
    value = latest_run(context.workspace, "value")
    if value is not None:
        found = value.table("value_segments")
        label = f"label_{language}" if f"label_{language}" in found else "segment"
        segments += sorted(zip(found["segment"], found[label], strict=True), key=lambda s: s[1])
        tiers = value.table("value_tiers")
        segments += [(f"tier:{t}", f"{words['tier']} {t}") for t in tiers.get("tier", [])]
    themes: list[tuple[str, str]] = [("", "")]
    voice = latest_run(context.workspace, "voice")
    if voice is not None:
        found = voice.table("voice_themes")
        label = f"label_{language}" if f"label_{language}" in found else "theme"
        themes += sorted(zip(found["theme"], found[label], strict=True), key=lambda t: t[1])
    return segments, themes


def scenario_text(context: PageContext) -> str:
    """The scenario the form asks for, in the simulator's syntax ('' when none)."""
    lever, change = context.param("lever"), context.param("change").replace(" ", "")
    if not lever or not change:
        return ""
    theme, share, segment = context.param("theme"), context.param("share"), context.param("segment")
    text = f"irritant:{theme}" if lever == "irritant" and theme else lever
    text += f" {change}"
    if share:
        text += f"@{share.rstrip('%').replace(',', '.')}%"
    if segment:
        text += f" in {segment}"
    return text


def simulator(context: PageContext) -> Page:
    """The scenario form, the tree (with the scenario's changes) and the outcomes."""
    words, language = context.words, context.language
    f = Formatter(language)
    page = Page("simulator", words["nav"]["simulator"])
    segments, themes = _choices(context)
    levers = [(key, words["levers"].get(key, key)) for key in LEVERS]
    page.forms.append(
        Form(
            [
                Field("lever", words["lever"], context.param("lever") or "items", levers),
                Field(
                    "change", words["change"], context.param("change"), hint=words["change_hint"]
                ),
                Field("share", words["share"], context.param("share"), hint=words["share_hint"]),
                Field("segment", words["segment"], context.param("segment"), segments),
                Field("theme", words["theme"], context.param("theme"), themes),
            ],
            words["simulate"],
            words["scenario"],
        )
    )
    try:
        tree = _tree(context.workspace)
    except EmptyChairError as error:
        page.errors.append(str(error))
        return page
    asked = scenario_text(context)
    changes: dict[str, float] | None = None
    if asked:
        try:
            result = simulate(context.workspace, [asked], resamples=RESAMPLES)
        except EmptyChairError as error:
            page.errors.append(str(error))
        else:
            changes = next(iter(result.node_changes.values()), None)
            page.tables.append(_outcomes(result.table.iloc[0].to_dict(), words, f, asked))
            page.notes += result.notes
    nodes = words["tree_nodes"]
    period = tree.period.replace(" to ", " au ") if language == "fr" else tree.period
    title = words["tree_title"].format(period=period)
    spec = tree_chart(_translated(tree, nodes), changes, title=title)
    page.add_chart(_french_numbers(spec) if language == "fr" else spec, language)
    page.notes += tree.notes
    return page


def french_number(text: str) -> str:
    """``1,234.5`` → ``1 234,5`` and ``35.4%`` → ``35,4 %`` (the tree's boxes hold text)."""
    swapped = text.translate(str.maketrans(",.", "\u202f,"))
    return swapped.replace("%", "\u00a0%")


def _french_numbers(spec: dict[str, Any]) -> dict[str, Any]:
    """The tree chart with the numbers of its boxes written the French way."""
    layers = []
    for layer in spec.get("layer", []):
        rows = layer.get("data", {}).get("values")
        if rows and "node" in rows[0]:
            rows = [
                {**row, **{key: french_number(row[key]) for key in ("value", "change")}}
                for row in rows
            ]
            layer = {**layer, "data": {**layer["data"], "values": rows}}
        layers.append(layer)
    return {**spec, "layer": layers}


def _outcomes(row: dict[Any, Any], words: dict[str, Any], f: Formatter, asked: str) -> Table:
    """Before, after and the change with its interval, for revenue, value and CLV."""
    rows: list[list[Cell]] = []
    for outcome in ("revenue", "value", "clv"):
        low, high = row[f"{outcome}_change_low"], row[f"{outcome}_change_high"]
        separator = " ; " if f.language == "fr" else ", "
        rows.append(
            [
                words["outcomes"][outcome],
                f.money(row[outcome]),
                f.money(row[f"{outcome}_after"]),
                f.money(row[f"{outcome}_change"]),
                f"[{f.money(low)}{separator}{f.money(high)}]",
                f.share(row[f"{outcome}_change_relative"], 2),
            ]
        )
    columns = [words["outcome_columns"][c] for c in ("outcome", "before", "after", "change")]
    columns += [words["outcome_columns"]["interval"], words["outcome_columns"]["relative"]]
    return Table(words["scenario_result"].format(scenario=asked), columns, rows)


__all__ = ["scenario_text", "simulator"]
