"""The board brief: plain-language findings with their sources, and charts, as HTML or PDF."""

from emptychair.report.brief import Brief, build_brief, write_brief
from emptychair.report.findings import Finding, all_findings
from emptychair.report.formatting import Formatter

__all__ = ["Brief", "Finding", "Formatter", "all_findings", "build_brief", "write_brief"]
