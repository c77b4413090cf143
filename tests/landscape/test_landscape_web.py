"""The landscape API: open reads; token-guarded propose, merge and reject; agents never decide."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from landscape_data import add_claim, head, make_ara

from researchos.web.api import create_api
from researchos.workspace.setup import read_token


@pytest.fixture
def client(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    with TestClient(create_api(app)) as test_client:
        yield test_client


def test_read_propose_merge_over_http(client, app):
    token = {"Authorization": f"Bearer {read_token(app.workspace)}"}
    body = {"ara": "knn", "claim": "C0001", "actor": "agent:builder"}
    assert client.post("/api/landscape/proposals", json=body).status_code == 403  # no token
    made = client.post("/api/landscape/proposals", json=body, headers=token)
    assert made.status_code == 201, made.text
    assert made.json()["proposed_by"] == "agent:builder"
    [pending] = client.get("/api/landscape/proposals").json()
    assert pending["id"] == "P0001" and pending["mergeable"]

    before = head(app)
    anonymous = client.post("/api/landscape/proposals/P0001/merge", json={})
    assert anonymous.status_code == 403 and "workspace token" in anonymous.json()["message"]
    agent = client.post(
        "/api/landscape/proposals/P0001/merge", json={"actor": "agent:builder"}, headers=token
    )
    assert agent.status_code == 403 and "needs a person" in agent.json()["message"]
    assert head(app) == before

    merged = client.post(
        "/api/landscape/proposals/P0001/merge", json={"actor": "user:dana"}, headers=token
    )
    assert merged.status_code == 200 and merged.json()["merged_by"] == "user:dana"
    overview = client.get("/api/landscape").json()
    assert overview["pending"] == 0 and [e["id"] for e in overview["entries"]] == ["E0001"]
    assert client.get("/api/landscape/entries/E0001").json()["status"] == "established"
    assert client.get("/api/landscape/entries/E0999").status_code == 404
    again = client.post("/api/landscape/proposals/P0001/merge", json={}, headers=token)
    assert again.status_code == 409


def test_reject_over_http_needs_a_reason(client, app):
    token = {"Authorization": f"Bearer {read_token(app.workspace)}"}
    client.post("/api/landscape/proposals", json={"ara": "knn", "claim": "C0001"}, headers=token)
    empty = client.post("/api/landscape/proposals/P0001/reject", json={}, headers=token)
    assert empty.status_code == 422 and empty.json()["field"] == "reason"
    done = client.post(
        "/api/landscape/proposals/P0001/reject", json={"reason": "duplicate"}, headers=token
    )
    assert done.status_code == 200 and done.json()["decision"]["reason"] == "duplicate"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/landscape/proposals/{proposal_id}/merge" in paths
