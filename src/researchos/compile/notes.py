"""``views/review-notes.md``: what a reviewer of a compiled paper must know first."""

from __future__ import annotations

from researchos.compile.document import PaperDocument
from researchos.compile.grounding import Grounding
from researchos.compile.writer import NO_CODE_FLAG, STRUCTURE_PATH, AraPlan


def review_notes(
    doc: PaperDocument, plan: AraPlan, code: list[str], grounding: Grounding, *, mock: bool
) -> str:
    lines = [
        f"# Review notes: {doc.title}",
        "",
        f"Compiled from `{doc.name}` ({doc.kind.upper()}"
        + (f", {doc.page_count} pages" if doc.page_count else "")
        + f"). Structure: `{STRUCTURE_PATH}`.",
        "",
    ]
    if mock:
        lines += ["**MOCK**: the claims were proposed by the deterministic mock model.", ""]
    lines += ["## Reproduction code", ""]
    if code:
        lines += ["The paper points at code:", "", *[f"- {item}" for item in code], ""]
    else:
        lines += [
            f"**Flag `{NO_CODE_FLAG}`**: the paper links no code repository (GitHub, GitLab, "
            "Zenodo, ...) and states no code availability. Its claims cannot be reproduced "
            "(Seal L3) until code is added under `code/`.",
            "",
        ]
    lines += [
        "## Claims",
        "",
        f"{len(grounding.accepted)} claims kept as `hypothesis` (provenance `ai-suggested`); "
        f"{len(grounding.rejected)} proposals rejected by the grounding check.",
        "",
    ]
    for rejection in grounding.rejected[:20]:
        lines.append(f"- rejected `{rejection.passage}`: {rejection.reason}")
    if doc.warnings:
        lines += ["", "## Extraction warnings", "", *[f"- {w}" for w in doc.warnings[:20]]]
    return "\n".join(lines).rstrip() + "\n"
