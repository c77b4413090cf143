"""Turn records into events: commands, tool calls, edits, outputs with their metrics and
errors, and messages with the decisions and pivots they announce."""

from __future__ import annotations

import re

from researchos.distill.cues import cues
from researchos.distill.events import EventKind, EventLog, Span, cap_text
from researchos.distill.formats import Block, Record
from researchos.distill.scan import Finding, TextScanner

_PROMPT = re.compile(
    r"^\s*(?:\([\w.-]+\)\s*)?(?:[\w.-]+@[\w.-]+(?::[^\s$]*)?\s*)?\$\s+(?P<cmd>\S.*)$"
    r"|^>>>\s+(?P<py>\S.*)$|^In \[\d*\]:\s*(?P<cell>\S.*)$"
)
_DIFF_FILE = re.compile(r"^\+\+\+ (?:b/)?(?P<path>[^\s]+)")
_ROLE = re.compile(r"^(?P<role>User|Human|You|Assistant|AI|Claude|Codex|Model)\s*:\s*", re.I)
USER_ROLES = ("user", "human", "you")


class Extractor:
    def __init__(self, log: EventLog, chars: int) -> None:
        self.log = log
        self.chars = chars
        self.title: str | None = None
        self.first_prompt: str | None = None
        self._lines: TextScanner | None = None  # plain text: one scanner across the file

    def feed(self, record: Record) -> None:
        for block in record.blocks:
            handler = getattr(self, f"_{block.kind}", None)
            if handler is not None:
                handler(block)

    def close(self) -> None:
        if self._lines is not None:
            self._lines.close()

    # --- block kinds -----------------------------------------------------------------------

    def _title(self, block: Block) -> None:
        self.title = self.title or block.text.strip()[:120] or None

    def _message(self, block: Block, skip: int = 0) -> None:
        if not block.text[skip:].strip():
            return
        if block.role == "user" and self.first_prompt is None:
            self.first_prompt = block.text[skip:].strip()[:200]
        self._add("message", block, skip, len(block.text), role=block.role)
        for cue in cues(block.text[skip:]):
            self._add(
                "message",
                block,
                skip + cue.start,
                skip + cue.end,
                role=block.role,
                signal=cue.signal,
            )

    def _tool_use(self, block: Block) -> None:
        for path in block.edits:
            self._add("edit", block, 0, len(block.text), tool=block.tool, name=path)
        if block.edits:
            return
        kind: EventKind = "command" if block.command is not None else "tool_call"
        self._add(kind, block, 0, len(block.text), tool=block.tool)

    def _code(self, block: Block) -> None:
        self._add("command", block, 0, len(block.text), tool=block.tool)

    def _output(self, block: Block) -> None:
        self._add("output", block, 0, len(block.text), role=block.role, tool=block.tool)
        found: list[Finding] = []
        scanner = TextScanner(
            found.append, chars=self.chars, accepts=self.log.accepts, skip=self.log.skip
        )
        offset = 0
        for index, text in enumerate(block.text.split("\n")):
            line = block.line + index if block.per_line else block.line
            scanner.line(line, 0 if block.per_line else offset, text)
            offset += len(text) + 1
        scanner.close()
        for finding in found:
            self._finding(finding, block)
        if block.is_error and not any(f.kind == "error" for f in found):
            self._failed_output(block)

    def _failed_output(self, block: Block) -> None:
        text = block.text.rstrip()
        start = max(0, len(text) - self.chars)
        if start:
            start = text.find("\n", start) + 1 or start
        self._add("error", block, start, len(text), name="failed", tool=block.tool)

    def _line(self, block: Block) -> None:
        text = block.text
        if self._lines is None:
            self._lines = TextScanner(
                lambda f: self._finding(f, None),
                chars=self.chars,
                accepts=self.log.accepts,
                skip=self.log.skip,
            )
        prompt = _PROMPT.match(text)
        if prompt:
            self._add("command", block, prompt.start(prompt.lastgroup or 0), len(text))
            return
        diff = _DIFF_FILE.match(text)
        if diff:
            self._add("edit", block, 0, len(text), name=diff["path"])
            return
        role = _ROLE.match(text)
        if role or (block.line == 1 and text.strip()):  # a log's first line says what it is
            speaker = role["role"].lower() if role else "user"
            speaker = "user" if speaker in USER_ROLES else "assistant"
            message = Block("message", text, block.line, None, speaker, per_line=True)
            self._message(message, role.end() if role else 0)
            return
        for cue in cues(text):
            self._add("message", block, cue.start, cue.end, signal=cue.signal)
        self._lines.line(block.line, 0, text)

    # --- building events -------------------------------------------------------------------

    def _add(self, kind: EventKind, block: Block, start: int, end: int, **fields: object) -> None:
        text, truncated = cap_text(block.text[start:end], self.chars, tail=kind == "error")
        line_start, char_start = block.position(start)
        line_end, char_end = block.position(end)
        span = Span(line_start, line_end, char_start, char_end, block.label)
        self.log.add(kind, span, text, at=block.at, truncated=truncated, **fields)

    def _finding(self, finding: Finding, block: Block | None) -> None:
        span = Span(
            finding.line_start,
            finding.line_end,
            finding.char_start,
            finding.char_end,
            block.label if block else None,
        )
        self.log.add(
            finding.kind,  # type: ignore[arg-type]
            span,
            finding.text,
            name=finding.name,
            value=finding.value,
            unit=finding.unit,
            tool=block.tool if block else None,
            at=block.at if block else None,
            truncated=finding.truncated,
        )
