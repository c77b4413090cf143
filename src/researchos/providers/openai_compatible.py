"""OpenAI-compatible Chat Completions adapter (llama.cpp, Ollama, vLLM, LM Studio...).

One class serves every server declared in providers.yaml; the server's ``structured_output``
says how it takes a schema: ``json_schema`` (``response_format`` with a schema),
``json_object`` (JSON mode, schema in the prompt) or ``prompt`` (instructions only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from researchos.providers.base import (
    EmbedResult,
    ProviderContext,
    StructuredMode,
    WireCall,
    WireResult,
)
from researchos.providers.openai_responses import embeddings
from researchos.providers.types import Usage
from researchos.providers.wire import bearer, count, post_json, unexpected


class ChatCompletionsProvider:
    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self.endpoint = context.endpoint

    def structured_mode(self, model: str) -> StructuredMode:
        return self.endpoint.structured_output

    def _headers(self) -> dict[str, str]:
        # a local server without key_name needs no key; one with key_name must have it
        required = self.endpoint.key_name is not None
        return bearer(self.endpoint, self.context.api_key(), required=required)

    def generate(self, call: WireCall) -> WireResult:
        data, request_id = post_json(
            self.context.client,
            self.endpoint,
            f"{self.endpoint.base_url}/chat/completions",
            self._body(call),
            self._headers(),
        )
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise unexpected(self.endpoint, "no choices")
        message = choices[0].get("message") or {}
        usage = data.get("usage") or {}
        return WireResult(
            text=str(message.get("content") or ""),
            usage=Usage(count(usage, "prompt_tokens"), count(usage, "completion_tokens")),
            request_id=request_id,
            finish=str(choices[0].get("finish_reason") or ""),
        )

    def _body(self, call: WireCall) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": call.model,
            "messages": [{"role": m.role, "content": m.content} for m in call.messages],
            "max_tokens": call.params["max_tokens"],
            "stream": False,
        }
        if "temperature" in call.params:
            body["temperature"] = call.params["temperature"]
        if "reasoning" in call.params:
            body["reasoning_effort"] = call.params["reasoning"]
        mode = self.endpoint.structured_output
        if call.schema is not None and mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": call.schema_name,
                    "schema": call.schema,
                    "strict": call.strict,
                },
            }
        elif call.schema is not None and mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def embed(self, model: str, texts: Sequence[str]) -> EmbedResult:
        return embeddings(self.context, model, texts, self._headers())

    def close(self) -> None:
        self.context.close()


def create(context: ProviderContext) -> ChatCompletionsProvider:
    return ChatCompletionsProvider(context)
