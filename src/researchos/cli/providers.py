"""``researchos providers ...`` and ``researchos smoke ...``: is the model chain working?"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Annotated, Any

import typer
from rich.progress import Progress

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, say, table
from researchos.providers import registry
from researchos.providers.validation import (
    ProviderValidationResult,
    check_provider,
    credential_test_model,
    smoke_phase,
    smoke_phases,
    smoke_ping,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
app = typer.Typer(no_args_is_help=True, help="List and test model providers.")
smoke_app = typer.Typer(no_args_is_help=True, help="Check the policy's models end to end.")


def _report(results: list[ProviderValidationResult], json_out: bool) -> None:
    """Print the results; exit 1 when any check failed."""
    if json_out:
        emit_json([result.to_dict() for result in results])
    else:
        table(
            None,
            ["check", "category", "headline", "fix"],
            ([r.target, _coloured(r.category), r.headline, r.fix or ""] for r in results),
        )
        failed = sum(not r.ok for r in results)
        say(
            f"{len(results) - failed}/{len(results)} ok" + (" (MOCK)" if _all_mock(results) else "")
        )
    if any(not result.ok for result in results):
        raise typer.Exit(1)


def _coloured(category: str) -> str:
    return f"[green]{category}[/green]" if category == "ok" else f"[red]{category}[/red]"


def _all_mock(results: Iterable[ProviderValidationResult]) -> bool:
    results = list(results)
    return bool(results) and all(r.mock or r.provider == "mock" for r in results)


@app.command("list")
def list_providers(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Endpoints (built-in and from providers.yaml), their kind, URL and key source."""
    router = get_app(ctx).router
    rows: list[dict[str, Any]] = [
        {
            "name": ep.name,
            "kind": ep.kind,
            "base_url": ep.base_url or None,
            "key": router.keys.source(ep.key_name) if ep.key_name else "not needed",
            "key_name": ep.key_name,
            "models": list(ep.models),
            "credential_test_model": credential_test_model(router, ep.name),
            "declared_in": ep.declared_in,
        }
        for ep in router.endpoints.values()
    ]
    if json_out:
        emit_json({"kinds": registry.kinds(), "providers": rows})
        return
    table(
        "Providers",
        ["name", "kind", "base url", "key", "models"],
        (
            [
                r["name"],
                r["kind"],
                r["base_url"],
                f"{r['key_name'] or ''} ({r['key']})",
                ", ".join(r["models"]),
            ]
            for r in rows
        ),
    )
    say(f"Registered kinds: {', '.join(registry.kinds())}")


@app.command("test")
def test(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Provider name (see `researchos providers list`).")],
    model: Annotated[
        str | None, typer.Option(help="Model to try instead of the credential-test model.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Check a credential with one tiny call (independent of the policy table)."""
    router = get_app(ctx).router
    _report([check_provider(router, name, model)], json_out)


@smoke_app.command("ping")
def ping(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """One tiny call to every distinct model of the policy, after aliases."""
    router = get_app(ctx).router
    _report(smoke_ping(router), json_out)


@smoke_app.command("run")
def run(
    ctx: typer.Context,
    mock: Annotated[bool, typer.Option("--mock", help="Use the mock provider.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """A tiny structured call per phase through the router, end to end (creates the
    workspace when missing)."""
    router = get_app(ctx, create=True).router
    if mock:
        router = router.with_mode("mock")
    try:
        check = partial(smoke_phase, router)
        results = _with_progress(smoke_phases(), check, json_out)
    finally:
        if mock:
            router.close()
    _report(results, json_out)


def _with_progress(
    phases: list[str], check: Callable[[str], ProviderValidationResult], quiet: bool
) -> list[ProviderValidationResult]:
    if quiet:
        return [check(phase) for phase in phases]
    results = []
    with Progress(transient=True) as progress:
        task = progress.add_task("smoke run", total=len(phases))
        for phase in phases:
            progress.update(task, description=phase)
            results.append(check(phase))
            progress.advance(task)
    return results
