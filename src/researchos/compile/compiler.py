"""``compile_paper``: a PDF or HTML paper in, an ARA with located claims out.

1. read the paper (``pdf_document`` / ``html_document``) under ``CompileLimits``;
2. ask the model (router phase ``compilation``) which passages state claims;
3. keep only grounded proposals (``grounding``) and count the rejected ones;
4. check for reproduction code; plan every file and claim (``writer``);
5. write through ``AraService``: nothing touches the workspace before step 5, and a failure
   in step 5 removes the ARA it created.

Seal hook: ``after`` callables run with the ``CompileResult`` once the ARA is whole —
``researchos compile`` passes Seal L1 there once Seal exists (issue 6, part 1).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from researchos.artifacts.models import AraProvenance, slugify
from researchos.artifacts.service import AraService, Origin
from researchos.compile.document import PaperDocument
from researchos.compile.grounding import Grounding, ground
from researchos.compile.limits import CompileLimits
from researchos.compile.notes import review_notes
from researchos.compile.proposals import PHASE, ClaimProposals, ProposedClaim, chunks, request_for
from researchos.compile.references import code_evidence
from researchos.compile.writer import (
    NO_CODE_FLAG,
    REVIEW_NOTES_PATH,
    STRUCTURE_PATH,
    AraPlan,
    plan_claims,
    plan_files,
    structure,
    write_ara,
)
from researchos.errors import Conflict, InputError
from researchos.providers.router import ProviderRouter

Progress = Callable[[str], None]
# a hook may return a summary; it lands in CompileResult.hooks under the hook's name
AfterCompile = Callable[["CompileResult"], "dict[str, Any] | None"]
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_KINDS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html"}


@dataclass(frozen=True)
class CompileResult:
    slug: str
    title: str
    kind: str
    source: str
    claims: list[str]
    proposed: int
    rejected: list[dict[str, str]]
    sections: int
    figures: int
    tables: int
    references: int
    passages: int
    pages: int | None
    flags: list[str]
    code: list[str]
    mock: bool
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    hooks: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Proposals:
    claims: list[ProposedClaim] = field(default_factory=list)
    routing: list[dict[str, Any]] = field(default_factory=list)
    review: bool = False
    tier: str | None = None


def paper_kind(path: Path) -> str:
    """The paper's kind, "pdf" or "html": from the extension, else from the first bytes."""
    if not path.is_file():
        raise InputError("no such file", file=str(path), fix="give the path of a PDF or HTML file")
    kind = _KINDS.get(path.suffix.lower())
    with path.open("rb") as handle:
        head = handle.read(1024)
    if kind is None:
        kind = "pdf" if b"%PDF-" in head else "html" if b"<" in head.lower() else None
    if kind is None:
        raise InputError(
            "is neither a PDF nor an HTML file",
            file=str(path),
            fix="compile a .pdf, .html or .htm file",
        )
    return kind


def read_paper(path: Path, limits: CompileLimits) -> PaperDocument:
    if paper_kind(path) == "pdf":
        from researchos.compile.pdf_document import read_pdf

        return read_pdf(path, limits)
    from researchos.compile.html_document import read_html

    return read_html(path, limits)


def compile_paper(
    path: Path,
    *,
    aras: AraService,
    router: ProviderRouter,
    slug: str | None = None,
    limits: CompileLimits | None = None,
    progress: Progress | None = None,
    after: Sequence[AfterCompile] = (),
) -> CompileResult:
    """Compile the paper at ``path`` into ARA ``slug`` (created when missing)."""
    started = time.perf_counter()
    limits = limits or CompileLimits()
    say = progress or (lambda _stage: None)
    if slug is not None:
        _check_slug(slug)  # before a large paper is read
    say("reading the paper")
    doc = read_paper(path, limits)
    slug, create = _target(aras, slug or slug_for(doc.title), explicit=slug is not None)
    say("asking the model for claims")
    proposals = _propose(doc, router, slug, limits)
    grounding = ground(doc, proposals.claims)
    say("writing the ARA")
    mock = router.mode == "mock"
    result_fields, plan = _plan(doc, grounding, proposals, mock=mock)
    manifest = _manifest_changes(aras, slug, create, plan, proposals, doc)
    origin = Origin(aras.actor, model_tier=proposals.tier)
    create_args = _create_args(aras, doc, slug, proposals, mock) if create else None
    claim_ids = write_ara(aras, slug, plan, create=create_args, manifest=manifest, origin=origin)
    result = CompileResult(
        slug=slug,
        claims=claim_ids,
        flags=list(manifest["flags"]),
        mock=mock,
        seconds=round(time.perf_counter() - started, 3),
        **result_fields,
    )
    for hook in after:
        outcome = hook(result)
        if outcome is not None:
            result.hooks[getattr(hook, "__name__", "hook")] = outcome
    return result


