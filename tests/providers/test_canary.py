"""A key stored through the secret store leaks nowhere: logs, database, exceptions, git, files.

The canary is a random token with no API-key shape, so the log redaction filter's patterns
cannot hide it: only code that never writes it passes. Logs are captured at DEBUG by a raw
file handler without the redaction filter, including httpx/httpcore, and the fake upstream
echoes the presented key in its error bodies.
"""

from __future__ import annotations

import io
import logging
import secrets
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAST_ENV
from provider_fakes import FakeUpstream
from pydantic import BaseModel, ConfigDict
from sqlalchemy import inspect, text

from researchos.app import App, build_app
from researchos.errors import ResearchOSError
from researchos.files import iter_files
from researchos.providers import ModelRequest
from researchos.settings import load_settings
from researchos.workspace import init_workspace


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ok: bool
    note: str


@pytest.fixture
def canary() -> str:
    return "canary" + secrets.token_hex(16)


@pytest.fixture
def raw_debug_log(clean_env: Path) -> Iterator[Path]:
    workspace, _ = init_workspace(clean_env)
    path = workspace.logs_dir / "raw-debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("", "researchos", "httpx", "httpcore")]
    levels = [lg.level for lg in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield path
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
    handler.close()


def _scenario(app: App, upstream: FakeUpstream, errors: list[str]) -> None:
    """Successes, a repair, and every failure kind, with the canary as the live key."""
    router = app.router
    router.call("drafting", ModelRequest.of("hello"), project="canary")
    upstream.reply("gpt-5", "not json", '{"ok": true, "note": "fixed"}')
    router.call("review", ModelRequest.of("judge", schema=Finding), project="canary")
    router.embed(["a", "b"])
    upstream.script("gpt-5", "401", "429", "500", "malformed", "hang", "404")
    for _ in range(5):
        try:
            router.call("drafting", ModelRequest.of("again"))
        except ResearchOSError as exc:
            errors.append(str(exc))
            errors.append("".join(traceback.format_exception(exc)))
            logging.getLogger("researchos.test").exception("call failed: %s", exc)
    for model in ("fail-401", "fail-drop", "unknown-model"):
        try:
            router.probe("openai", model)
        except ResearchOSError as exc:
            errors.append(repr(exc))


def _cli(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> str:
    from researchos.cli.main import run

    monkeypatch.setattr(sys, "argv", ["researchos", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    try:
        run()
    except SystemExit:
        pass
    finally:
        monkeypatch.setattr(sys, "stdout", sys.__stdout__)
        monkeypatch.setattr(sys, "stderr", sys.__stderr__)
    return out.getvalue() + err.getvalue()


def _database_dump(app: App) -> str:
    rows: list[str] = []
    with app.database.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            rows += [repr(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(rows)


def test_a_canary_key_appears_nowhere_but_its_ciphertext(
    canary: str, raw_debug_log: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = FakeUpstream(key=canary).start()
    try:
        env = {
            **FAST_ENV,
            "RESEARCHOS_OPENAI_BASE_URL": f"{upstream.url}/v1",
            "RESEARCHOS_MODEL_BALANCED": "gpt-5",
            "RESEARCHOS_MODEL_STRONG": "gpt-5",
            "RESEARCHOS_PROVIDER_TIMEOUT": "0.3",
            "RESEARCHOS_LOG_LEVEL": "DEBUG",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        outputs = [_cli(["init"], monkeypatch)]
        outputs.append(
            _cli(["secrets", "set", "OPENAI_API_KEY", "--stdin"], monkeypatch, stdin=canary + "\n")
        )
        app = build_app(load_settings())
        errors: list[str] = []
        _scenario(app, upstream, errors)
        for args in (
            ["providers", "test", "openai"],
            ["providers", "test", "openai", "--model", "fail-401", "--json"],
            ["smoke", "ping"],
            ["smoke", "run", "--json"],
            ["usage", "--json"],
            ["secrets", "list", "--json"],
            ["policy", "show"],
            ["providers", "list", "--json"],
            ["config", "show", "--json"],
        ):
            outputs.append(_cli(args, monkeypatch))
        database = _database_dump(app)
        app.close()
    finally:
        upstream.stop()

    # the scenario really used the canary, and really failed in every way
    presented = {r.headers.get("authorization") for r in upstream.requests}
    assert f"Bearer {canary}" in presented
    assert {r.outcome for r in upstream.requests} >= {
        "ok",
        "401",
        "429",
        "500",
        "malformed",
        "hang",
        "404",
        "drop",
    }
    assert len(errors) >= 8 and any("auth_error" in e or "credentials" in e for e in errors)
    assert raw_debug_log.stat().st_size > 0 and "HTTP Request" in raw_debug_log.read_text()

    assert not [e for e in errors if canary in e], "an exception message holds the key"
    assert not [o for o in outputs if canary in o], "a CLI output holds the key"
    assert "provider_calls" in database or "drafting" in database
    assert canary not in database, "a database row holds the key"

    git_objects = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=clean_env,
        capture_output=True,
        check=True,
    ).stdout
    assert b"policy.generate" in git_objects
    assert canary.encode() not in git_objects, "a git object holds the key"

    ciphertext = clean_env / "var" / "secrets" / "OPENAI_API_KEY.enc"
    assert ciphertext.is_file() and canary.encode() not in ciphertext.read_bytes()
    leaked = [
        path.relative_to(clean_env).as_posix()
        for path in iter_files(clean_env)
        if path != ciphertext and canary.encode() in path.read_bytes()
    ]
    assert leaked == [], f"files holding the key: {leaked}"
