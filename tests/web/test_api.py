"""The REST API through FastAPI's in-process client and one real uvicorn server."""

import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from researchos.pipeline import approvals
from researchos.web.api import create_api
from researchos.workspace.setup import read_token

BRIEF = "Compare k-NN with and without feature standardisation on the wine dataset."


@pytest.fixture
def client(app):
    with TestClient(create_api(app)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {read_token(app.workspace)}"
        yield test_client


def test_openapi_and_health(client):
    assert client.get("/api/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/projects" in paths and "/api/approvals/{approval_id}" in paths


def test_mutations_need_the_token(app):
    with TestClient(create_api(app)) as anonymous:
        refused = anonymous.post("/api/projects", json={"brief": BRIEF})
        assert refused.status_code == 403
        assert "workspace token" in refused.json()["message"]
        wrong = anonymous.post(
            "/api/projects", json={"brief": BRIEF}, headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 403
        assert anonymous.get("/api/projects").status_code == 200
    assert app.aras.all() == []


def test_create_and_read_a_project(client):
    made = client.post("/api/projects", json={"brief": BRIEF, "hitl": True})
    assert made.status_code == 201, made.text
    project_id = made.json()["id"]
    shown = client.get(f"/api/projects/{project_id}").json()
    assert shown["project"]["hitl"] is True and shown["budget"]["cpu_s"]["limit"] > 0
    assert client.get(f"/api/projects/{project_id}/ideas").json() == {"ideas": [], "funnel": []}
    assert client.get(f"/api/projects/{project_id}/claims").json() == []
    assert client.get("/api/projects/nope").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [({"brief": ""}, "brief"), ({}, "brief"), ({"brief": BRIEF, "mode": "wild"}, "mode")],
)
def test_bad_requests_are_422_with_the_field(client, body, field):
    response = client.post("/api/projects", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert field in (payload.get("field") or "") + payload["message"]


def test_run_streams_events_and_pending_approval_is_409(client, app):
    project_id = client.post("/api/projects", json={"brief": BRIEF}).json()["id"]
    started = client.post(f"/api/projects/{project_id}/run")
    assert started.status_code == 202
    with client.stream("GET", f"/api/projects/{project_id}/events") as stream:
        body = "".join(stream.iter_text())
    kinds = [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("event:")]
    assert kinds[0] == "run.started" and kinds[-1] == "run.finished"
    finished = json.loads(body.strip().splitlines()[-1].split("data: ", 1)[1])
    assert finished["status"] == "completed"
    gate = approvals.request_approval(
        app, project_id=project_id, gate="post_shortlist", summary="s"
    )
    refused = client.post(f"/api/projects/{project_id}/run")
    assert refused.status_code == 409 and gate.approval.id in refused.json()["message"]
    decided = client.post(f"/api/approvals/{gate.approval.id}", json={"decision": "reject"})
    assert decided.status_code == 422 and "reason" in decided.json()["message"]
    decided = client.post(
        f"/api/approvals/{gate.approval.id}", json={"decision": "reject", "reason": "not novel"}
    )
    assert decided.json()["status"] == "rejected"


def test_ara_files_cannot_escape(client, app):
    app.aras.create(title="T", slug="t")
    assert client.get("/api/aras/t/files/ara.yaml").status_code == 200
    assert client.get("/api/aras/t/files/../../var/token").status_code in (404, 422)
    assert client.get("/api/aras/t/files/%2e%2e/%2e%2e/var/token").status_code == 422
    assert client.get("/api/aras/t").json()["ara"]["slug"] == "t"


def test_real_uvicorn_server_on_loopback(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_api(app), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 10
        while not server.started and time.time() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
        token = read_token(app.workspace)
        made = httpx.post(
            f"{base}/api/projects",
            json={"brief": BRIEF},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert made.status_code == 201
        assert httpx.get(f"{base}/api/projects").json()[0]["id"] == made.json()["id"]
    finally:
        server.should_exit = True
        thread.join(10)
