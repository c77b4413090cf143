"""Build the router from settings (called by the composition root, ``App.router``).

Reads the endpoints (built-ins + providers.yaml), the policy file's rules and the
environment's tier models and overrides; builds the policy; writes
``system/routing-policy.yaml`` and commits it when the effective table changed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

from researchos.credentials import SecretStore
from researchos.errors import InputError
from researchos.files import read_text
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.providers import registry
from researchos.providers.endpoints import Endpoint, builtin_endpoints, load_servers
from researchos.providers.keys import KeyRing
from researchos.providers.policy import Policy, PolicyInputs, build_policy
from researchos.providers.policy_file import POLICY_NAME, PolicyRules, read_rules, render
from researchos.providers.retry import RetryPolicy
from researchos.providers.router import ProviderRouter
from researchos.settings import Settings
from researchos.store.database import Database
from researchos.workspace import Workspace


def providers_file(settings: Settings, workspace: Workspace) -> Path:
    return settings.local_providers_file or workspace.system_dir / "providers.yaml"


def build_router(
    settings: Settings,
    workspace: Workspace,
    database: Database,
    secrets: SecretStore,
    *,
    actor: str,
    environ: Mapping[str, str] = os.environ,
    transport: httpx.BaseTransport | None = None,
) -> ProviderRouter:
    endpoints = builtin_endpoints(
        openai_base_url=settings.openai_base_url, anthropic_base_url=settings.anthropic_base_url
    )
    endpoints.update(load_servers(providers_file(settings, workspace)))
    check_kinds(endpoints.values())
    fallbacks: dict[str, str | None] = {
        "OPENAI_API_KEY": _plain(settings.openai_api_key),
        "ANTHROPIC_API_KEY": _plain(settings.anthropic_api_key),
    }
    for endpoint in endpoints.values():
        if endpoint.local and endpoint.key_name and endpoint.key_name not in fallbacks:
            fallbacks[endpoint.key_name] = environ.get(endpoint.key_name)
    keys = KeyRing(secrets, fallbacks)
    available = {
        name
        for name, ep in endpoints.items()
        if ep.local or ep.key_name is None or keys.available(ep.key_name)
    }
    policy_path = workspace.system_dir / POLICY_NAME
    rules = read_rules(policy_path)
    inputs = PolicyInputs(
        run_mode=settings.run_mode,
        smoke_mode=settings.smoke_mode,
        tiers={
            "fast": settings.model_fast,
            "balanced": settings.model_balanced,
            "strong": settings.model_strong,
        },
        overrides=settings.phase_overrides(),
        endpoints=endpoints,
        available=frozenset(available),
        rules=rules,
    )
    policy = build_policy(inputs)
    write_policy(workspace, rules, policy, actor=actor)
    retry = RetryPolicy(
        max_retries=settings.provider_max_retries,
        backoff=settings.provider_retry_backoff,
        retry_after_cap=settings.provider_retry_after_cap,
    )
    return ProviderRouter(
        inputs=inputs,
        database=database,
        keys=keys,
        retry=retry,
        timeout=settings.provider_timeout,
        transport=transport,
        policy=policy,
    )


def check_kinds(endpoints: Iterable[Endpoint]) -> None:
    """A server whose ``kind`` no plugin provides fails at start, naming file and field."""
    known = registry.kinds()
    for endpoint in endpoints:
        if endpoint.kind not in known:
            raise InputError(
                f"unknown provider kind {endpoint.kind!r}; registered kinds: {', '.join(known)}",
                file=endpoint.declared_in,
                field=f"servers.{endpoint.name}.kind",
                fix="use a registered kind (usually openai_compatible) or install its plugin",
            )


def _plain(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter else None


def write_policy(workspace: Workspace, rules: PolicyRules, policy: Policy, *, actor: str) -> bool:
    """Write and commit routing-policy.yaml when its content changed; True when it did."""
    path = workspace.system_dir / POLICY_NAME
    text = render(rules, policy.to_dict())
    if _same(path, text):  # the common case: no lock taken
        return False
    summary = f"routing policy for run mode {policy.mode}"
    meta = ChangeMeta(event="policy.generate", scope="system", summary=summary, actor=actor)
    with content_change(workspace.root, workspace.var_dir, meta) as change:
        if _same(path, text):  # another process wrote it while we waited for the lock
            return False
        change.write_bytes(path, text)
    return True


def _same(path: Path, text: str) -> bool:
    return path.is_file() and read_text(path) == text
