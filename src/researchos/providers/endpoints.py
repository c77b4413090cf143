"""Endpoints: where a provider kind is reached (base URL, key name, models).

Three are built in (``openai``, ``anthropic``, ``mock``). OpenAI-compatible servers (llama.cpp,
Ollama, vLLM, LM Studio) are declared in YAML (``system/providers.yaml`` by default) with a
model id, a base URL and a key name: no code per server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from researchos.errors import ConfigError, InputError
from researchos.files import load_yaml

BUILTIN_ENDPOINTS = ("openai", "anthropic", "mock")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
StructuredMode = Literal["json_schema", "json_object", "prompt"]

EXAMPLE = """\
format_version: 1
servers:
  ollama:
    base_url: http://127.0.0.1:11434/v1
    models: [llama3.1:8b]
"""


class ServerSpec(BaseModel):
    """One OpenAI-compatible server in providers.yaml."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(description="e.g. http://127.0.0.1:11434/v1 (up to /v1)")
    models: list[str] = Field(min_length=1, description="model ids this server serves")
    key_name: str | None = Field(default=None, description="secret-store name of its API key")
    kind: str = Field(default="openai_compatible", description="provider plugin that speaks it")
    embedding_model: str | None = None
    structured_output: StructuredMode = "json_schema"
    timeout: float | None = Field(default=None, gt=0)
    price: tuple[float, float] = (0.0, 0.0)

    @field_validator("base_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class ServersFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1] = 1
    servers: dict[str, ServerSpec] = {}


@dataclass(frozen=True)
class Endpoint:
    name: str
    kind: str
    base_url: str
    key_name: str | None
    models: tuple[str, ...] = ()
    embedding_model: str | None = None
    structured_output: StructuredMode = "json_schema"
    timeout: float | None = None
    price: tuple[float, float] | None = None
    declared_in: str | None = None

    @property
    def local(self) -> bool:
        return self.declared_in is not None


def builtin_endpoints(*, openai_base_url: str, anthropic_base_url: str) -> dict[str, Endpoint]:
    return {
        "openai": Endpoint("openai", "openai", openai_base_url.rstrip("/"), "OPENAI_API_KEY"),
        "anthropic": Endpoint(
            "anthropic", "anthropic", anthropic_base_url.rstrip("/"), "ANTHROPIC_API_KEY"
        ),
        "mock": Endpoint("mock", "mock", "", None, ("mock",), "mock", price=(0.0, 0.0)),
    }


def load_servers(path: Path) -> dict[str, Endpoint]:
    """Read providers.yaml; a missing file means no local servers."""
    if not path.is_file():
        return {}
    raw = load_yaml(path)
    try:
        parsed = ServersFile.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(
            first["msg"],
            file=str(path),
            field=".".join(str(p) for p in first["loc"]),
            fix=f"see docs/providers.md; a minimal file is:\n{EXAMPLE}",
        ) from None
    endpoints: dict[str, Endpoint] = {}
    for name, spec in parsed.servers.items():
        _check_name(name, path)
        endpoints[name] = Endpoint(
            name=name,
            kind=spec.kind,
            base_url=spec.base_url,
            key_name=spec.key_name,
            models=tuple(spec.models),
            embedding_model=spec.embedding_model,
            structured_output=spec.structured_output,
            timeout=spec.timeout,
            price=spec.price,
            declared_in=str(path),
        )
    return endpoints


def _check_name(name: str, path: Path) -> None:
    if name in BUILTIN_ENDPOINTS:
        raise InputError(
            f"server name {name!r} is reserved for the built-in endpoint",
            file=str(path),
            field=f"servers.{name}",
            fix="rename the server (e.g. 'local-" + name + "')",
        )
    if not _NAME.match(name):
        raise InputError(
            f"server name {name!r} must be lower-case letters, digits, '-' or '_'",
            file=str(path),
            field=f"servers.{name}",
            fix="rename the server",
        )


def endpoint_named(endpoints: dict[str, Endpoint], name: str) -> Endpoint:
    try:
        return endpoints[name]
    except KeyError:
        raise ConfigError(
            f"unknown provider {name!r}; known providers: {', '.join(endpoints)}",
            fix="use a listed name, or declare the server in system/providers.yaml "
            "(see `researchos providers list`)",
        ) from None
