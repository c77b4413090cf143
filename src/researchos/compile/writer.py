"""Turning a compiled paper into ARA files and claims, and writing them through AraService.

Files (all inside the ARA, each pinned by sha256 where a claim cites it):

- ``evidence/raw/<paper>.pdf`` — the paper, byte for byte (HTML: the sanitized copy, with the
  original's sha256 in ``structure.json``);
- ``evidence/raw/text/<unit>.txt`` — the extracted text of each page (PDF) or section (HTML);
- ``evidence/raw/structure.json`` — sections, figures, tables, references, links, the code
  check, the grounding tally and extraction warnings;
- ``evidence/figures/`` — figure images and one CSV per table;
- ``views/review-notes.md`` — what a reviewer must know (no code found, rejected proposals).

The writes: ``create`` (a new ARA), one ``compile.add`` commit with every file and claim, one
``compile.flag`` commit for flags and provenance. If anything after ``create`` fails, the new
ARA is removed again (``compile.abort``): a failed compile leaves no half-written ARA.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from researchos.artifacts.service import AraService, Origin
from researchos.compile.document import (
    FIGURE_DIR,
    Box,
    PaperDocument,
    Passage,
    format_box,
)
from researchos.compile.grounding import GroundedClaim, Grounding, locate, numbers_in
from researchos.compile.tables import to_csv
from researchos.compile.text import normalize
from researchos.files import iter_files, sha256_bytes
from researchos.history.changes import content_change
from researchos.history.commits import ChangeMeta
from researchos.store import index

log = logging.getLogger(__name__)
STRUCTURE_PATH = "evidence/raw/structure.json"
REVIEW_NOTES_PATH = "views/review-notes.md"
NO_CODE_FLAG = "no_reproduction_code"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_REPORTED_NUMBERS = 5000
_MENTION = re.compile(r"\b(Fig(?:ure)?s?\.?|Tab(?:le)?s?\.?)\s*(\d+)", re.IGNORECASE)


@dataclass
class AraPlan:
    """Everything to write, decided before the workspace is touched."""

    files: dict[str, bytes] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    source_path: str = ""

    def add(self, path: str, data: bytes | str) -> str:
        """Queue a file; returns its sha256."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.files[path] = raw
        return sha256_bytes(raw)


def source_name(doc: PaperDocument) -> str:
    stem = _SAFE.sub("_", doc.name.rsplit(".", 1)[0]).strip("._-")[:80] or "paper"
    return f"evidence/raw/{stem}.{doc.kind}"


def plan_files(doc: PaperDocument, plan: AraPlan) -> None:
    plan.source_path = source_name(doc)
    plan.add(plan.source_path, doc.source_copy)
    for unit in doc.units:
        plan.add(unit.path, unit.text)
    for image in doc.images:
        plan.add(f"{FIGURE_DIR}/{image.name}", image.data)
    for table in doc.tables:
        if table.rows:
            plan.add(f"{FIGURE_DIR}/{table.csv_name}", to_csv(table.rows))


def plan_claims(doc: PaperDocument, grounding: Grounding, plan: AraPlan, *, mock: bool) -> None:
    for grounded in grounding.accepted:
        plan.claims.append(_claim(doc, grounded, plan, mock=mock))


def _claim(doc: PaperDocument, grounded: GroundedClaim, plan: AraPlan, *, mock: bool) -> dict:
    proposal = grounded.proposal
    unit = doc.unit(grounded.unit)
    text_sha = sha256_bytes(unit.text.encode("utf-8"))
    evidence = [
        {
            "path": plan.source_path,
            "sha256": sha256_bytes(plan.files[plan.source_path]),
            "locator": _source_locator(grounded.passages),
            "kind": f"{doc.kind}_passage",
            "note": f"{grounded.passages[0].section}: quoted passage",
        },
        {
            "path": unit.path,
            "sha256": text_sha,
            "locator": f"chars={grounded.start}-{grounded.end}",
            "kind": "text_passage",
        },
        *_mentioned(doc, unit.text[grounded.start : grounded.end], plan),
    ]
    numbers = [
        {
            "value": span.number.value,
            "unit": span.number.unit,
            "metric": span.number.metric,
            "source": f"{unit.path}#chars={span.start}-{span.end}",
        }
        for span in grounded.numbers
    ]
    return {
        "statement": normalize(proposal.statement),
        "kind": proposal.kind,
        "status": "hypothesis",
        "provenance": "ai-suggested",
        "conditions": {c.key: c.value for c in proposal.conditions if c.key.strip()},
        "sources": [f"paper:{doc.name}"],
        "tags": ["compiled"],
        "evidence": evidence,
        "numbers": numbers,
        "flags": ["MOCK"] if mock else [],
    }


