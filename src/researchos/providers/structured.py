"""Structured output: the schema sent to the wire, parsing, validation, one repair.

Where the wire constrains output by a JSON schema we send it (``strict`` only when the
schema meets the strict subset: closed objects, every property required, plain keywords).
Elsewhere the schema goes into the prompt. Either way the answer is parsed and validated
here; a failure earns exactly one repair turn that quotes the validation errors.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from researchos.providers.types import Message

_STRICT_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "anyOf",
        "$ref",
        "$defs",
        "description",
        "title",
    }
)
_NAME = re.compile(r"[^A-Za-z0-9_-]")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
MAX_QUOTE = 2000


@cache
def wire_schema(model: type[BaseModel]) -> tuple[dict[str, Any], str, bool]:
    """(JSON schema, a wire-safe name, whether strict mode can be used)."""
    schema = model.model_json_schema()
    return schema, _NAME.sub("_", model.__name__)[:64] or "output", _strict_ok(schema)


def _strict_ok(node: Any) -> bool:
    if isinstance(node, list):
        return all(_strict_ok(item) for item in node)
    if not isinstance(node, dict):
        return True
    if not set(node) <= _STRICT_KEYWORDS:
        return False
    if node.get("type") == "object":
        closed = node.get("additionalProperties") is False
        if not closed or set(node.get("required", [])) != set(node.get("properties", {})):
            return False
    children = [*node.get("properties", {}).values(), *node.get("$defs", {}).values()]
    children += [node[k] for k in ("items", "anyOf") if k in node]
    return all(_strict_ok(child) for child in children)


def with_instruction(messages: tuple[Message, ...], schema: dict[str, Any]) -> tuple[Message, ...]:
    """Prepend the schema for wires that cannot constrain output themselves."""
    text = (
        "Reply with exactly one JSON object that validates against this JSON Schema, "
        "with no prose and no code fences:\n" + json.dumps(schema, separators=(",", ":"))
    )
    return (Message("system", text), *messages)


def parse(text: str, data: dict[str, Any] | None, model: type[BaseModel]) -> BaseModel:
    """Validate ``data`` (when the wire parsed it) or the JSON in ``text``."""
    if data is None:
        body = _FENCE.sub("", text.strip())
        start, end = body.find("{"), body.rfind("}")
        data = json.loads(body[start : end + 1] if start >= 0 and end > start else body)
    return model.model_validate(data)


def problem(exc: Exception) -> str:
    """A short description of why output was invalid (field paths, not values)."""
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors()[:5]
        ]
        return "; ".join(parts)
    return "the reply is not valid JSON"


def repair_messages(messages: tuple[Message, ...], reply: str, issue: str) -> tuple[Message, ...]:
    return (
        *messages,
        Message("assistant", reply[:MAX_QUOTE]),
        Message(
            "user",
            f"That reply does not validate: {issue}. Reply again with only the corrected JSON "
            "object.",
        ),
    )
