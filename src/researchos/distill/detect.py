"""Tell a transcript's format from its first lines (or take the one forced by ``--format``)."""

from __future__ import annotations

import json
from pathlib import Path

from researchos.distill.formats import FORMATS
from researchos.errors import InputError

PEEK_BYTES = 256 * 1024
PEEK_LINES = 40
CLAUDE_TYPES = frozenset(
    {"user", "assistant", "summary", "system", "file-history-snapshot", "queue-operation"}
)
CLAUDE_KEYS = ("sessionId", "uuid", "message", "leafUuid", "snapshot", "operation")
CODEX_TYPES = frozenset({"session_meta", "response_item", "event_msg", "turn_context", "compacted"})
CODEX_ITEMS = frozenset({"message", "function_call", "function_call_output", "reasoning"})


def detect_format(path: Path, display: str, forced: str | None = None) -> str:
    if forced is not None:
        if forced not in FORMATS:
            raise InputError(
                f"unknown format {forced!r}",
                field="--format",
                fix=f"use one of {', '.join(FORMATS)}",
            )
        return forced
    with path.open("rb") as handle:
        head = handle.read(PEEK_BYTES).decode("utf-8", errors="replace")
    if path.suffix.lower() == ".ipynb" or _looks_like_notebook(head):
        return "notebook"
    votes = {"claude": 0, "codex": 0, "json": 0, "text": 0}
    for line in [line for line in head.splitlines() if line.strip()][:PEEK_LINES]:
        votes[_vote(line)] += 1
    if votes["claude"] or votes["codex"]:
        return "claude" if votes["claude"] >= votes["codex"] else "codex"
    if votes["json"] and votes["json"] >= votes["text"]:
        raise InputError(
            "holds JSON lines of a shape that is neither a Claude Code nor a Codex session",
            file=display,
            fix="pass --format claude, codex or text",
        )
    return "text"


def _looks_like_notebook(head: str) -> bool:
    return head.lstrip().startswith("{") and '"cells"' in head and '"nbformat"' in head


def _vote(line: str) -> str:
    stripped = line.strip()
    if not stripped.startswith("{"):
        return "text"
    try:
        data = json.loads(stripped)
    except ValueError:
        return "json"  # a record cut by the peek window, or garbled: still JSON-shaped
    if not isinstance(data, dict):
        return "json"
    kind = data.get("type")
    if kind in CODEX_TYPES and "payload" in data:
        return "codex"
    if kind in CLAUDE_TYPES and any(key in data for key in CLAUDE_KEYS):
        return "claude"
    if kind in CODEX_ITEMS or ("instructions" in data and "id" in data):
        return "codex"
    return "json"