def _source_locator(run: Sequence[Passage]) -> str:
    first, last = run[0], run[-1]
    if first.selector is not None and first.element_span and last.element_span:
        if all(p.selector == first.selector for p in run):
            a, b = first.element_span[0], last.element_span[1]
            return f"selector={first.selector};chars={a}-{b}"
        return first.source_locator()
    boxes = [p.bbox for p in run if p.bbox is not None]
    if boxes and len(boxes) == len(run):
        return f"page={first.page};bbox={format_box(_union(boxes))}"
    return f"page={first.page};chars={first.start}-{last.end}"


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _mentioned(doc: PaperDocument, text: str, plan: AraPlan) -> list[dict[str, Any]]:
    """Evidence refs for the figures and tables the quoted passage names ("Table 2")."""
    refs: list[dict[str, Any]] = []
    for match in _MENTION.finditer(normalize(text)):
        number = int(match.group(2))
        if match.group(1).lower().startswith("fig"):
            figure = next((f for f in doc.figures if f.id == f"fig-{number}"), None)
            paths = [f"{FIGURE_DIR}/{name}" for name in figure.images] if figure else []
            kind, label = "figure", figure.label if figure else ""
        else:
            table = next((t for t in doc.tables if t.id == f"table-{number}" and t.rows), None)
            paths = [f"{FIGURE_DIR}/{table.csv_name}"] if table else []
            kind, label = "table", table.label if table else ""
        for path in paths:
            if path in plan.files and all(r["path"] != path for r in refs):
                sha = sha256_bytes(plan.files[path])
                refs.append({"path": path, "sha256": sha, "kind": kind, "note": label})
    return refs


def write_ara(
    aras: AraService,
    slug: str,
    plan: AraPlan,
    *,
    create: Mapping[str, Any] | None,
    manifest: Mapping[str, Any],
    origin: Origin,
) -> list[str]:
    """Create (when ``create`` is given) and fill the ARA; undo the creation on failure.

    Returns the ids of the claims added.
    """
    if create is not None:
        aras.create(**create)
    try:
        claims = aras.add_claims(
            slug,
            plan.claims,
            files=plan.files,
            event="compile.add",
            summary=f"compile {plan.source_path.rsplit('/', 1)[-1]}: {len(plan.claims)} claims, "
            f"{len(plan.files)} files",
            origin=origin,
        )
        aras.update_manifest(
            slug,
            manifest,
            event="compile.flag",
            summary=f"flags: {', '.join(manifest.get('flags', [])) or 'none'}",
            origin=origin,
        )
    except BaseException:
        if create is not None:
            discard(aras, slug)
        raise
    return [claim.id for claim in claims]


def discard(aras: AraService, slug: str) -> None:
    """Remove an ARA this compile created (one ``compile.abort`` commit) and re-index."""
    workspace = aras.workspace
    root = workspace.ara_path(slug)
    meta = ChangeMeta(
        event="compile.abort",
        scope=slug,
        summary=f"remove ARA {slug!r}: its compile failed",
        actor=aras.actor,
    )
    try:
        with content_change(workspace.root, workspace.var_dir, meta, ara=slug) as cs:
            for path in list(iter_files(root)):
                cs.delete(path)
        shutil.rmtree(root, ignore_errors=True)
        if aras.database is not None:
            with aras.database.session() as session:
                index.reindex(session, workspace.ara_dir)
    except Exception:  # the original error matters more; say how to finish the clean-up
        log.exception(
            "could not remove the half-compiled ARA %s; delete ara/%s by hand", slug, slug
        )


def structure(doc: PaperDocument, plan: AraPlan, extra: Mapping[str, Any]) -> str:
    """``evidence/raw/structure.json``: the compiled shape of the paper."""
    data = {
        "format_version": 1,
        "title": doc.title,
        "authors": doc.authors,
        "source": {
            "kind": doc.kind,
            "name": doc.name,
            "path": plan.source_path,
            "sha256": sha256_bytes(plan.files[plan.source_path]),
            "original_sha256": doc.original_sha256,
            "sanitized": doc.kind == "html",
        },
        "pages": doc.page_count,
        "units": [
            {"key": u.key, "label": u.label, "path": u.path, "page": u.page} for u in doc.units
        ],
        "sections": [s.to_dict() for s in doc.sections],
        "figures": [_figure(f, plan) for f in doc.figures],
        "tables": [_table(t, plan) for t in doc.tables],
        "references": [{"id": r.id, "label": r.label, "text": r.text} for r in doc.references],
        "links": doc.links,
        "passages": sum(1 for p in doc.passages if p.body),
        "numbers": reported_numbers(doc),
        **extra,
        "warnings": doc.warnings,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def reported_numbers(doc: PaperDocument) -> list[dict[str, Any]]:
    """Every number the body text reports, with where it is and the sentence around it."""
    found: list[dict[str, Any]] = []
    for passage in doc.passages:
        if not passage.body:
            continue
        unit = doc.unit(passage.unit)
        for number in numbers_in(passage.text):
            start, end = locate(number.raw, passage.text, passage.start)
            found.append(
                {
                    "value": number.value,
                    "text": number.raw,
                    "percent": number.percent,
                    "passage": passage.id,
                    "section": passage.section,
                    "source": f"{unit.path}#chars={start}-{end}",
                    "context": normalize(passage.text)[:300],
                }
            )
            if len(found) >= MAX_REPORTED_NUMBERS:
                return found
    return found


def _figure(figure: Any, plan: AraPlan) -> dict[str, Any]:
    images = []
    for name in figure.images:
        path = f"{FIGURE_DIR}/{name}"
        images.append({"path": path, "sha256": sha256_bytes(plan.files[path])})
    return {
        "id": figure.id,
        "label": figure.label,
        "caption": figure.caption,
        "locator": figure.locator,
        "page": figure.page,
        "images": images,
        "remote_images": list(figure.remote),
    }


def _table(table: Any, plan: AraPlan) -> dict[str, Any]:
    path = f"{FIGURE_DIR}/{table.csv_name}"
    csv = {"path": path, "sha256": sha256_bytes(plan.files[path])} if path in plan.files else None
    return {
        "id": table.id,
        "label": table.label,
        "caption": table.caption,
        "locator": table.locator,
        "page": table.page,
        "csv": csv,
        "rows": len(table.rows),
    }
