"""``emptychair user`` and ``emptychair audit`` end to end, and the token they print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emptychair import Workspace
from emptychair.accounts import Role, authenticate
from emptychair.cli import app

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    run("init", str(tmp_path / "ws"))
    return tmp_path / "ws"


def test_user_add_prints_a_working_token_once(folder: Path) -> None:
    out = run("user", "add", "ada", "--role", "admin", "-w", str(folder))
    token = out.strip().splitlines()[-1]
    assert token.startswith("ec_")
    with Workspace(folder, read_only=True) as ws:
        account = authenticate(ws, token)
    assert account is not None and (account.name, account.role) == ("ada", Role.ADMIN)
    listed = run("user", "list", "-w", str(folder), "--json")
    assert token not in listed
    rows = json.loads(listed)
    assert rows[0]["name"] == "ada" and rows[0]["active_tokens"] == 1
    assert rows[0]["prefixes"] == token.split("_")[1]


def test_disable_revokes_every_token(folder: Path) -> None:
    first = json.loads(run("user", "add", "alan", "--role", "analyst", "-w", str(folder), "--json"))
    second = json.loads(run("user", "token", "alan", "-w", str(folder), "--json"))
    assert first["token"] != second["token"]
    run("user", "disable", "alan", "-w", str(folder))
    with Workspace(folder, read_only=True) as ws:
        assert authenticate(ws, first["token"]) is None
        assert authenticate(ws, second["token"]) is None
    out = run("user", "token", "alan", "-w", str(folder), code=2)
    assert "disabled" in out


def test_bad_names_roles_and_duplicates_are_refused(folder: Path) -> None:
    assert "unknown role 'boss'" in run(
        "user", "add", "x", "--role", "boss", "-w", str(folder), code=2
    )
    assert "account name" in run("user", "add", "no spaces", "-w", str(folder), code=2)
    run("user", "add", "vera", "-w", str(folder))
    assert "already exists" in run("user", "add", "vera", "-w", str(folder), code=2)
    assert "no account named 'nobody'" in run(
        "user", "disable", "nobody", "-w", str(folder), code=6
    )


def test_audit_lists_account_changes(folder: Path) -> None:
    out = run("user", "add", "vera", "-w", str(folder), "--json")
    token = json.loads(out)["token"]
    run("user", "disable", "vera", "-w", str(folder))
    rows = json.loads(run("audit", "-w", str(folder), "--json"))
    assert [r["action"] for r in rows] == ["user disable", "user add"]
    assert all(r["account"].startswith("cli:") for r in rows)
    assert token not in json.dumps(rows)
    assert json.loads(run("audit", "-w", str(folder), "--since", "2999-01-01", "--json")) == []
    assert json.loads(run("audit", "-w", str(folder), "--user", "nobody", "--json")) == []
    run("audit", "-w", str(folder), "--since", "yesterday", code=2)
