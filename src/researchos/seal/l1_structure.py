"""Seal L1, structure: the ARA is well-formed, its evidence is intact, its code can run.

Fast by design (no model, no sandbox): the schema pass parses every file once (in worker
processes for large ARAs) and the other checks reuse what it parsed; evidence files are
stat'ed and hashed once each however many claims cite them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from researchos.artifacts.models import TRACE_TYPES
from researchos.artifacts.reader import load_trace, trace_ids
from researchos.errors import InputError
from researchos.files import read_text, safe_relative, sha256_file
from researchos.seal.context import SealContext
from researchos.seal.registry import Finding, seal_check

REPRODUCE = "code/reproduce.sh"
LOCK = "code/environment.lock"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s*;#]+)")
_PYTHON = re.compile(
    r"^(?:#\s*python\s*[:=]\s*|python(?:_version)?\s*==\s*)(?P<version>\d+\.\d+(?:\.\d+)?)\s*$",
    re.IGNORECASE,
)
# claims in these states need no evidence: they are records of what was given up
NO_EVIDENCE_NEEDED = {"withdrawn", "retracted"}


@seal_check(1, name="l1.schema")
def schema(ctx: SealContext) -> Iterator[Finding]:
    """Every file validates against ARA format v1 and every cross-reference resolves."""
    for problem in ctx.validation.problems:
        yield Finding("l1.schema", problem.file, problem.field, problem.message)


@seal_check(1, name="l1.evidence")
def evidence(ctx: SealContext) -> Iterator[Finding]:
    """Every claim cites evidence, and every cited file is non-empty."""
    sizes: dict[str, int | None] = {}
    for claim_id, claim in ctx.claims.items():
        name = ctx.display(f"claims/{claim_id}.yaml")
        if not claim.evidence and claim.status not in NO_EVIDENCE_NEEDED:
            yield Finding("l1.evidence", name, "evidence", f"claim {claim_id} cites no evidence")
        for index, ref in enumerate(claim.evidence):
            if ref.path not in sizes:
                sizes[ref.path] = _size(ctx, ref.path)
            if sizes[ref.path] == 0:
                yield Finding(
                    "l1.evidence",
                    name,
                    f"evidence.{index}.path",
                    f"evidence file {ref.path} is empty",
                )


def _size(ctx: SealContext, relative: str) -> int | None:
    try:
        return safe_relative(ctx.paths.root, relative).stat().st_size
    except (InputError, OSError):
        return None  # missing or unsafe: the schema pass names it


@seal_check(1, name="l1.reproduce_script")
def reproduce_script(ctx: SealContext) -> Iterator[Finding]:
    """``code/reproduce.sh`` exists, is executable and names its interpreter."""
    path = ctx.paths.root / REPRODUCE
    name = ctx.display(REPRODUCE)
    if not path.is_file() or path.is_symlink():
        yield Finding(
            "l1.reproduce_script", name, None, "missing: the ARA has no single-command reproduction"
        )
        return
    if not os.stat(path).st_mode & 0o111:
        yield Finding(
            "l1.reproduce_script",
            name,
            "mode",
            "is not executable (fix: chmod +x, commit the mode)",
        )
    head = path.read_bytes()[:256]
    if not head.strip():
        yield Finding("l1.reproduce_script", name, None, "is empty")
    elif not head.startswith(b"#!"):
        yield Finding(
            "l1.reproduce_script", name, "line 1", "has no #! line naming its interpreter"
        )


@seal_check(1, name="l1.environment_lock")
def environment_lock(ctx: SealContext) -> Iterator[Finding]:
    """``code/environment.lock`` pins the Python version and every package exactly."""
    path = ctx.paths.root / LOCK
    name = ctx.display(LOCK)
    if not path.is_file():
        yield Finding("l1.environment_lock", name, None, "missing: the environment is not pinned")
        return
    try:
        text = read_text(path, display=name)
    except InputError as exc:
        yield Finding("l1.environment_lock", name, None, exc.problem)
        return
    python = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if _PYTHON.match(line):
            python = True
        elif line and not line.startswith("#") and not _PIN.match(line):
            yield Finding(
                "l1.environment_lock",
                name,
                f"line {number}",
                f"{line[:80]!r} is not an exact pin (write name==version)",
            )
    if not python:
        yield Finding(
            "l1.environment_lock", name, "python", "no Python version (add '# python: 3.11.7')"
        )


@seal_check(1, name="l1.trace_links")
def trace_links(ctx: SealContext) -> Iterator[Finding]:
    """Traces name existing claims, and trace evidence exists with its recorded sha256."""
    known = set(ctx.claims)
    hashes: dict[str, str | None] = {}
    for kind in TRACE_TYPES:
        for trace_id in trace_ids(ctx.paths, kind):
            try:
                trace = load_trace(ctx.paths, kind, trace_id)
            except InputError:
                continue  # the schema pass names it
            name = ctx.paths.display(ctx.paths.trace(kind, trace_id))
            for index, claim_id in enumerate(trace.claims):
                if claim_id not in known:
                    yield Finding(
                        "l1.trace_links", name, f"claims.{index}", f"unknown claim {claim_id}"
                    )
            for index, ref in enumerate(getattr(trace, "evidence", [])):
                problem = _hash_problem(ctx, ref.path, ref.sha256, hashes)
                if problem:
                    yield Finding("l1.trace_links", name, f"evidence.{index}.path", problem)


def _hash_problem(
    ctx: SealContext, relative: str, recorded: str, hashes: dict[str, str | None]
) -> str | None:
    if relative not in hashes:
        try:
            target = safe_relative(ctx.paths.root, relative)
            hashes[relative] = sha256_file(target) if target.is_file() else None
        except InputError:
            hashes[relative] = None
    actual = hashes[relative]
    if actual is None:
        return f"evidence file {relative} does not exist"
    if actual != recorded:
        return f"sha256 of {relative} is {actual[:12]}…, the trace records {recorded[:12]}…"
    return None
