"""Seal L2, the claim → evidence → figure chain: every figure a claim cites can be redrawn.

A figure is an evidence reference of kind ``figure`` or a file under ``evidence/figures/``.
Next to ``<name>.png`` (any image) the analysis writes the data it drew (``<name>.json``,
``.csv`` or ``.jsonl``) and the script that draws it (``<name>.py``); both must exist, be
non-empty, and the data must parse.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from researchos.artifacts.models import EvidenceRef
from researchos.errors import InputError
from researchos.files import safe_relative
from researchos.seal.context import SealContext
from researchos.seal.registry import Finding, seal_check

FIGURE_DIR = "evidence/figures/"
DATA_SUFFIXES = (".json", ".csv", ".jsonl")


def is_figure(ref: EvidenceRef) -> bool:
    if ref.kind == "figure":
        return True
    return ref.path.startswith(FIGURE_DIR) and not ref.path.endswith((*DATA_SUFFIXES, ".py"))


@seal_check(2, name="l2.figure_chain")
def figure_chain(ctx: SealContext) -> Iterator[Finding]:
    """Every figure a claim cites exists, with its data file and its script next to it."""
    broken: set[str] = set()
    seen: dict[str, str | None] = {}
    for claim_id, claim in ctx.claims.items():
        name = ctx.display(f"claims/{claim_id}.yaml")
        for index, ref in enumerate(claim.evidence):
            if not is_figure(ref):
                continue
            if ref.path not in seen:
                seen[ref.path] = _figure_problem(ctx.paths.root, ref.path)
            problem = seen[ref.path]
            if problem:
                broken.add(claim_id)
                yield Finding("l2.figure_chain", name, f"evidence.{index}.path", problem)
    ctx.details["figure_chain_broken"] = broken


def _figure_problem(root: Path, relative: str) -> str | None:
    try:
        figure = safe_relative(root, relative)
    except InputError as exc:
        return exc.problem
    if not figure.is_file() or figure.stat().st_size == 0:
        return f"figure {relative} does not exist or is empty"
    data = [figure.with_suffix(s) for s in DATA_SUFFIXES if figure.with_suffix(s).is_file()]
    if not data:
        return (
            f"figure {relative} has no data file next to it "
            f"({figure.stem}.json, .csv or .jsonl): the figure cannot be checked or redrawn"
        )
    script = figure.with_suffix(".py")
    if not script.is_file() or script.stat().st_size == 0:
        return f"figure {relative} has no script next to it ({figure.stem}.py)"
    return _data_problem(data[0], root)


def _data_problem(path: Path, root: Path) -> str | None:
    relative = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
        if not text.strip():
            return f"figure data {relative} is empty"
        if path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".jsonl":
            for line in text.splitlines():
                if line.strip():
                    json.loads(line)
        else:
            list(csv.reader(io.StringIO(text)))
    except (UnicodeDecodeError, ValueError, csv.Error) as exc:
        return f"figure data {relative} does not parse: {exc}"
    return None
