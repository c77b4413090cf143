"""Shared output for CLI commands: JSON for machines, rich tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    grid = Table(title=title, show_lines=False, header_style="bold")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(grid)


def say(message: str) -> None:
    console.print(message)


def seal_line(summary: dict[str, Any] | None) -> str | None:
    """One line for a Seal L1 summary that a command's hook returned."""
    if not summary:
        return None
    if "error" in summary:
        return f"Seal L1: could not run ({summary['error']})"
    if summary.get("passed"):
        return "Seal L1: [green]passed[/green]"
    findings = summary.get("findings") or []
    first = f" — {findings[0]}" if findings else ""
    return f"Seal L1: [yellow]failed[/yellow] ({len(findings)} finding(s)){first}"
