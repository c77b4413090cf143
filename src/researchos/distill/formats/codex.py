"""Codex CLI rollout JSONL: ``session_meta``, ``turn_context``, ``response_item`` and
``event_msg`` records (``{"timestamp", "type", "payload"}``). Response items hold the session:
``message`` (user / assistant text), ``function_call`` (shell commands as an argument list or
string), ``custom_tool_call`` (``apply_patch``), ``local_shell_call`` and their outputs, whose
exit code marks failures. ``event_msg`` records mostly repeat response items; only their
``error`` events are read. Older rollouts without the ``payload`` wrapper are read too."""

from __future__ import annotations

import json
import re
from typing import Any

from researchos.distill.formats import Block
from researchos.distill.formats.jsonl import JsonlReader, text_of

ITEM_TYPES = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "custom_tool_call",
        "custom_tool_call_output",
        "local_shell_call",
        "reasoning",
    }
)
BOILERPLATE = ("<environment_context>", "<user_instructions>", "<permissions", "# AGENTS.md")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.M)
_EXIT = re.compile(r"(?:^Exit code:|Process exited with code)\s*(-?\d+)", re.M)


class CodexReader(JsonlReader):
    def blocks(self, data: dict[str, Any], line: int) -> list[Block]:
        at = data.get("timestamp") if isinstance(data.get("timestamp"), str) else None
        kind = data.get("type")
        payload = data.get("payload")
        if kind == "event_msg" and isinstance(payload, dict) and payload.get("type") == "error":
            text = str(payload.get("message") or "error")
            return [Block("output", text, line, "payload.message", "tool", is_error=True, at=at)]
        if kind == "response_item" and isinstance(payload, dict):
            return self._item(payload, line, "payload.", at)
        if "payload" not in data and kind in ITEM_TYPES:
            return self._item(data, line, "", at)
        self.stats.ignored_records += 1
        return []

    def _item(self, item: dict[str, Any], line: int, prefix: str, at: str | None) -> list[Block]:
        kind = item.get("type")
        if kind == "message":
            return _message(item, line, prefix, at)
        if kind in ("function_call", "local_shell_call"):
            return [_call(item, line, prefix, at)]
        if kind == "custom_tool_call":
            patch = str(item.get("input") or "")
            name = str(item.get("name") or "tool")
            edits = tuple(p.strip() for p in _PATCH_FILE.findall(patch))
            return [
                Block(
                    "tool_use", patch, line, f"{prefix}input", "assistant", name, edits=edits, at=at
                )
            ]
        if kind in ("function_call_output", "custom_tool_call_output"):
            text, failed = _output(item.get("output"), self)
            return [Block("output", text, line, f"{prefix}output", "tool", is_error=failed, at=at)]
        return []


def _message(item: dict[str, Any], line: int, prefix: str, at: str | None) -> list[Block]:
    role = str(item.get("role") or "assistant")
    if role not in ("user", "assistant"):
        return []
    blocks = []
    content = item.get("content")
    for index, part in enumerate(content if isinstance(content, list) else []):
        text = part.get("text") if isinstance(part, dict) else None
        if isinstance(text, str) and not text.lstrip().startswith(BOILERPLATE):
            blocks.append(Block("message", text, line, f"{prefix}content[{index}]", role, at=at))
    return blocks


def _call(item: dict[str, Any], line: int, prefix: str, at: str | None) -> Block:
    name = str(item.get("name") or "shell")
    arguments = item.get("arguments")
    args: Any = item.get("action") or {}
    if isinstance(arguments, str):
        try:
            args = json.loads(arguments)
        except ValueError:
            args = {}
    command = _command(args if isinstance(args, dict) else {})
    if command is None:
        text = f"{name} {arguments if isinstance(arguments, str) else ''}".strip()
        return Block("tool_use", text, line, f"{prefix}arguments", "assistant", name, at=at)
    edits = (
        tuple(p.strip() for p in _PATCH_FILE.findall(command)) if "apply_patch" in command else ()
    )
    return Block(
        "tool_use",
        command,
        line,
        f"{prefix}arguments",
        "assistant",
        name,
        command=None if edits else command,
        edits=edits,
        at=at,
    )


def _command(args: dict[str, Any]) -> str | None:
    command = args.get("command", args.get("cmd"))
    if isinstance(command, str):
        return command
    if isinstance(command, list) and all(isinstance(part, str) for part in command):
        if (
            len(command) >= 3
            and command[0] in ("bash", "sh", "zsh")
            and command[1] in ("-lc", "-c")
        ):
            return command[2]
        return " ".join(command)
    return None


def _output(output: Any, reader: CodexReader) -> tuple[str, bool]:
    """Text and failure of a tool output: a JSON string with metadata, or plain text."""
    if isinstance(output, str) and output.startswith("{"):
        try:
            decoded = json.loads(output)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and "output" in decoded:
            meta = decoded.get("metadata") if isinstance(decoded.get("metadata"), dict) else {}
            code = meta.get("exit_code") if meta else None
            return text_of(decoded["output"], reader.stats), isinstance(code, int) and code != 0
    text = text_of(output, reader.stats)
    match = _EXIT.search(text)
    return text, bool(match and int(match.group(1)) != 0)
