"""The interface every part of ResearchOS codes against to reach a model.

Services build a ``ModelRequest`` and call ``app.router.call(phase, request)``; they never see
a provider, a model id or a key. The response carries the routing record, so an artifact can
store exactly which model produced it and under which policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

Role = Literal["system", "user", "assistant"]
ROLES: tuple[str, ...] = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One chat message."""

    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"message role must be one of {', '.join(ROLES)}, not {self.role!r}")


@dataclass(frozen=True)
class ModelRequest:
    """What a service asks of a model; the phase (given to the router) picks the model.

    ``schema`` asks for structured output: the response's ``data`` is an instance of it.
    ``context`` holds machine-readable inputs (transcript spans, numbers, ids): real adapters
    ignore it, mock responders build grounded answers from it.
    """

    messages: tuple[Message, ...]
    schema: type[BaseModel] | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.messages, tuple):
            object.__setattr__(self, "messages", tuple(self.messages))
        if not self.messages:
            raise ValueError("a model request needs at least one message")

    @classmethod
    def of(
        cls,
        prompt: str,
        *,
        system: str | None = None,
        schema: type[BaseModel] | None = None,
        context: Mapping[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> ModelRequest:
        """A request from one user prompt and an optional system prompt."""
        messages: Sequence[Message] = ([Message("system", system)] if system else []) + [
            Message("user", prompt)
        ]
        return cls(tuple(messages), schema, dict(context or {}), max_tokens)


@dataclass(frozen=True)
class Usage:
    """Tokens the provider billed for one call (summed over repair attempts)."""

    input_tokens: int
    output_tokens: int

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens
        )


@dataclass(frozen=True)
class ModelResponse:
    """The answer: text, validated structured data (when a schema was asked), the routing."""

    text: str
    data: BaseModel | None
    usage: Usage
    routing: dict[str, Any]
    mock: bool

    @property
    def flags(self) -> list[str]:
        return list(self.routing.get("flags", []))

    @property
    def needs_human_review(self) -> bool:
        return "needs_human_review" in self.flags
