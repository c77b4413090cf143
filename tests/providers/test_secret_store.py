"""The secret store: Fernet at rest, 0600 files, masked metadata, wrong keys, the CLI."""

from __future__ import annotations

import io
import json
import stat
import sys

import pytest
from conftest import MakeApp
from provider_fakes import FakeUpstream

from researchos.credentials import crypto
from researchos.errors import ConfigError, InputError, NotFound
from researchos.providers import ModelRequest

VALUE = "sk-proj-secretvalue-0123456789abcdef"


def test_set_get_list_delete_round_trip_with_private_files(make_app: MakeApp) -> None:
    app = make_app()
    info = app.secrets.set("OPENAI_API_KEY", VALUE + "\n")

    assert info.preview == "sk-…cdef" and info.file == "var/secrets/OPENAI_API_KEY.enc"
    assert app.secrets.get("OPENAI_API_KEY") == VALUE
    directory = app.workspace.secrets_dir
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name in ("OPENAI_API_KEY.enc", "salt", "master.key", "_verify.enc"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600, name
    assert len((directory / "salt").read_bytes()) == 32
    assert VALUE.encode() not in (directory / "OPENAI_API_KEY.enc").read_bytes()
    assert [(s.name, s.preview) for s in app.secrets.list()] == [("OPENAI_API_KEY", "sk-…cdef")]

    app.secrets.delete("OPENAI_API_KEY")
    assert app.secrets.get("OPENAI_API_KEY") is None and app.secrets.list() == []
    assert not (directory / "OPENAI_API_KEY.enc").exists()
    with pytest.raises(NotFound):
        app.secrets.delete("OPENAI_API_KEY")


def test_bad_names_and_empty_values_are_refused(make_app: MakeApp) -> None:
    app = make_app()
    for name in ("../etc", "9KEY", "has space", "x" * 65):
        with pytest.raises(InputError, match="secret name"):
            app.secrets.set(name, VALUE)
    with pytest.raises(InputError, match="empty"):
        app.secrets.set("EMPTY", "   ")


def test_an_app_master_key_encrypts_and_a_different_one_is_refused_clearly(
    make_app: MakeApp,
) -> None:
    first = make_app({"APP_MASTER_KEY": "correct horse battery staple"})
    first.secrets.set("ANTHROPIC_API_KEY", VALUE)
    assert not (first.workspace.secrets_dir / "master.key").exists()

    wrong = make_app({"APP_MASTER_KEY": "a different master key"})
    with pytest.raises(ConfigError) as caught:
        wrong.secrets.get("ANTHROPIC_API_KEY")
    message = str(caught.value)
    assert "APP_MASTER_KEY" in message and "researchos secrets set NAME" in message
    with pytest.raises(ConfigError, match="APP_MASTER_KEY"):
        wrong.secrets.set("OTHER", VALUE)  # refused before a second key can mix in

    right = make_app({"APP_MASTER_KEY": "correct horse battery staple"})
    assert right.secrets.get("ANTHROPIC_API_KEY") == VALUE


def test_a_lost_master_key_file_is_reported_not_silently_replaced(make_app: MakeApp) -> None:
    app = make_app()
    app.secrets.set("OPENAI_API_KEY", VALUE)
    (app.workspace.secrets_dir / "master.key").unlink()

    again = make_app()
    with pytest.raises(ConfigError, match=r"master\.key is missing"):
        again.secrets.get("OPENAI_API_KEY")
    assert not (again.workspace.secrets_dir / "master.key").exists()


def test_the_key_is_derived_once_per_process(make_app: MakeApp) -> None:
    app = make_app({"APP_MASTER_KEY": "derive-once-master"})
    before = crypto.derivations
    app.secrets.set("A_KEY", VALUE)
    app.secrets.set("B_KEY", VALUE)
    second = make_app({"APP_MASTER_KEY": "derive-once-master"})
    assert second.secrets.get("A_KEY") == VALUE
    assert crypto.derivations - before == 1


def test_the_database_holds_metadata_and_a_masked_preview_only(make_app: MakeApp) -> None:
    app = make_app()
    app.secrets.set("OPENAI_API_KEY", VALUE)
    with app.database.engine.connect() as connection:
        dumped = "\n".join(connection.connection.iterdump())  # type: ignore[attr-defined]
    assert "OPENAI_API_KEY" in dumped and "sk-…cdef" in dumped
    assert VALUE not in dumped


def test_the_secret_store_wins_over_the_environment(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    assert upstream.key
    app = make_app({**openai_env, "OPENAI_API_KEY": "stale-env-key-000"})
    app.secrets.set("OPENAI_API_KEY", upstream.key)

    response = app.router.call("drafting", ModelRequest.of("x"))

    assert response.routing["outcome"] == "ok"
    assert upstream.requests[-1].headers["authorization"] == f"Bearer {upstream.key}"


def test_cli_set_from_stdin_list_and_delete(
    make_app: MakeApp,
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    make_app()
    monkeypatch.setattr(sys, "stdin", io.StringIO(VALUE + "\n"))
    stored = cli("secrets", "set", "OPENAI_API_KEY", "--stdin")
    assert stored.code == 0 and "sk-…cdef" in stored.out and VALUE not in stored.out

    listed = json.loads(cli("secrets", "list", "--json").out)
    assert [(s["name"], s["preview"]) for s in listed] == [("OPENAI_API_KEY", "sk-…cdef")]

    assert cli("secrets", "delete", "OPENAI_API_KEY").code == 0
    missing = cli("secrets", "delete", "OPENAI_API_KEY")
    assert missing.code == 1 and "no secret named" in missing.err


def test_cli_prompts_without_echo(
    make_app: MakeApp,
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app()
    prompts: list[str] = []

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return VALUE

    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr("getpass.getpass", getpass)
    assert cli("secrets", "set", "ANTHROPIC_API_KEY").code == 0
    assert prompts == ["Value for ANTHROPIC_API_KEY (not echoed): "]
    assert app.secrets.get("ANTHROPIC_API_KEY") == VALUE


def test_cli_refuses_a_bad_name_and_a_missing_terminal(
    make_app: MakeApp,
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    make_app()
    bad = cli("secrets", "set", "bad-name", "--stdin")
    assert bad.code == 1 and "secret name 'bad-name'" in bad.err
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    no_tty = cli("secrets", "set", "OPENAI_API_KEY")
    assert no_tty.code == 1 and "--stdin" in no_tty.err


def test_a_key_stored_after_a_failed_call_is_used_without_a_restart(
    make_app: MakeApp, upstream: FakeUpstream, openai_env: dict[str, str]
) -> None:
    assert upstream.key
    env = {k: v for k, v in openai_env.items() if k != "OPENAI_API_KEY"}
    app = make_app(
        {**env, "RESEARCHOS_RUN_MODE": "production", "RESEARCHOS_MODEL_BALANCED": "gpt-5"}
    )
    with pytest.raises(ConfigError, match="no API key for openai"):
        app.router.call("drafting", ModelRequest.of("x"))

    app.secrets.set("OPENAI_API_KEY", upstream.key)

    assert app.router.call("drafting", ModelRequest.of("x")).routing["outcome"] == "ok"