def slug_for(title: str, limit: int = 48) -> str:
    """A slug from the title, cut at a word boundary."""
    slug = slugify(title)
    if len(slug) <= limit:
        return slug
    cut = slug.rfind("-", 0, limit + 1)
    return slug[: cut if cut > 8 else limit].rstrip("-")


def _check_slug(slug: str) -> None:
    if not _SLUG.fullmatch(slug):
        raise InputError(
            f"{slug!r} is not a valid ARA slug",
            field="--ara",
            fix="use lower-case letters, digits and '-', starting with a letter or digit",
        )


def _target(aras: AraService, slug: str, *, explicit: bool) -> tuple[str, bool]:
    """(slug, create?): a new ARA, or an existing one named with --ara that has no paper yet."""
    _check_slug(slug)
    root = aras.workspace.ara_path(slug)
    if not (root / "ara.yaml").is_file():
        return slug, True
    if not explicit:
        raise Conflict(
            f"an ARA named {slug!r} already exists",
            fix="pass --ara NEW-SLUG to compile into a new ARA, or --ara "
            f"{slug} to add the paper to it",
        )
    if (root / STRUCTURE_PATH).exists():
        raise Conflict(
            f"ARA {slug!r} already holds a compiled paper ({STRUCTURE_PATH})",
            fix="compile into a new ARA with --ara NEW-SLUG",
        )
    return slug, False


def _propose(
    doc: PaperDocument, router: ProviderRouter, slug: str, limits: CompileLimits
) -> _Proposals:
    out = _Proposals()
    for chunk in chunks(doc.passages, limits.chunk_chars):
        remaining = limits.max_claims - len(out.claims)
        if remaining <= 0:
            break
        request = request_for(chunk, title=doc.title, max_claims=remaining)
        response = router.call(PHASE, request, ara=slug)
        out.routing.append(response.routing)
        out.review = out.review or response.needs_human_review
        out.tier = out.tier or response.routing.get("tier")
        if isinstance(response.data, ClaimProposals):
            out.claims.extend(response.data.claims[:remaining])
    return out


def _plan(
    doc: PaperDocument, grounding: Grounding, proposals: _Proposals, *, mock: bool
) -> tuple[dict[str, Any], AraPlan]:
    plan = AraPlan()
    plan_files(doc, plan)
    plan_claims(doc, grounding, plan, mock=mock)
    references = "\n".join(r.text for r in doc.references)
    code = code_evidence(doc.body_text(), doc.links, references)
    plan.flags = [*(["MOCK"] if mock else []), *([] if code else [NO_CODE_FLAG])]
    if proposals.review:
        plan.flags.append("needs_human_review")
    rejected = [r.to_dict() for r in grounding.rejected]
    extra = {
        "code": {"found": code, "flagged": not code},
        "claims": {
            "proposed": len(proposals.claims),
            "accepted": len(grounding.accepted),
            "rejected": rejected,
        },
    }
    plan.add(STRUCTURE_PATH, structure(doc, plan, extra))
    plan.add(REVIEW_NOTES_PATH, review_notes(doc, plan, code, grounding, mock=mock))
    fields = {
        "title": doc.title,
        "kind": doc.kind,
        "source": plan.source_path,
        "proposed": len(proposals.claims),
        "rejected": rejected,
        "sections": len(doc.sections),
        "figures": len(doc.figures),
        "tables": len(doc.tables),
        "references": len(doc.references),
        "passages": sum(1 for p in doc.passages if p.body),
        "pages": doc.page_count,
        "code": code,
        "warnings": doc.warnings,
    }
    return fields, plan


def _create_args(
    aras: AraService, doc: PaperDocument, slug: str, proposals: _Proposals, mock: bool
) -> dict[str, Any]:
    return {
        "title": doc.title[:300] or slug,
        "slug": slug,
        "authors": doc.authors,
        "mode": "mock" if mock else "production",
        "description": f"Compiled from the paper {doc.name}.",
        "tags": ["compiled", doc.kind],
        "provenance": AraProvenance(source="compile", created_by=aras.actor, origin=doc.name),
    }


def _manifest_changes(
    aras: AraService,
    slug: str,
    create: bool,
    plan: AraPlan,
    proposals: _Proposals,
    doc: PaperDocument,
) -> dict[str, Any]:
    """Flags and provenance after the compile: merged into an existing ARA's own."""
    provenance: dict[str, Any]
    if create:
        flags = list(plan.flags)
        provenance = {"source": "compile", "created_by": aras.actor, "origin": doc.name}
    else:
        current = aras.get(slug)
        flags = [*current.flags, *(f for f in plan.flags if f not in current.flags)]
        provenance = current.provenance.model_dump(mode="json")
        provenance["origin"] = provenance.get("origin") or doc.name
    provenance["routing"] = [*provenance.get("routing", []), *proposals.routing]
    return {"flags": flags, "provenance": provenance}
