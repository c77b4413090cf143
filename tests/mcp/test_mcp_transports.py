"""The MCP server through the SDK's own client, over stdio and over streamable HTTP.

Each transport runs the real CLI entry point (``python -m researchos.cli.main mcp serve``) in
a subprocess against a seeded workspace: a work brief with the fixture's dependency trap, a
page read as a resource, search, and the run protocol with its violations and its gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp_helpers import TASK, data, error, http_server, seed, stdio_client

from researchos.app import App
from researchos.mcp.tools import TOOL_NAMES


async def brief_and_search(client: Client, repo: Path) -> str:
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert set(TOOL_NAMES) <= tools
    got = data(
        await client.call_tool(
            "get_work_brief", {"task": TASK, "repo": str(repo), "agent": "pytest", "model": "m"}
        )
    )
    brief = got["brief"]
    assert brief["format"] == "agent_work_context.v1"
    dependency = {d["page"]["id"]: d for d in brief["dependency_knowledge"]}
    trap = dependency["paylib-2-charge-adapter"]
    assert (trap["package"], trap["local_version"], trap["applies"]) == ("paylib", "2.0.1", True)
    assert "paylib-create-charge-units" in brief["presentation_contract"]["must_load"]
    page = await client.read_resource("knowledge://pages/paylib-2-charge-adapter")
    assert "paylib.compat.v2.charges" in page.contents[0].text
    hits = data(await client.call_tool("search_knowledge", {"query": "create_charge major units"}))
    assert hits["hits"][0]["page_id"] == "paylib-create-charge-units"
    return str(got["brief_id"])


async def protocol(client: Client, brief_id: str) -> None:
    run = data(await client.call_tool("record_run_start", {"task": TASK, "brief_id": brief_id}))
    run_id = run["run_id"]

    async def event(name: str, **detail: Any) -> Any:
        return await client.call_tool(
            "record_run_event", {"run_id": run_id, "event": name, "detail": detail}
        )

    data(await event("file_edited", file="shop/checkout.py"))  # before any pre-work: recorded
    check = data(await client.call_tool("validate_run_completion", {"run_id": run_id}))
    rules = {v["rule"] for v in check["violations"]}
    assert not check["ok"]
    assert {"missing:brief_loaded", "missing:test_run", "edit_without_inspection"} <= rules
    refused = error(await client.call_tool("complete_run", {"run_id": run_id}))
    assert refused["error"] == "Conflict" and "no brief_loaded" in refused["message"]
    contract = data(
        await client.call_tool("get_agent_presentation_contract", {"brief_id": brief_id})
    )
    data(await event("brief_loaded", brief_id=brief_id, pages=contract["must_load"]))
    data(await event("dependencies_resolved"))
    data(await event("package_version_checked", package="paylib", version="2.0.1"))
    data(await event("test_run", passed=True, command="python -m unittest"))
    nxt = data(await client.call_tool("get_next_required_action", {"run_id": run_id}))
    assert nxt["next_action"]["event"] == "final_answer"
    data(await event("final_answer", text="done"))
    done = data(await client.call_tool("complete_run", {"run_id": run_id, "summary": "ok"}))
    assert done["status"] == "completed" and done["ok"]
    # the late pre-work and the uninspected edit stay on record and cost compliance
    assert done["compliance"] < 1.0 and not done["checks"]["pre_work"]
    late = error(await event("test_run", passed=True))
    assert late["error"] == "Conflict"


async def tool_errors(client: Client) -> None:
    """Bad arguments and unknown ids come back as tool errors; the server keeps answering."""
    missing = await client.call_tool("get_work_brief", {})
    assert missing.is_error and "task" in missing.content[0].text
    wrong = await client.call_tool("search_knowledge", {"query": "x", "limit": "many"})
    assert wrong.is_error
    unknown = error(await client.call_tool("summarize_run", {"run_id": "ar-nope"}))
    assert unknown["error"] == "NotFound"
    assert data(await client.call_tool("get_event_recording_contract", {}))["phases"]


async def scenario(client: Client, repo: Path) -> None:
    await tool_errors(client)
    await protocol(client, await brief_and_search(client, repo))
    await tool_errors(client)


def test_stdio_brief_search_protocol_and_errors(app: App, clean_env: Path) -> None:
    repo = seed(app)

    async def main() -> None:
        async with stdio_client(clean_env) as client:
            await scenario(client, repo)

    anyio.run(main)


def test_streamable_http_brief_search_protocol_and_errors(app: App, clean_env: Path) -> None:
    repo = seed(app)

    async def main(url: str) -> None:
        async with Client(url) as client:
            await scenario(client, repo)

    with http_server(clean_env) as url:
        anyio.run(main, url)
        # DNS rebinding: a request naming another host is refused before any tool runs
        rebound = httpx.post(
            url,
            headers={"Host": "attacker.example", "Content-Type": "application/json"},
            content=b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}',
        )
        assert rebound.status_code == 421
