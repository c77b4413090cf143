"""The MCP server of one matrix cell, on a unix socket inside the cell's work dir.

Why a unix socket: the sandbox unshares the network (no interfaces but its own loopback), and
that guarantee stays. A unix socket is a file: the one bound into the work dir is the cell's
only way out, it reaches exactly this server, and this server confines repository paths to the
cell's work dir (``ToolDeps.repo_root``) and tags every run with the cell. The sandboxed agent
speaks ordinary streamable HTTP over it (httpx ``uds=`` transport, the SDK's own client).

A socket path is limited to 107 bytes; deep work dirs are bound through
``/proc/self/fd/<dir>/``, which names the same directory in a few bytes.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from researchos.errors import SandboxError
from researchos.mcp.server import build_server

if TYPE_CHECKING:
    from researchos.app import App

MAX_SUN_PATH = 100
START_TIMEOUT_S = 10.0


def bind_unix(path: Path) -> socket.socket:
    """A listening unix socket at ``path`` (long paths bound through the directory's fd)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if len(os.fsencode(path)) < MAX_SUN_PATH:
        sock.bind(str(path))
    else:
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            sock.bind(f"/proc/self/fd/{fd}/{path.name}")
        finally:
            os.close(fd)
    sock.listen(16)
    return sock


@contextlib.contextmanager
def cell_channel(
    app: App, *, socket_path: Path, profile: str, tag: str, repo_root: Path
) -> Iterator[Path]:
    """Serve the MCP tools of ``profile`` on ``socket_path`` until the block ends."""
    import uvicorn

    server = build_server(app, profile=profile, tag=tag, repo_root=repo_root)
    asgi = server.streamable_http_app(stateless_http=False)
    sock = bind_unix(socket_path)
    config = uvicorn.Config(asgi, log_level="warning", lifespan="on", access_log=False)
    runner = uvicorn.Server(config)
    thread = threading.Thread(
        target=runner.run, kwargs={"sockets": [sock]}, name=f"mcp-{tag}", daemon=True
    )
    thread.start()
    try:
        _wait_started(runner, thread)
        yield socket_path
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
        sock.close()
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()


def _wait_started(runner: object, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not getattr(runner, "started", False):
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SandboxError("the cell's MCP server did not start", fix="see the log")
        time.sleep(0.01)
