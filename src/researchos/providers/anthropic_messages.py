"""Anthropic Messages API adapter (``POST /v1/messages``).

Structured output is a forced tool call whose ``input_schema`` is the requested schema; the
tool's input is the data. A reasoning effort becomes an extended-thinking budget, added on
top of the answer's token budget (the gates already dropped temperature when thinking).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from researchos.errors import ConfigError
from researchos.providers.base import (
    EmbedResult,
    ProviderContext,
    StructuredMode,
    WireCall,
    WireResult,
)
from researchos.providers.types import Usage
from researchos.providers.wire import count, missing_key, post_json, unexpected

API_VERSION = "2023-06-01"
THINKING_BUDGET = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384}


class AnthropicMessagesProvider:
    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self.endpoint = context.endpoint

    def structured_mode(self, model: str) -> StructuredMode:
        return "tool"

    def _headers(self) -> dict[str, str]:
        key = self.context.api_key()
        if not key:
            raise missing_key(self.endpoint)
        return {"x-api-key": key, "anthropic-version": API_VERSION}

    def generate(self, call: WireCall) -> WireResult:
        data, request_id = post_json(
            self.context.client,
            self.endpoint,
            f"{self.endpoint.base_url}/v1/messages",
            self._body(call),
            self._headers(),
        )
        blocks = data.get("content")
        if not isinstance(blocks, list):
            raise unexpected(self.endpoint, "no content blocks")
        blocks = [block for block in blocks if isinstance(block, dict)]
        texts = [str(b.get("text", "")) for b in blocks if b.get("type") == "text"]
        tool = next((b for b in blocks if b.get("type") == "tool_use"), None)
        parsed = tool.get("input") if tool else None
        usage = data.get("usage") or {}
        return WireResult(
            text=json.dumps(parsed) if isinstance(parsed, dict) else "".join(texts),
            usage=Usage(count(usage, "input_tokens"), count(usage, "output_tokens")),
            data=parsed if isinstance(parsed, dict) else None,
            request_id=request_id,
            finish=str(data.get("stop_reason") or ""),
        )

    def _body(self, call: WireCall) -> dict[str, Any]:
        system = [m.content for m in call.messages if m.role == "system"]
        max_tokens = int(call.params["max_tokens"])
        body: dict[str, Any] = {
            "model": call.model,
            "messages": [
                {"role": m.role, "content": m.content} for m in call.messages if m.role != "system"
            ],
            "max_tokens": max_tokens,
        }
        if system:
            body["system"] = "\n\n".join(system)
        if "temperature" in call.params:
            body["temperature"] = call.params["temperature"]
        effort = call.params.get("reasoning")
        if effort in THINKING_BUDGET:
            budget = THINKING_BUDGET[effort]
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            body["max_tokens"] = max_tokens + budget
        if call.schema is not None:
            body["tools"] = [
                {
                    "name": call.schema_name,
                    "description": "Give the answer as this tool's input.",
                    "input_schema": call.schema,
                }
            ]
            body["tool_choice"] = {"type": "tool", "name": call.schema_name}
        return body

    def embed(self, model: str, texts: Sequence[str]) -> EmbedResult:
        raise ConfigError(
            f"{self.endpoint.name} has no embeddings API",
            fix="set RESEARCHOS_MODEL_EMBEDDING to an OpenAI or local embedding model",
        )

    def close(self) -> None:
        self.context.close()


def create(context: ProviderContext) -> AnthropicMessagesProvider:
    return AnthropicMessagesProvider(context)
