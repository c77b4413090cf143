"""The ``mock`` provider adapter: deterministic answers seeded by phase and prompt hash."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from researchos.errors import ConfigError
from researchos.providers.base import (
    EmbedResult,
    ProviderContext,
    StructuredMode,
    WireCall,
    WireResult,
)
from researchos.providers.mock.embeddings import hash_vector
from researchos.providers.mock.responders import find_responder
from researchos.providers.mock.schema_sample import WORDS, sample_model
from researchos.providers.types import ModelRequest, Usage

MOCK_TAG = "MOCK"


def prompt_digest(request: ModelRequest) -> str:
    digest = hashlib.sha256()
    for message in request.messages:
        digest.update(f"{message.role}\0{message.content}\0".encode())
    if request.schema is not None:
        digest.update(f"{request.schema.__module__}.{request.schema.__qualname__}".encode())
    return digest.hexdigest()


def seeded_rng(phase: str, request: ModelRequest) -> random.Random:
    seed = hashlib.sha256(f"{phase}\0{prompt_digest(request)}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class MockProvider:
    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self.endpoint = context.endpoint

    def structured_mode(self, model: str) -> StructuredMode:
        return "native"

    def generate(self, call: WireCall) -> WireResult:
        request, rng = call.request, seeded_rng(call.phase, call.request)
        responder = find_responder(call.phase)
        answer: Any = responder(request, rng) if responder else None
        if request.schema is not None:
            data = self._structured(call.phase, request.schema, answer, rng)
            text = json.dumps(data, ensure_ascii=False)
        else:
            data = None
            text = self._text(call.phase, answer, rng)
        prompt = sum(estimate_tokens(m.content) for m in call.messages)
        return WireResult(text, Usage(prompt, estimate_tokens(text)), data, finish="mock")

    def _structured(
        self, phase: str, schema: type[BaseModel], answer: Any, rng: random.Random
    ) -> dict[str, Any]:
        if answer is None:
            return sample_model(schema, rng).model_dump(mode="json")
        try:
            if isinstance(answer, str):
                answer = json.loads(answer)
            instance = schema.model_validate(answer)
        except (ValueError, ValidationError) as exc:
            raise ConfigError(
                f"the mock responder for phase {phase!r} returned no valid {schema.__name__}: "
                f"{str(exc).splitlines()[0]}",
                fix="fix the @mock_responder so it returns data matching the schema",
            ) from None
        return instance.model_dump(mode="json")

    def _text(self, phase: str, answer: Any, rng: random.Random) -> str:
        if isinstance(answer, BaseModel):
            return answer.model_dump_json()
        if isinstance(answer, dict):
            return json.dumps(answer, ensure_ascii=False)
        if isinstance(answer, str):
            return answer
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        return f"[{MOCK_TAG}] {phase.replace('_', ' ')}: {words}."

    def embed(self, model: str, texts: Sequence[str]) -> EmbedResult:
        vectors = [hash_vector(text) for text in texts]
        return EmbedResult(vectors, Usage(sum(estimate_tokens(t) for t in texts), 0))

    def close(self) -> None:
        self.context.close()


def create(context: ProviderContext) -> MockProvider:
    return MockProvider(context)
