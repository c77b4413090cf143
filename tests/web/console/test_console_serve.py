"""`researchos serve` as a user runs it: the printed one-time link logs a browser in, and a
request naming a foreign Host (DNS rebinding) is refused."""

import os
import re
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _read_link(process: subprocess.Popen, deadline: float) -> str:
    assert process.stdout is not None
    while time.time() < deadline:
        line = process.stdout.readline()
        found = re.search(r"Console: (http://\S+/login\?token=\S+)", line)
        if found:
            return found.group(1)
        if not line and process.poll() is not None:
            break
    raise AssertionError("researchos serve printed no console link")


def test_serve_prints_a_one_time_login_link(app):
    port = _free_port()
    env = {**os.environ, "RESEARCHOS_HOME": str(app.workspace.root), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "researchos.cli.main", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        link = _read_link(process, time.time() + 30)
        base = f"http://127.0.0.1:{port}"
        assert link.startswith(f"{base}/login?token=")
        token = app.workspace.token_path.read_text().strip()
        assert token not in link
        for _ in range(100):
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        first = httpx.get(link)
        assert first.status_code == 303 and first.headers["location"] == "/"
        assert first.cookies["researchos_session"] == token
        assert httpx.get(link).status_code == 403  # used up
        dashboard = httpx.get(f"{base}/", cookies={"researchos_session": token})
        assert dashboard.status_code == 200 and "Dashboard" in dashboard.text
        rebound = httpx.get(f"{base}/api/projects", headers={"host": f"evil.example:{port}"})
        assert rebound.status_code == 400
        assert httpx.get(f"{base}/api/health", headers={"host": f"localhost:{port}"}).is_success
    finally:
        process.terminate()
        process.wait(10)
