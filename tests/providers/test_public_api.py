"""The interface other packages code against is pinned: changing it must be deliberate."""

from __future__ import annotations

import dataclasses
import functools
import inspect

from researchos.app import App
from researchos.providers import Message, ModelRequest, ModelResponse, Usage
from researchos.providers.router import ProviderRouter


def _fields(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def test_the_types_keep_their_shape() -> None:
    assert _fields(Message) == ["role", "content"]
    assert _fields(ModelRequest) == ["messages", "schema", "context", "max_tokens"]
    assert _fields(Usage) == ["input_tokens", "output_tokens"]
    assert _fields(ModelResponse) == ["text", "data", "usage", "routing", "mock"]
    for cls in (Message, ModelRequest, Usage, ModelResponse):
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_the_router_signature_is_stable() -> None:
    call = inspect.signature(ProviderRouter.call)
    assert list(call.parameters) == ["self", "phase", "request", "project", "ara"]
    assert call.parameters["project"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(ProviderRouter.embed).parameters)[:2] == ["self", "texts"]
    for lazy in ("router", "secrets"):  # built on first use by the composition root
        assert isinstance(inspect.getattr_static(App, lazy), functools.cached_property)


def test_requests_accept_lists_and_refuse_empty_or_bad_roles() -> None:
    request = ModelRequest([Message("user", "hi")])  # type: ignore[arg-type]
    assert isinstance(request.messages, tuple)
    for bad in (lambda: ModelRequest(()), lambda: Message("tool", "x")):  # type: ignore[arg-type]
        try:
            bad()
        except ValueError:
            continue
        raise AssertionError("accepted an invalid request")
