"""Helpers for the MCP tests: a seeded workspace and real servers over stdio and HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters

from researchos.app import App
from researchos.matrix.catalog import load_fixture, seed_knowledge

FIXTURE = load_fixture("api_drift", base=None, display="test")
TASK = (
    "checkout fails with AttributeError: 'Client' object has no attribute 'charge' since the "
    "upgrade to paylib 2.0; fix shop/checkout.py"
)


def seed(app: App) -> Path:
    """The api_drift fixture's pages in the knowledge base; returns the fixture repo."""
    seed_knowledge(app.knowledge, FIXTURE)
    return FIXTURE.repo


def server_env(home: Path) -> dict[str, str]:
    return {
        "RESEARCHOS_HOME": str(home),
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(home)),
    }


def stdio_client(home: Path) -> Client:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "researchos.cli.main", "mcp", "serve", "--transport", "stdio"],
        env=server_env(home),
    )
    return Client(params)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def http_server(home: Path) -> Iterator[str]:
    """A real ``researchos mcp serve --transport streamable-http`` on a free loopback port."""
    port = free_port()
    argv = [sys.executable, "-m", "researchos.cli.main", "mcp", "serve"]
    argv += ["--transport", "streamable-http", "--port", str(port)]
    process = subprocess.Popen(argv, env=server_env(home), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"the MCP server did not start: {err}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


def data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content[0].text if result.content else result
    return dict(result.structured_content)


def error(result: Any) -> dict[str, Any]:
    """The ResearchOS error inside an is_error result."""
    assert result.is_error, result
    text = result.content[0].text
    return json.loads(text[text.index("{") :])
