"""The MCP tools, resources and prompt through the SDK client against an in-process server.

The transports are covered in test_mcp_transports.py; here the protocol rules, the error
mapping, durability and the cell profile, which are the same over every transport.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import mcp
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_helpers import TASK, data, error, seed

import researchos
from researchos.app import App, build_app
from researchos.knowledge import api
from researchos.mcp import build_server
from researchos.mcp.tools import RECORD_TOOLS, TOOL_NAMES
from researchos.settings import load_settings


def call(app: App, steps: Any, **server: Any) -> Any:
    """Run ``steps(client)`` against a fresh in-process server; returns what it returns."""

    async def main() -> Any:
        async with Client(build_server(app, **server)) as client:
            return await steps(client)

    return anyio.run(main)


def test_import_mcp_is_the_sdk_not_our_package() -> None:
    assert Path(researchos.__file__).parent not in Path(mcp.__file__).parents
    assert hasattr(mcp, "Client") and researchos.mcp.__name__ == "researchos.mcp"


def test_every_tool_is_listed_with_a_description_and_a_schema(app: App) -> None:
    async def steps(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in call(app, steps)}
    assert sorted(tools) == sorted(TOOL_NAMES)
    for tool in tools.values():
        assert tool.description and len(tool.description) > 30, tool.name
        assert tool.input_schema["type"] == "object"
    assert "task" in tools["get_work_brief"].input_schema["required"]
    record_only = {t.name for t in call(app, steps, profile="record")}
    assert record_only == set(RECORD_TOOLS)


def test_pre_work_protocol_followed_to_completion(app: App) -> None:
    repo = seed(app)

    async def steps(client: Client) -> dict[str, Any]:
        started = data(
            await client.call_tool("start_pre_work_protocol", {"task": TASK, "repo": str(repo)})
        )
        run_id = started["run_id"]
        assert started["next_action"]["event"] == "brief_loaded"

        async def event(name: str, **detail: Any) -> None:
            data(
                await client.call_tool(
                    "record_run_event", {"run_id": run_id, "event": name, "detail": detail}
                )
            )

        await event("brief_loaded", brief_id=started["brief_id"], pages=started["must_load"])
        await event("dependencies_resolved")
        await event("package_version_checked", package="paylib", version="2.0.1")
        await event("file_inspected", file="shop/checkout.py")
        await event("file_edited", file="./shop//checkout.py")  # normalised to the same path
        await event("test_run", passed=False, command="python -m unittest")
        await event("failure_observed", note="units")
        await event("intervention_applied", page_id="paylib-2-charge-adapter")
        await event("file_inspected", file="shop/checkout.py")
        await event("file_edited", file="shop/checkout.py")
        await event("test_run", passed=True)
        await event("final_answer", text="adapter")
        data(
            await client.call_tool(
                "record_decision",
                {
                    "run_id": run_id,
                    "decision": "use the adapter",
                    "alternatives": ["create_charge"],
                },
            )
        )
        return data(await client.call_tool("complete_run", {"run_id": run_id}))

    done = call(app, steps)
    assert done["ok"] and done["compliance"] == 1.0 and done["violations"] == []


def test_must_load_and_versions_are_part_of_the_gate(app: App) -> None:
    repo = seed(app)

    async def steps(client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
        started = data(
            await client.call_tool("start_pre_work_protocol", {"task": TASK, "repo": str(repo)})
        )
        run_id = started["run_id"]
        for name, detail in [
            ("brief_loaded", {"pages": started["must_load"][:1]}),
            ("dependencies_resolved", {}),
            ("test_run", {"passed": True}),
            ("final_answer", {}),
        ]:
            data(
                await client.call_tool(
                    "record_run_event", {"run_id": run_id, "event": name, "detail": detail}
                )
            )
        check = data(await client.call_tool("validate_run_completion", {"run_id": run_id}))
        refused = error(await client.call_tool("complete_run", {"run_id": run_id}))
        return check, refused

    check, refused = call(app, steps)
    rules = {v["rule"] for v in check["violations"] if v["blocking"]}
    assert rules == {"must_load", "must_verify"}
    assert "paylib" in refused["message"] and refused["status"] == 409


@pytest.mark.parametrize(
    ("event", "detail", "expected", "field"),
    [
        ("file_edited", {"file": "/etc/passwd"}, "InputError", "detail.file"),
        ("file_edited", {"file": "../outside.py"}, "InputError", "detail.file"),
        ("test_run", {}, "InputError", "detail.passed"),
        ("package_version_checked", {"package": "paylib"}, "InputError", "detail.version"),
        ("deploy", {}, "InputError", "event"),
        ("test_run", {"passed": True, "surprise": 1}, "InputError", "detail.surprise"),
    ],
)
def test_bad_events_are_tool_errors_naming_the_field(
    app: App, event: str, detail: dict[str, Any], expected: str, field: str
) -> None:
    async def steps(client: Client) -> dict[str, Any]:
        run_id = data(await client.call_tool("record_run_start", {"task": "t"}))["run_id"]
        return error(
            await client.call_tool(
                "record_run_event", {"run_id": run_id, "event": event, "detail": detail}
            )
        )

    found = call(app, steps)
    assert (found["error"], found["field"]) == (expected, field)


def test_out_of_order_calls_are_refused_and_nothing_is_recorded(app: App) -> None:
    async def steps(client: Client) -> dict[str, Any]:
        run_id = data(await client.call_tool("record_run_start", {"task": "t", "gated": False}))[
            "run_id"
        ]

        async def event(name: str, **detail: Any) -> Any:
            return await client.call_tool(
                "record_run_event", {"run_id": run_id, "event": name, "detail": detail}
            )

        data(await event("final_answer"))
        after_answer = error(await event("file_edited", file="a.py"))
        data(await client.call_tool("complete_run", {"run_id": run_id, "outcome": "failed"}))
        twice = error(await client.call_tool("complete_run", {"run_id": run_id}))
        unknown_brief = error(
            await client.call_tool("record_run_start", {"task": "t", "brief_id": "br-x"})
        )
        bad_outcome = await client.call_tool("complete_run", {"run_id": run_id, "outcome": "great"})
        summary = data(await client.call_tool("summarize_run", {"run_id": run_id}))
        return {
            "after": after_answer,
            "twice": twice,
            "brief": unknown_brief,
            "outcome": bad_outcome,
            "summary": summary,
        }

    found = call(app, steps)
    assert found["after"]["error"] == "Conflict" and "final_answer" in found["after"]["message"]
    assert found["twice"]["error"] == "Conflict"
    assert found["brief"]["error"] == "NotFound"
    assert found["outcome"].is_error
    assert [e["event"] for e in found["summary"]["events"]] == ["final_answer"]
    assert found["summary"]["run"]["outcome"] == "failed"


def test_runs_survive_a_server_restart(app: App, clean_env: Path) -> None:
    async def start(client: Client) -> str:
        run_id = data(await client.call_tool("record_run_start", {"task": "durable"}))["run_id"]
        data(
            await client.call_tool("record_run_event", {"run_id": run_id, "event": "brief_loaded"})
        )
        return str(run_id)

    run_id = call(app, start)
    app.close()
    again = build_app(load_settings(), home=clean_env)
    try:

        async def read(client: Client) -> dict[str, Any]:
            return data(await client.call_tool("summarize_run", {"run_id": run_id}))

        summary = call(again, read)
    finally:
        again.close()
    assert summary["counts"] == {"brief_loaded": 1}
    assert summary["validation"]["next_action"]["event"] == "dependencies_resolved"


def test_policy_candidate_is_a_draft_that_briefs_leave_out(app: App) -> None:
    repo = seed(app)

    async def steps(client: Client) -> dict[str, Any]:
        run_id = data(await client.call_tool("record_run_start", {"task": TASK, "agent": "codex"}))[
            "run_id"
        ]
        return data(
            await client.call_tool(
                "propose_policy_candidate_from_run",
                {
                    "run_id": run_id,
                    "title": "Check paylib units",
                    "rule": "Never pass cents to create_charge.",
                },
            )
        )

    proposed = call(app, steps)
    page = app.knowledge.get(proposed["page_id"])
    assert (page.kind, page.review) == ("policy", "draft")
    assert page.sources[0].ref.startswith("agent-run:ar-")
    brief = api.build_work_brief(app.knowledge, task="paylib create_charge units policy", repo=repo)
    assert proposed["page_id"] not in [p.id for p in brief.decision_rules]


def test_resources_and_the_pre_work_prompt(app: App) -> None:
    repo = seed(app)

    async def steps(client: Client) -> dict[str, Any]:
        got = data(await client.call_tool("get_work_brief", {"task": TASK, "repo": str(repo)}))
        brief_id = got["brief_id"]
        graph = json.loads(
            (await client.read_resource(f"brief://{brief_id}/graph")).contents[0].text
        )
        brief = json.loads((await client.read_resource(f"brief://{brief_id}")).contents[0].text)
        deps = json.loads(
            (await client.read_resource("knowledge://pages/paylib-2-charge-adapter/dependencies"))
            .contents[0]
            .text
        )
        taxonomy = json.loads(
            (await client.read_resource("knowledge://failure-taxonomy")).contents[0].text
        )
        prompt = await client.get_prompt("pre_work_research", {"task": "fix checkout"})
        with pytest.raises(MCPError) as missing:
            await client.read_resource("knowledge://pages/no-such-page")
        tool_graph = data(
            await client.call_tool("get_agent_dependency_graph", {"brief_id": brief_id})
        )
        both = error(await client.call_tool("get_agent_dependency_graph", {}))
        return {
            "graph": graph,
            "brief": brief,
            "deps": deps,
            "taxonomy": taxonomy,
            "prompt": prompt.messages[0].content.text,
            "missing": str(missing.value),
            "tool_graph": tool_graph,
            "both": both,
            "repo_path": got["brief"]["repo"]["path"],
        }

    found = call(app, steps)
    edge = {"from": "paylib-2-charge-adapter", "to": "paylib-create-charge-units", "in_brief": True}
    assert edge in found["graph"]["edges"] and found["tool_graph"] == found["graph"]
    assert found["brief"]["format"] == "agent_work_context.v1"
    assert {"from": "paylib-2-charge-adapter", "to": "paylib-create-charge-units"} in found["deps"][
        "edges"
    ]
    assert [c["class"] for c in found["taxonomy"]["classes"]] == [
        "infra",
        "bug",
        "negative_result",
        "abandoned",
    ]
    assert found["taxonomy"]["failure_pages"] == 1
    assert "brief_loaded" in found["prompt"] and "final_answer" in found["prompt"]
    assert "NotFound" in found["missing"]
    assert found["both"]["field"] == "brief_id"
    assert found["repo_path"] == str(repo)


def test_issue_search_says_whether_versions_align(app: App, tmp_path: Path) -> None:
    items = [
        {
            "number": 77,
            "title": "create_charge charges 100x since paylib 2.0",
            "body": "After upgrading to paylib 2.0.1 create_charge with cents charges 100 times.",
            "state": "open",
            "html_url": "https://github.com/acme/paylib/issues/77",
            "labels": [],
            "created_at": "2026-01-01T10:00:00Z",
        }
    ]
    api.ingest_issues(
        app.knowledge,
        repo="acme/paylib",
        raw=json.dumps({"items": items}).encode(),
        display="issues.json",
    )

    async def steps(client: Client) -> dict[str, Any]:
        return data(
            await client.call_tool(
                "search_issue_knowledge",
                {"query": "create_charge hundred times", "local_versions": {"paylib": "2.0.1"}},
            )
        )

    found = call(app, steps)
    hit = found["hits"][0]
    assert (hit["page_id"], hit["kind"], hit["review"]) == (
        "gh.acme.paylib.77",
        "source",
        "evidence-only",
    )
    assert hit["alignment"] == "match"


def test_a_cell_server_confines_repos_and_tags_runs(app: App, tmp_path: Path) -> None:
    cell = tmp_path / "cell"
    (cell / "sub").mkdir(parents=True)

    async def steps(client: Client) -> dict[str, Any]:
        outside = error(
            await client.call_tool("record_run_start", {"task": "t", "repo": "../../etc"})
        )
        inside = data(
            await client.call_tool("record_run_start", {"task": "t", "repo": "/sandbox/work/sub"})
        )
        hidden = await client.call_tool("get_work_brief", {"task": "t"})
        return {"outside": outside, "inside": inside, "hidden": hidden}

    found = call(app, steps, profile="record", tag="matrix:m:c", repo_root=cell)
    assert found["outside"]["error"] == "UnsafeInput"
    assert found["hidden"].is_error  # the record profile has no knowledge tools
    assert [r.id for r in app.agent_runs.list_runs(tag="matrix:m:c")] == [found["inside"]["run_id"]]
