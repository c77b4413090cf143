"""``researchos package ...``: freeze an ARA into a signed ZIP, verify one offline, list them."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from researchos.cli.context import get_app
from researchos.cli.output import emit_json, err_console, say, table
from researchos.errors import InputError, NotFound, WorkspaceError
from researchos.package import VerificationReport, verify
from researchos.package.signing import PublicKey

app = typer.Typer(no_args_is_help=True, help="Freeze ARAs into signed packages; verify them.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PROGRESS_MIN_BYTES = 32 << 20


class ProgressBar:
    """A rich bar on stderr for packages of PROGRESS_MIN_BYTES or more."""

    def __init__(self) -> None:
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()

    def start(self, label: str, total: int) -> None:
        if total < PROGRESS_MIN_BYTES:
            return
        if self._task is None:
            self._bar.start()
        else:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(label, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)


def _size(value: int | None) -> str:
    if value is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024  # type: ignore[assignment]
    return str(value)


@app.command("freeze")
def freeze_command(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(metavar="ARA", help="Slug of the ARA to freeze.")],
    json_out: JsonFlag = False,
) -> None:
    """Freeze an ARA into packages/<slug>/<slug>-v<N>.zip, signed with this workspace's key."""
    application = get_app(ctx)
    with ProgressBar() as bar:
        result = application.packages.freeze(slug, progress=bar)
    if json_out:
        emit_json(result.to_dict(application.workspace))
        return
    data = result.to_dict(application.workspace)
    mock = " [yellow]MOCK[/yellow]" if result.mock else ""
    say(f"Froze [bold]{result.name}[/bold]{mock}: {result.files} files, {_size(result.zip_bytes)}")
    say(f"  zip:       {data['zip']}")
    say(f"  signature: {data['signature']}")
    say(f"  manifest:  {data['manifest']} (commit {str(result.commit)[:10]})")
    say(f"  signer:    {result.fingerprint}")
    say(f"Verify with: researchos package verify {data['zip']}")


def _workspace_key(ctx: typer.Context) -> PublicKey | None:
    """This workspace's public key, if there is a workspace; verifying needs none."""
    try:
        application = get_app(ctx)
    except (NotFound, WorkspaceError):
        return None
    try:
        return application.packages.public_key()
    except InputError:  # an unreadable system/signing-key.pub: verify without comparing
        return None


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    zip_path: Annotated[Path, typer.Argument(metavar="ZIP", help="Package ZIP to verify.")],
    trusted_key: Annotated[
        str | None,
        typer.Option(
            "--trusted-key",
            metavar="HEX",
            help="The signer's public key (64 hex) or fingerprint (32 hex).",
        ),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Check every hash, the signature and the signer of a package, offline. Exit 1 on failure."""
    workspace_key = _workspace_key(ctx)
    with ProgressBar() as bar:
        report = verify(
            zip_path, trusted_key=trusted_key, workspace_key=workspace_key, progress=bar
        )
    if json_out:
        emit_json(report.to_dict())
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: VerificationReport) -> None:
    mark = "[green]verified[/green]" if report.ok else "[red]FAILED[/red]"
    mock = " [yellow]MOCK[/yellow]" if report.mock else ""
    say(f"{mark} {report.name}{mock}: {report.files_checked} files, {_size(report.bytes_checked)}")
    signature = "valid" if report.signature_valid else "[red]invalid[/red]"
    say(f"  signature: {signature}, signer {report.signer}")
    if report.trusted_key_match is not None:
        say(f"  trusted key: {'matches' if report.trusted_key_match else '[red]differs[/red]'}")
    if report.workspace_key_match is not None:
        verdict = "this workspace's key" if report.workspace_key_match else "another key"
        say(f"  signed by: {verdict}")
    for problem in report.problems:
        say(f"  [red]-[/red] {problem}")
    for note in report.notes:
        say(f"  note: {note}")


@app.command("ls")
def ls_command(
    ctx: typer.Context,
    slug: Annotated[str | None, typer.Argument(metavar="[ARA]", help="Only this ARA.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """List the packages of the workspace (from their committed manifests)."""
    packages = get_app(ctx).packages.list(slug)
    if json_out:
        emit_json([p.to_dict() for p in packages])
        return
    table(
        "Packages",
        ["name", "created", "files", "size", "mock", "signer", "zip"],
        (
            [
                p.name,
                p.created[:16].replace("T", " "),
                p.files,
                _size(p.zip_bytes),
                "MOCK" if p.mock else "",
                p.signer[:12],
                "yes" if p.zip else "removed",
            ]
            for p in packages
        ),
    )


@app.command("key")
def key_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    """Show this workspace's public signing key (share it so others can --trusted-key it)."""
    application = get_app(ctx)
    public = application.packages.public_key()
    if public is None:
        raise NotFound(
            "this workspace has no signing key yet",
            fix="it is created by the first `researchos package freeze`",
        )
    data = {"algorithm": "ed25519", "public_key": public.hex, "fingerprint": public.fingerprint}
    if json_out:
        emit_json({**data, "pem": public.pem().decode("ascii")})
        return
    say(f"public key:  {public.hex}\nfingerprint: {public.fingerprint}")
    say("file:        system/signing-key.pub (PEM)")
