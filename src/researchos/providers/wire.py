"""HTTP for adapters: send, classify failures into validation categories, decode JSON.

Every httpx exception and every non-2xx answer is turned into one ``ProviderError`` here, with
a category, whether a retry may help, and the server's Retry-After. Messages hold the status,
the error *type/code* fields and the request id, never the upstream body: bodies can echo
prompts or (partially) keys.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from typing import Any

import httpx

from researchos.errors import ConfigError, ProviderError
from researchos.providers.endpoints import Endpoint

_TOKEN = re.compile(r"[^A-Za-z0-9_.\-]")
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})


def post_json(
    client: httpx.Client,
    endpoint: Endpoint,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> tuple[dict[str, Any], str | None]:
    """POST ``body``; return the decoded JSON object and the upstream request id."""
    try:
        response = client.post(url, json=body, headers=headers)
    except httpx.TimeoutException:
        raise ProviderError(
            f"{endpoint.name} did not answer within {client.timeout.read or 0:g} s",
            category="network_error",
            retryable=True,
            fix="check the server, or raise RESEARCHOS_PROVIDER_TIMEOUT",
        ) from None
    except httpx.TransportError as exc:
        raise ProviderError(
            f"cannot reach {endpoint.name} at {_origin(url)} ({type(exc).__name__})",
            category="network_error",
            retryable=True,
            fix=f"check that the server at {_origin(url)} is running and the base URL is right",
        ) from None
    request_id = response.headers.get("x-request-id") or response.headers.get("request-id")
    if response.status_code >= 400:
        raise classify(endpoint, response, request_id)
    return decode(endpoint, response), request_id


def decode(endpoint: Endpoint, response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderError(
            f"{endpoint.name} answered HTTP {response.status_code} with a body that is not a "
            "JSON object",
            category="provider_error",
            fix="check that the base URL points at the API (…/v1), not a web page or proxy",
        )
    return data


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}:{parsed.port or ''}".rstrip(":")


def _error_fields(response: httpx.Response) -> tuple[str, str, str]:
    """(type, code, message) from the usual error bodies; the message is for matching only."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return "", "", ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):  # Ollama / llama.cpp: {"error": "model 'x' not found"}
        return "", "", error
    if not isinstance(error, dict):
        return "", "", ""
    kind, code = str(error.get("type") or ""), str(error.get("code") or "")
    return _TOKEN.sub("", kind)[:48], _TOKEN.sub("", code)[:48], str(error.get("message") or "")


def _mentions_model(code: str, kind: str, message: str) -> bool:
    text = message.lower()
    return (
        code == "model_not_found"
        or kind == "not_found_error"
        or ("model" in text and any(w in text for w in ("not found", "does not exist", "unknown")))
    )


def classify(endpoint: Endpoint, response: httpx.Response, request_id: str | None) -> ProviderError:
    status = response.status_code
    kind, code, message = _error_fields(response)
    detail = ", ".join(part for part in (kind, code) if part)
    where = f"HTTP {status}{f' {detail}' if detail else ''}"
    where += f", request id {_TOKEN.sub('', request_id)[:64]}" if request_id else ""
    if status in (401, 403):
        key = endpoint.key_name or "its API key"
        return ProviderError(
            f"{endpoint.name} rejected the credentials ({where})",
            category="auth_error",
            fix=f"store a valid key: `researchos secrets set {key}`",
        )
    if status in (400, 404) and _mentions_model(code, kind, message):
        return ProviderError(
            f"{endpoint.name} does not know the requested model ({where})",
            category="model_error",
            fix="check the model id (`researchos policy show`), set RESEARCHOS_MODEL_<TIER> "
            "or add an alias under rules.aliases in system/routing-policy.yaml",
        )
    if status == 404:
        return ProviderError(
            f"{endpoint.name} has no such API path ({where})",
            category="config_error",
            fix=f"check the base URL of {endpoint.name} (it usually ends in /v1)",
        )
    if status == 429 and code == "insufficient_quota":
        return ProviderError(
            f"{endpoint.name}: the account has no quota left ({where})",
            category="provider_error",
            fix="add credit to the account or use another key",
        )
    retryable = status in RETRY_STATUSES or status >= 500
    return ProviderError(
        f"{endpoint.name} failed ({where})",
        category="provider_error",
        retryable=retryable,
        retry_after=retry_after(response.headers),
        fix="retry later; see the provider's status page"
        if retryable
        else "the request was rejected; run `researchos policy show` to see what is sent",
    )


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def unexpected(endpoint: Endpoint, what: str) -> ProviderError:
    """The JSON was valid but not the shape this wire format promises."""
    return ProviderError(
        f"{endpoint.name} answered with an unexpected shape ({what})",
        category="provider_error",
        fix=f"check that {endpoint.name} speaks the {endpoint.kind} wire format",
    )


def bearer(endpoint: Endpoint, key: str | None, *, required: bool) -> dict[str, str]:
    if key:
        return {"Authorization": f"Bearer {key}"}
    if required:
        raise missing_key(endpoint)
    return {}


def missing_key(endpoint: Endpoint) -> ConfigError:
    name = endpoint.key_name or "API_KEY"
    return ConfigError(
        f"no API key for {endpoint.name} ({name} is neither in the secret store nor set)",
        fix=f"run `researchos secrets set {name}`",
    )


def count(usage: Any, key: str) -> int:
    """A token count from a usage object; absent or malformed counts are 0."""
    try:
        return max(0, int(usage.get(key) or 0))
    except (AttributeError, TypeError, ValueError):
        return 0
