"""The documentation says what the code does.

The reference pages under ``docs/reference/`` are generated from the code by
``python docs/generate.py`` and must be up to date; the hand-written pages must mention
every command and every setting; README must open with the two commands for a fresh
machine.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer.main

from emptychair.cli import app
from emptychair.workspace.settings import (
    EngineSettings,
    IdentitySettings,
    ImportSettings,
    PrivacySettings,
    Settings,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
SETTINGS_SECTIONS = {
    "engine": EngineSettings,
    "imports": ImportSettings,
    "identity": IdentitySettings,
    "privacy": PrivacySettings,
}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path below ``command``, walked here independently of the generator."""
    for name, sub in getattr(command, "commands", {}).items():
        if getattr(sub, "hidden", False):
            continue
        yield (*path, name)
        yield from _commands(sub, (*path, name))


COMMANDS = [" ".join(path) for path in _commands(typer.main.get_command(app))]


def _hand_written() -> dict[Path, str]:
    return {
        page: page.read_text(encoding="utf-8")
        for page in sorted(DOCS.rglob("*.md"))
        if REFERENCE not in page.parents
    }


def _mentions(text: str, command: str) -> bool:
    words = r"\s+".join(re.escape(word) for word in command.split())
    return re.search(rf"\bemptychair\s+{words}(?![\w-])", text) is not None


# -- (a) the generated pages are up to date ------------------------------------------------


@pytest.mark.parametrize("page", ["reference/cli.md", "reference/data-model.md"])
def test_reference_page_is_up_to_date(generator: ModuleType, page: str) -> None:
    expected = generator.PAGES[page]()
    path = DOCS / page
    assert path.exists(), f"docs/{page} is missing: run `python docs/generate.py`"
    actual = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            actual.splitlines(), expected.splitlines(), "on disk", "from the code", lineterm=""
        )
        shown = "\n".join(list(diff)[:40])
        pytest.fail(f"docs/{page} is out of date: run `python docs/generate.py`\n{shown}")


def test_generator_pages_are_the_reference_folder(generator: ModuleType) -> None:
    on_disk = {f"reference/{p.name}" for p in REFERENCE.glob("*.md")}
    assert on_disk == set(generator.PAGES)


# -- (b) every command is documented --------------------------------------------------------


def test_the_cli_has_commands_to_document() -> None:
    assert {"import", "quarantine retry", "customer show", "identity unmerge"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_in_the_cli_reference(command: str) -> None:
    reference = (REFERENCE / "cli.md").read_text(encoding="utf-8")
    assert f"`emptychair {command}`" in reference, (
        f"`emptychair {command}` is not in docs/reference/cli.md: run `python docs/generate.py`"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_explained_in_a_guide(command: str) -> None:
    pages = _hand_written()
    assert any(_mentions(text, command) for text in pages.values()), (
        f"`emptychair {command}` is not mentioned in any page of docs/ outside reference/: "
        "say what it is for in the guide of its capability"
    )


def test_top_level_commands_are_in_the_docs_map() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    top_level = {command.split()[0] for command in COMMANDS}
    missing = sorted(c for c in top_level if not re.search(rf"`emptychair {c}\b", index))
    assert not missing, f"docs/index.md does not point to a guide for: {', '.join(missing)}"


# -- (c) every setting is documented ---------------------------------------------------------


def _settings_fields() -> list[str]:
    names = [f.name for f in dataclasses.fields(Settings) if f.name not in SETTINGS_SECTIONS]
    for section in SETTINGS_SECTIONS.values():
        names += [f.name for f in dataclasses.fields(section)]
    return names


def test_settings_sections_are_the_nested_dataclasses() -> None:
    nested = {
        f.name
        for f in dataclasses.fields(Settings)
        if dataclasses.is_dataclass(f.default_factory() if callable(f.default_factory) else None)
    }
    assert nested == set(SETTINGS_SECTIONS)


@pytest.mark.parametrize("name", _settings_fields())
def test_setting_is_in_the_workspace_page(name: str) -> None:
    page = (DOCS / "workspace.md").read_text(encoding="utf-8")
    assert f"`{name}`" in page, f"setting {name!r} is not described in docs/workspace.md"


def test_workspace_page_shows_every_default_setting() -> None:
    page = (DOCS / "workspace.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- default-settings -->\s*```toml\n(.*?)```", page, re.DOTALL)
    assert match, (
        "docs/workspace.md needs the default emptychair.toml after <!-- default-settings -->"
    )
    shown = tomllib.loads(match.group(1))
    assert shown == dataclasses.asdict(Settings(name=shown["name"])), (
        "the default emptychair.toml in docs/workspace.md differs from Settings()"
    )
    for section in SETTINGS_SECTIONS:
        assert f"`[{section}]`" in page


# -- (d) README opens with the two commands ---------------------------------------------------


def test_readme_opens_with_make_demo_and_make_test() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# "), "README.md starts with its title"
    fence = next(i for i, line in enumerate(lines) if line.startswith("```"))
    before = [line for line in lines[1:fence] if line.strip()]
    assert len(before) == 1, "only the one-line description comes between title and commands"
    commands = []
    for line in lines[fence + 1 :]:
        if line.startswith("```"):
            break
        if line.strip() and not line.lstrip().startswith("#"):
            commands.append(line.strip())
    assert commands[:2] == ["make demo", "make test"]


# -- the pages themselves -------------------------------------------------------------------


def _code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("page", [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"], ids=str)
def test_python_examples_compile(page: Path) -> None:
    for number, block in enumerate(_code_blocks(page.read_text(encoding="utf-8"), "python")):
        compile(block, f"{page.name} example {number + 1}", "exec")


@pytest.mark.parametrize("page", [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"], ids=str)
def test_links_between_pages_resolve(page: Path) -> None:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
