"""OpenAI Responses API adapter (``POST /responses``, ``POST /embeddings``).

Structured output uses ``text.format`` with a JSON schema (``strict`` when the schema allows
it). Reasoning effort and temperature arrive already gated by the policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from researchos.errors import ProviderError
from researchos.providers.base import (
    EmbedResult,
    ProviderContext,
    StructuredMode,
    WireCall,
    WireResult,
)
from researchos.providers.types import Usage
from researchos.providers.wire import bearer, count, post_json, unexpected


class OpenAIResponsesProvider:
    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self.endpoint = context.endpoint

    def structured_mode(self, model: str) -> StructuredMode:
        return "json_schema"

    def _headers(self) -> dict[str, str]:
        return bearer(self.endpoint, self.context.api_key(), required=True)

    def generate(self, call: WireCall) -> WireResult:
        data, request_id = post_json(
            self.context.client,
            self.endpoint,
            f"{self.endpoint.base_url}/responses",
            self._body(call),
            self._headers(),
        )
        return self._parse(data, request_id)

    def _body(self, call: WireCall) -> dict[str, Any]:
        system = [m.content for m in call.messages if m.role == "system"]
        body: dict[str, Any] = {
            "model": call.model,
            "input": [
                {"role": m.role, "content": m.content} for m in call.messages if m.role != "system"
            ],
            "max_output_tokens": call.params["max_tokens"],
            "store": False,
        }
        if system:
            body["instructions"] = "\n\n".join(system)
        if "temperature" in call.params:
            body["temperature"] = call.params["temperature"]
        if "reasoning" in call.params:
            body["reasoning"] = {"effort": call.params["reasoning"]}
        if call.schema is not None:
            body["text"] = {
                "format": {
                    "type": "json_schema",
                    "name": call.schema_name,
                    "schema": call.schema,
                    "strict": call.strict,
                }
            }
        return body

    def _parse(self, data: dict[str, Any], request_id: str | None) -> WireResult:
        output = data.get("output")
        if not isinstance(output, list):
            raise unexpected(self.endpoint, "no output list")
        if data.get("status") == "failed":
            raise ProviderError(
                f"{self.endpoint.name} reported the response as failed",
                category="provider_error",
                retryable=True,
            )
        texts: list[str] = []
        for item in output:
            if not isinstance(item, dict) or item.get("type") != "message":
                continue
            for part in item.get("content") or []:
                if part.get("type") == "refusal":
                    raise ProviderError(
                        f"the model on {self.endpoint.name} refused the request",
                        category="provider_error",
                    )
                if part.get("type") == "output_text":
                    texts.append(str(part.get("text", "")))
        usage = data.get("usage") or {}
        return WireResult(
            text="".join(texts),
            usage=Usage(count(usage, "input_tokens"), count(usage, "output_tokens")),
            request_id=request_id,
            finish=str(data.get("status") or ""),
        )

    def embed(self, model: str, texts: Sequence[str]) -> EmbedResult:
        return embeddings(self.context, model, texts, self._headers())

    def close(self) -> None:
        self.context.close()


def embeddings(
    context: ProviderContext, model: str, texts: Sequence[str], headers: dict[str, str]
) -> EmbedResult:
    """``POST /embeddings``, the same on OpenAI and OpenAI-compatible servers."""
    endpoint = context.endpoint
    data, _ = post_json(
        context.client,
        endpoint,
        f"{endpoint.base_url}/embeddings",
        {"model": model, "input": list(texts)},
        headers,
    )
    rows = data.get("data")
    if not isinstance(rows, list) or len(rows) != len(texts):
        raise unexpected(endpoint, "embeddings do not match the inputs")
    try:
        ordered = sorted(rows, key=lambda row: int(row.get("index", 0)))
        vectors = [[float(x) for x in row["embedding"]] for row in ordered]
    except (AttributeError, KeyError, TypeError, ValueError):
        raise unexpected(endpoint, "an embedding row without a vector") from None
    usage = data.get("usage") or {}
    return EmbedResult(vectors, Usage(count(usage, "prompt_tokens"), 0))


def create(context: ProviderContext) -> OpenAIResponsesProvider:
    return OpenAIResponsesProvider(context)
