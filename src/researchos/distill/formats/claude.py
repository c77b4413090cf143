"""Claude Code session JSONL: ``user`` / ``assistant`` records whose ``message.content`` holds
text, ``tool_use`` and ``tool_result`` blocks; ``summary`` records give a title. Other record
types (snapshots, queue operations, system notes) carry no research content and are skipped.
Thinking blocks are skipped too: they are the model's scratch work, not the session."""

from __future__ import annotations

import json
from typing import Any

from researchos.distill.formats import Block
from researchos.distill.formats.jsonl import JsonlReader, text_of

SHELL_TOOLS = frozenset({"Bash", "BashOutput", "bash", "shell"})
EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit", "str_replace_editor"})


class ClaudeReader(JsonlReader):
    def blocks(self, data: dict[str, Any], line: int) -> list[Block]:
        kind = data.get("type")
        if kind == "summary" and isinstance(data.get("summary"), str):
            return [Block("title", data["summary"], line, label="summary")]
        message = data.get("message")
        if kind not in ("user", "assistant") or not isinstance(message, dict):
            self.stats.ignored_records += 1
            return []
        role = str(message.get("role") or kind)
        at = data.get("timestamp") if isinstance(data.get("timestamp"), str) else None
        content = message.get("content")
        if isinstance(content, str):
            return [Block("message", content, line, "message.content", role, at=at)]
        blocks = []
        for index, part in enumerate(content if isinstance(content, list) else []):
            if isinstance(part, dict):
                block = self._part(part, line, f"message.content[{index}]", role, at)
                if block is not None:
                    blocks.append(block)
        return blocks

    def _part(
        self, part: dict[str, Any], line: int, label: str, role: str, at: str | None
    ) -> Block | None:
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str):
            return Block("message", part["text"], line, label, role, at=at)
        if kind == "tool_use":
            return _tool_use(part, line, label, role, at)
        if kind == "tool_result":
            text = text_of(part.get("content"), self.stats)
            error = bool(part.get("is_error"))
            return Block("output", text, line, label, "tool", is_error=error, at=at)
        if kind == "image":
            self.stats.images_dropped += 1
        return None


def _tool_use(part: dict[str, Any], line: int, label: str, role: str, at: str | None) -> Block:
    name = str(part.get("name") or "tool")
    raw_input = part.get("input")
    given: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
    command = given.get("command") if name in SHELL_TOOLS else None
    if isinstance(command, str):
        return Block("tool_use", command, line, label, role, name, command=command, at=at)
    if name in EDIT_TOOLS:
        path = str(given.get("file_path") or given.get("notebook_path") or given.get("path") or "")
        new = given.get("new_string") or given.get("content") or given.get("new_source") or ""
        if not new and isinstance(given.get("edits"), list) and given["edits"]:
            new = (
                str(given["edits"][0].get("new_string", ""))
                if isinstance(given["edits"][0], dict)
                else ""
            )
        text = f"{path}\n{new}" if new else path
        return Block(
            "tool_use", text, line, label, role, name, edits=(path,) if path else (), at=at
        )
    text = f"{name} {json.dumps(given, ensure_ascii=False, sort_keys=True)}"
    return Block("tool_use", text, line, label, role, name, at=at)
