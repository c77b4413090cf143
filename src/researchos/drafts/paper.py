"""``render_paper``: compile views/paper.md from an ARA, deterministically.

The paper is a view: every result sentence is a claim statement followed by its
``[claim:<id>]`` marker, so it passes the alignment pass by construction. Dead ends come from
failure traces, decisions from decision traces; trace text never sits next to a claim marker
(related claims are named in inline code), so free-text numbers in traces are not held to
claim numbers. Withdrawn and retracted claims are listed by id, never cited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from researchos.artifacts.models import AraManifest, Claim, DecisionTrace, FailureTrace, Trace
from researchos.artifacts.service import AraService

PAPER_PATH = "views/paper.md"
_DEAD = ("withdrawn", "retracted")
_ESTABLISHED = ("supported", "verified")
_NEGATIVE = ("refuted", "weakened")
_OPEN = ("hypothesis", "untested", "testing")


@dataclass(frozen=True)
class AraSnapshot:
    """What a view needs from an ARA, read once."""

    manifest: AraManifest
    claims: tuple[Claim, ...]
    traces: tuple[Trace, ...]
    figures: tuple[str, ...]  # ARA-relative paths of every PNG under evidence/figures/

    @classmethod
    def load(cls, service: AraService, slug: str) -> AraSnapshot:
        root = service.paths(slug).root
        figure_dir = root / "evidence" / "figures"
        figures = sorted(
            p.relative_to(root).as_posix() for p in figure_dir.glob("*.png") if p.is_file()
        )
        traces = sorted(service.traces(slug), key=lambda t: (t.kind, t.id))
        return cls(service.get(slug), tuple(service.claims(slug)), tuple(traces), tuple(figures))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _bullet(claim: Claim) -> str:
    status = "" if claim.status == "supported" else f"*{claim.status}* — "
    return f"- {status}{_one_line(claim.statement)} [claim:{claim.id}]"


def _figure_refs(claims: Iterable[Claim]) -> list[str]:
    refs = [
        ref.path
        for claim in claims
        for ref in claim.evidence
        if ref.kind == "figure" and ref.path.endswith(".png")
    ]
    return list(dict.fromkeys(refs))


def _image(path: str, caption: str) -> str:
    return f"![{caption}](../{path})"


def _is_mock(ara: AraSnapshot) -> bool:
    return ara.manifest.mode == "mock" or any("MOCK" in c.flags for c in ara.claims)


def _header(ara: AraSnapshot) -> list[str]:
    m = ara.manifest
    lines = [f"# {_one_line(m.title)}", ""]
    lines += [
        f"<!-- Compiled by `researchos view {m.slug}` from ara/{m.slug}/. Edit the claims and "
        "traces, then recompile; numbers here are checked against the claims. -->",
        "",
    ]
    if _is_mock(ara):
        lines += [
            "> **MOCK** — produced in mock mode: the experiments ran for real, but the research "
            "direction came from the offline mock provider. Not a research result.",
            "",
        ]
    if m.authors:
        lines += [f"Authors: {', '.join(m.authors)}", ""]
    if m.description.strip():
        lines += [_one_line(m.description), ""]
    return lines


def _summary(ara: AraSnapshot) -> list[str]:
    live = [c for c in ara.claims if c.status not in _DEAD]
    counts: dict[str, int] = {}
    for claim in live:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    failures = sum(1 for t in ara.traces if isinstance(t, FailureTrace))
    return [
        "## Summary",
        "",
        f"This ARA holds {len(live)} live claims ({parts or 'none'}) and {failures} recorded "
        "dead ends. Each result below is a claim statement followed by its claim id.",
        "",
    ]


def _results(ara: AraSnapshot) -> list[str]:
    positive = [c for c in ara.claims if c.kind != "null_result" and c.status in _ESTABLISHED]
    metrics = list(dict.fromkeys(str(c.conditions["metric"]) for c in positive if _metric(c)))
    lines = ["## Results", ""]
    for metric in metrics:
        group = [c for c in positive if _metric(c) == metric]
        lines += [f"### `{metric}`", ""]
        for path in _figure_refs(group):
            lines += [_image(path, f"{metric}: condition means with confidence intervals"), ""]
        comparisons = [c for c in group if c.kind == "comparison"]
        others = [c for c in group if c.kind != "comparison"]
        lines += [_bullet(c) for c in comparisons + others] + [""]
    rest = [c for c in positive if not _metric(c)]
    if rest:
        lines += ["### Other findings", "", *(_bullet(c) for c in rest), ""]
    if not positive:
        lines += ["No supported results yet.", ""]
    return lines


def _metric(claim: Claim) -> str | None:
    value = claim.conditions.get("metric")
    return str(value) if value is not None else None


def _negative(ara: AraSnapshot) -> list[str]:
    chosen = [
        c
        for c in ara.claims
        if (c.kind == "null_result" and c.status in _ESTABLISHED) or c.status in _NEGATIVE
    ]
    if not chosen:
        return []
    lines = ["## Null and negative results", ""]
    lines += [_bullet(c) for c in chosen] + [""]
    return lines


def _open(ara: AraSnapshot) -> list[str]:
    chosen = [c for c in ara.claims if c.status in _OPEN]
    if not chosen:
        return []
    lines = ["## Open and untested claims", ""]
    lines += [_bullet(c) for c in chosen] + [""]
    return lines


def _dead_ends(ara: AraSnapshot) -> list[str]:
    lines = ["## Dead ends", ""]
    failures = [t for t in ara.traces if isinstance(t, FailureTrace)]
    if not failures:
        return [*lines, "No failure traces recorded.", ""]
    for trace in failures:
        text = (
            f"- **{_one_line(trace.title)}** (`{trace.id}`, {trace.failure_class}). "
            f"Tried: {_one_line(trace.tried)} Why it failed: {_one_line(trace.why_failed)}"
        )
        if trace.lesson:
            text += f" Lesson: {_one_line(trace.lesson)}"
        if trace.claims:
            text += f" Related claims: {', '.join(f'`{c}`' for c in trace.claims)}."
        lines.append(text)
    return [*lines, ""]


def _decisions(ara: AraSnapshot) -> list[str]:
    decisions = [t for t in ara.traces if isinstance(t, DecisionTrace)]
    if not decisions:
        return []
    lines = ["## Decisions", ""]
    for trace in decisions:
        lines.append(
            f"- **{_one_line(trace.title)}** (`{trace.id}`): {_one_line(trace.decision)} "
            f"Rationale: {_one_line(trace.rationale)}"
        )
    return [*lines, ""]


def _evidence(ara: AraSnapshot) -> list[str]:
    shown = set(_figure_refs(ara.claims))
    extra = [p for p in ara.figures if p not in shown]
    refs = {ref.path: ref.sha256 for c in ara.claims for ref in c.evidence}
    lines: list[str] = []
    if extra:
        lines += ["## Other figures", ""]
        for path in extra:
            lines += [_image(path, Path(path).stem), ""]
    if refs:
        lines += ["## Evidence", "", "| file | sha256 |", "|---|---|"]
        lines += [f"| `{path}` | `{sha[:16]}` |" for path, sha in sorted(refs.items())]
        lines.append("")
    return lines


def _withdrawn(ara: AraSnapshot) -> list[str]:
    dead = [c for c in ara.claims if c.status in _DEAD]
    if not dead:
        return []
    lines = ["## Withdrawn and retracted claims", ""]
    lines += [f"- `{c.id}` ({c.status}): not cited; see the claim file." for c in dead]
    return [*lines, ""]


def render_paper(ara: AraSnapshot) -> str:
    """The whole paper as Markdown; the same ARA always gives the same text."""
    sections = [
        _header(ara),
        _summary(ara),
        _results(ara),
        _negative(ara),
        _open(ara),
        _dead_ends(ara),
        _decisions(ara),
        _withdrawn(ara),
        _evidence(ara),
    ]
    text = "\n".join(line for section in sections for line in section)
    return text.rstrip("\n") + "\n"
