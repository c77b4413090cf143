"""Jupyter notebooks (nbformat 4) with outputs, rendered to numbered text lines.

A notebook is one JSON document, so it is loaded whole, under its own size limit. Its
rendering is the evidence text: a header line per cell and per output, then their lines.
Images are dropped (and counted), long outputs truncated (and counted), ANSI colour codes of
tracebacks removed. Spans point at lines of this rendering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from researchos.distill.formats import Block, Record
from researchos.distill.source import Limits, Progress, ReadStats, check_size, scrub, strip_ansi
from researchos.errors import InputError

IMAGE_TYPES = ("image/", "application/pdf", "application/vnd.")


class NotebookReader:
    def __init__(self, path: Path, limits: Limits, display: str, progress: Progress | None):
        self.path = path
        self.limits = limits
        self.display = display
        self.progress = progress
        self.stats = ReadStats()
        self._sha = ""

    @property
    def sha256(self) -> str:
        return self._sha

    def records(self, only: Callable[[int], bool] | None = None) -> Iterator[Record]:
        """Every cell's record (a notebook is rendered whole; ``only`` changes nothing)."""
        cells = self._load()
        line = 1
        for index, cell in enumerate(cells):
            if not isinstance(cell, dict):
                raise InputError("is not a cell object", file=self.display, field=f"cells[{index}]")
            record = self._cell(index, cell, line)
            line = record.line_end + 1
            yield record
        self.stats.lines = line - 1

    def _load(self) -> list[Any]:
        check_size(
            self.path, self.limits.notebook_max_bytes, self.display, "DISTILL_NOTEBOOK_MAX_MB"
        )
        data = self.path.read_bytes()
        self._sha = hashlib.sha256(data).hexdigest()
        self.stats.bytes_read = len(data)
        if self.progress is not None:
            self.progress(len(data))
        try:
            notebook = json.loads(data)
        except ValueError as exc:
            where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else None
            raise InputError(
                f"is not a valid notebook ({getattr(exc, 'msg', exc)})",
                file=self.display,
                field=where,
                fix="save the notebook again from Jupyter",
            ) from None
        cells = notebook.get("cells") if isinstance(notebook, dict) else None
        if not isinstance(cells, list):
            raise InputError(
                "has no cells list",
                file=self.display,
                field="cells",
                fix="give an nbformat 4 notebook",
            )
        del data, notebook
        return cells

    def _cell(self, index: int, cell: dict[str, Any], first: int) -> Record:
        kind = str(cell.get("cell_type") or "code")
        count = cell.get("execution_count")
        head = f"## cell {index + 1} [{kind}]" + (f" In [{count}]" if count is not None else "")
        lines = [head]
        source = self._clean(_joined(cell.get("source")))
        blocks = []
        if source:
            block_kind = "code" if kind == "code" else "message"
            role = None if kind == "code" else "user"
            blocks.append(
                Block(
                    block_kind,
                    source,
                    first + 1,
                    f"cells[{index}].source",
                    role,
                    "cell",
                    command=source if kind == "code" else None,
                    per_line=True,
                )
            )
            lines.extend(source.split("\n"))
        for number, output in enumerate(cell.get("outputs") or []):
            if isinstance(output, dict):
                label = f"cells[{index}].outputs[{number}]"
                text, failed, name = self._output(output)
                lines.append(f"## output {number + 1} of cell {index + 1} [{name}]")
                if text:
                    blocks.append(
                        Block(
                            "output",
                            text,
                            first + len(lines),
                            label,
                            "tool",
                            "cell",
                            is_error=failed,
                            per_line=True,
                        )
                    )
                    lines.extend(text.split("\n"))
        return Record(first, first + len(lines) - 1, tuple(lines), tuple(blocks))

    def _output(self, output: dict[str, Any]) -> tuple[str, bool, str]:
        kind = str(output.get("output_type") or "output")
        if kind == "stream":
            return (
                self._truncate(_joined(output.get("text"))),
                False,
                str(output.get("name") or kind),
            )
        if kind == "error":
            trace = [strip_ansi(str(x)) for x in output.get("traceback") or []]
            final = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
            if not trace or trace[-1].strip() != final:
                trace.append(final)
            return self._truncate("\n".join(trace)), True, "error"
        data: dict[str, Any] = output["data"] if isinstance(output.get("data"), dict) else {}
        dropped = [key for key in data if key.startswith(IMAGE_TYPES)]
        self.stats.images_dropped += len(dropped)
        text = self._truncate(_joined(data.get("text/plain")))
        if dropped and not text:
            text = f"[{', '.join(dropped)} dropped]"
        return text, False, kind

    def _truncate(self, text: str) -> str:
        text = self._clean(text)
        limit = self.limits.output_chars
        if len(text) <= limit:
            return text
        self.stats.outputs_truncated += 1
        cut = text.rfind("\n", 0, limit)
        kept = text[: cut if cut > 0 else limit]
        return f"{kept}\n[... {len(text) - len(kept)} characters truncated]"

    @staticmethod
    def _clean(text: str) -> str:
        return scrub(strip_ansi(text)).replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else ""
