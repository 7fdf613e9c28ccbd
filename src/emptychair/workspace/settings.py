"""The workspace settings file, ``emptychair.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from emptychair.errors import WorkspaceError

SETTINGS_FILE = "emptychair.toml"


@dataclass
class EngineSettings:
    """Which engine holds the tables, and how it is tuned.

    ``backend`` is ``"duckdb"`` (one file in the workspace, the default) or
    ``"pyspark"``. ``memory_limit`` caps DuckDB's memory (work past it spills to
    disk next to the database; empty means DuckDB's default of 80 % of RAM) and
    ``threads`` sets its threads (0: one per core); ``spark_master`` and
    ``spark_conf`` configure Spark.
    """

    backend: str = "duckdb"
    database: str = "emptychair.duckdb"
    memory_limit: str = "1GB"
    threads: int = 0
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportSettings:
    """Defaults for imports; each can be overridden per command.

    ``mappings`` maps a table name to ``{source header: canonical column}``.
    ``future_tolerance_minutes`` lets clocks that run slightly ahead pass.
    """

    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    future_tolerance_minutes: int = 60
    earliest_date: str = "1900-01-01"
    create_missing_customers: bool = False


@dataclass
class IdentitySettings:
    """How customer records are linked into one golden customer.

    ``match_on`` lists the customer columns whose normalised values link records;
    ``default_country_code`` turns national phone numbers (``06 12 ...``) into
    international ones (``+336 12 ...``) before comparing.
    """

    match_on: list[str] = field(default_factory=lambda: ["email", "phone"])
    default_country_code: str = "33"


@dataclass
class PrivacySettings:
    """Personal-data rules.

    ``retention_years``: a person whose last own contact (order, inbound contact,
    answer, complaint; their sign-up when there is none) is older than this many
    years is erased by ``emptychair gdpr purge --apply``.
    """

    retention_years: int = 3


@dataclass
class Settings:
    """Everything in ``emptychair.toml``."""

    name: str = "workspace"
    engine: EngineSettings = field(default_factory=EngineSettings)
    imports: ImportSettings = field(default_factory=ImportSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)

    @classmethod
    def read(cls, folder: Path) -> Settings:
        path = folder / SETTINGS_FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WorkspaceError(
                f"{folder} is not an Empty Chair workspace (no {SETTINGS_FILE}): "
                f"create one with `emptychair init {folder}` or pass --workspace"
            ) from None
        except tomllib.TOMLDecodeError as error:
            raise WorkspaceError(f"{path}: invalid settings file: {error}") from None
        return cls.from_dict(data, path)

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> Settings:
        where = str(path or SETTINGS_FILE)
        unknown = set(data) - {"name", "engine", "imports", "identity", "privacy"}
        if unknown:
            raise WorkspaceError(
                f"{where}: unknown setting section(s) {', '.join(sorted(unknown))} "
                "(known: name, [engine], [imports], [identity], [privacy])"
            )
        try:
            return cls(
                name=data.get("name", "workspace"),
                engine=EngineSettings(**data.get("engine", {})),
                imports=ImportSettings(**data.get("imports", {})),
                identity=IdentitySettings(**data.get("identity", {})),
                privacy=PrivacySettings(**data.get("privacy", {})),
            )
        except TypeError as error:
            raise WorkspaceError(f"{where}: unknown setting ({error})") from None

    def write(self, folder: Path) -> None:
        text = tomli_w.dumps(asdict(self))
        (folder / SETTINGS_FILE).write_text(text, encoding="utf-8")
