"""The plugin seam: what a provider adapter receives and returns.

An adapter is one module with a factory ``(ProviderContext) -> Provider``, registered under
the entry-point group ``researchos.providers`` (the built-ins too, see pyproject.toml). The
router hands it a ``WireCall`` whose parameters have already passed the capability gates;
the adapter translates it to its wire format, and wraps every failure once, as a
``ProviderError`` with a category, never carrying the upstream body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol

import httpx

from researchos.providers.endpoints import Endpoint
from researchos.providers.types import Message, ModelRequest, Usage

# how an adapter gets structured output: a constrained JSON schema, a forced tool call,
# JSON mode (schema in the prompt), plain prompting, or (mock) building it directly
StructuredMode = Literal["json_schema", "tool", "json_object", "prompt", "native"]


@dataclass(frozen=True)
class WireCall:
    phase: str
    model: str
    messages: tuple[Message, ...]
    params: Mapping[str, Any]
    request: ModelRequest
    schema: dict[str, Any] | None = None
    schema_name: str = "output"
    strict: bool = False


@dataclass(frozen=True)
class WireResult:
    text: str
    usage: Usage
    data: dict[str, Any] | None = None  # when the wire returned parsed structured output
    request_id: str | None = None
    finish: str | None = None


@dataclass(frozen=True)
class EmbedResult:
    vectors: list[list[float]]
    usage: Usage


@dataclass(frozen=True)
class ProviderContext:
    """Everything an adapter may use; it never reads settings or files itself.

    ``client`` is built on first use (an httpx client costs an SSL context; the mock never
    needs one) by ``make_client``, where the router applies its timeout and transport seam.
    """

    endpoint: Endpoint
    make_client: Callable[[], httpx.Client] = field(default=httpx.Client)
    api_key: Callable[[], str | None] = field(default=lambda: None)

    @cached_property
    def client(self) -> httpx.Client:
        return self.make_client()

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()


class Provider(Protocol):
    endpoint: Endpoint

    def structured_mode(self, model: str) -> StructuredMode: ...

    def generate(self, call: WireCall) -> WireResult: ...

    def embed(self, model: str, texts: Sequence[str]) -> EmbedResult: ...

    def close(self) -> None: ...


ProviderFactory = Callable[[ProviderContext], Provider]
