"""The board brief: one or two pages of findings and charts, in French or English.

Every finding comes from a stored run and carries a numbered source (run id, result table,
columns) listed at the foot of the page. HTML is self-contained (charts inline as SVG, no
network); PDF is printed by a local headless Chromium.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from emptychair.errors import InvalidParameterError, WorkspaceError
from emptychair.report import brief_charts
from emptychair.report.findings import Finding, all_findings, latest_run
from emptychair.report.formatting import Formatter, checked_language
from emptychair.workspace import Workspace, utc_now

FORMATS = ("html", "pdf")
TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "La voix du client — synthèse pour la direction",
        "generated": "produit le",
        "source": "source",
        "sources": "D'où viennent les chiffres",
        "charts": "Graphiques",
        "sections": {
            "value": "Ce que valent nos clients",
            "voice": "Ce que disent nos clients",
            "journeys": "Où leurs parcours se grippent",
            "scorecard": "Comment nous les servons",
            "actions": "Ce que nous faisons pour eux",
        },
        "missing": "Analyse non lancée : {command}.",
    },
    "en": {
        "title": "The customer's voice — brief for leadership",
        "generated": "produced on",
        "source": "source",
        "sources": "Where the numbers come from",
        "charts": "Charts",
        "sections": {
            "value": "What our customers are worth",
            "voice": "What our customers say",
            "journeys": "Where their journeys break",
            "scorecard": "How we serve them",
            "actions": "What we do for them",
        },
        "missing": "Analysis not run: {command}.",
    },
}
COMMANDS = {
    "value": "emptychair value run",
    "voice": "emptychair voice run",
    "journeys": "emptychair journeys run",
    "scorecard": "emptychair scorecard run",
    "actions": "emptychair actions run",
    "practices": "emptychair actions practices --store",
}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Brief:
    """The findings, charts and runs of a brief in one language."""

    language: str
    name: str
    generated_at: datetime
    findings: list[Finding]
    runs: dict[str, str | None]
    charts: dict[str, dict[str, Any]]

    def html(self) -> str:
        """The brief as one self-contained HTML page."""
        import vl_convert

        text = TEXT[self.language]
        numbered = {finding.key: position + 1 for position, finding in enumerate(self.findings)}
        sections = []
        for key, title in text["sections"].items():
            items = [
                {"key": f.key, "text": f.text[self.language], "number": numbered[f.key]}
                for f in self.findings
                if f.section == key
            ]
            missing = (
                text["missing"].format(command=COMMANDS[key]) if self.runs.get(key) is None else ""
            )
            sections.append({"key": key, "title": title, "findings": items, "missing": missing})
        charts = [
            {"title": spec.get("title", name), "svg": vl_convert.vegalite_to_svg(spec)}
            for name, spec in self.charts.items()
        ]
        sources = [{"number": numbered[f.key], "source": f.source} for f in self.findings]
        template = _environment().get_template("brief.html.j2")
        return template.render(
            language=self.language,
            t=text,
            name=self.name,
            generated=Formatter(self.language).day(self.generated_at),
            sections=sections,
            charts=charts,
            sources=sources,
        )


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("emptychair.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )


def build_brief(workspace: Workspace, language: str = "en") -> Brief:
    """Gather the findings and charts of the latest runs, in ``language`` ("fr" or "en")."""
    language = checked_language(language)
    findings, runs = all_findings(workspace)
    charts: dict[str, dict[str, Any]] = {}
    value, voice = latest_run(workspace, "value"), latest_run(workspace, "voice")
    for name, run, make in (
        ("pareto", value, brief_charts.pareto),
        ("nps", voice, brief_charts.nps_trend),
        ("irritants", voice, brief_charts.irritants),
    ):
        spec = make(run, language) if run is not None else None
        if spec is not None:
            charts[name] = spec
    return Brief(language, workspace.settings.name, utc_now(), findings, runs, charts)


def find_chromium() -> str:
    """The Chromium to print with: ``$EMPTYCHAIR_CHROMIUM``, else the first on the PATH."""
    given = os.environ.get("EMPTYCHAIR_CHROMIUM")
    if given:
        return given
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise WorkspaceError(
        "printing the brief to PDF needs Chromium: install it (Debian: apt-get install "
        "chromium) or set EMPTYCHAIR_CHROMIUM to its path; or ask for --format html"
    )


def html_to_pdf(html: str, path: Path, timeout_s: float = 120.0) -> Path:
    """Print an HTML page to an A4 PDF with a local headless Chromium (no network)."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="emptychair-brief-") as folder:
        page = Path(folder) / "brief.html"
        page.write_text(html, encoding="utf-8")
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={path.resolve()}",
            page.as_uri(),
        ]
        try:
            finished = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise WorkspaceError(
                f"Chromium did not print the brief within {timeout_s:.0f} s"
            ) from None
    if finished.returncode != 0 or not path.is_file():
        detail = finished.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise WorkspaceError(f"Chromium could not print the brief to {path}: {detail[0]}")
    return path


def write_brief(workspace: Workspace, path: Path, language: str = "en", fmt: str = "html") -> Path:
    """Write the brief to ``path`` as HTML or PDF and return the path."""
    if fmt not in FORMATS:
        raise InvalidParameterError(f"format {fmt!r} is not supported; use html or pdf")
    html = build_brief(workspace, language).html()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        path.write_text(html, encoding="utf-8")
        return path
    return html_to_pdf(html, path)
