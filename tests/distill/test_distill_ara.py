"""A distilled session becomes a valid ARA: claims, dead ends, decisions, evidence, provenance;
appending, resuming and failing leave nothing half-written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from researchos.app import App
from researchos.artifacts.service import AraService
from researchos.artifacts.validate import validate_ara
from researchos.distill import Distiller, DistillReport, after_distill, remove_after_distill
from researchos.distill.grounding import normalise
from researchos.errors import Conflict
from researchos.history.git import Git


def git(app: App, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(app.workspace.root), *args], capture_output=True, text=True, check=True
    ).stdout


def evidence_line(app: App, slug: str, path: str, line: int) -> str:
    text = (app.workspace.ara_path(slug) / path).read_text()
    return text.splitlines()[line - 1]


def test_a_session_with_results_and_dead_ends_becomes_a_valid_ara(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    report = distiller.distill(fixtures / "claude-session.jsonl")
    slug = report.ara
    assert validate_ara(app.workspace.ara_path(slug)).ok
    manifest = app.aras.get(slug)
    assert manifest.title == "Churn classifier: impute NaNs, compare SVM and MLP"
    assert (manifest.provenance.source, manifest.provenance.origin) == (
        "distill",
        "claude-session.jsonl",
    )
    assert manifest.mode == "mock" and "MOCK" in manifest.flags
    assert manifest.provenance.routing[0]["phase"] == "distillation"
    assert manifest.provenance.routing[0]["mock"] is True
    claims = app.aras.claims(slug)
    assert len(claims) >= 1 and report.claims == [c.id for c in claims]
    assert all(c.provenance == "ai-suggested" and c.status == "hypothesis" for c in claims)
    assert all("MOCK" in c.flags for c in claims)
    failures = app.aras.traces(slug, "failure")
    assert {f.failure_class for f in failures} >= {"infra"} and len(failures) == 2
    assert app.aras.traces(slug, "decision")
    tree = app.aras.exploration(slug)
    dead_ends = [n for n in tree.nodes if n.kind == "dead_end"]
    assert len(dead_ends) == 2 and all(
        n.hypothesis and n.failure_mode and n.lesson for n in dead_ends
    )
    assert any(n.kind == "pivot" for n in tree.nodes)


def test_every_claim_quotes_its_evidence_at_the_cited_lines(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    report = distiller.distill(fixtures / "codex-rollout.jsonl")
    for claim in app.aras.claims(report.ara):
        assert claim.evidence and claim.numbers
        for ref in claim.evidence:
            assert ref.locator and ref.locator.startswith("L")
            start = int(ref.locator.split("-")[0][1:])
            line = evidence_line(app, report.ara, ref.path, start)
            assert normalise(ref.note or "")[:40].replace('"', "") in normalise(line).replace(
                '\\"', ""
            )
        for number in claim.numbers:
            assert f"{number.value:g}" in claim.statement or str(number.value) in claim.statement


@pytest.mark.parametrize(
    "name", ["codex-rollout.jsonl", "wine-analysis.ipynb", "terminal-session.txt"]
)
def test_each_format_yields_claims_and_a_failure_trace(
    app: App, distiller: Distiller, fixtures: Path, name: str
) -> None:
    report = distiller.distill(fixtures / name)
    assert validate_ara(app.workspace.ara_path(report.ara)).ok
    assert report.claims and any(t.startswith("F") for t in report.traces)
    assert sum(report.rejected.values()) == 0


def test_one_commit_holds_the_whole_distillation(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    before = Git(app.workspace.root).head()
    report = distiller.distill(fixtures / "claude-session.jsonl")
    subjects = git(app, "log", "--format=%s", f"{before}..HEAD", "--", "ara").splitlines()
    assert [s.split("(")[0] for s in subjects] == ["distill.add", "ara.create"]
    changed = git(app, "show", "--name-only", "--format=", "HEAD").split()
    assert f"ara/{report.ara}/{report.evidence}" in changed
    assert f"ara/{report.ara}/traces/failures/F0001.yaml" in changed
    body = git(app, "log", "-1", "--format=%B")
    assert "Researchos-Actor: agent:distiller" in body and "Researchos-Claim: C0001" in body
    assert git(app, "status", "--porcelain").strip() == ""


def test_appending_to_an_ara_continues_its_ids_and_refuses_the_same_session_twice(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    first = distiller.distill(fixtures / "claude-session.jsonl")
    second = distiller.distill(fixtures / "codex-rollout.jsonl", ara=first.ara)
    assert not second.created and second.ara == first.ara
    assert int(second.claims[0][1:]) == len(first.claims) + 1
    manifest = app.aras.get(first.ara)
    assert len(manifest.claims) == len(first.claims) + len(second.claims)
    assert len(manifest.provenance.routing) == 2
    roots = [n for n in app.aras.exploration(first.ara).nodes if n.kind == "question"]
    assert len(roots) == 2
    assert validate_ara(app.workspace.ara_path(first.ara)).ok
    with pytest.raises(Conflict, match="already distilled"):
        distiller.distill(fixtures / "codex-rollout.jsonl", ara=first.ara)


def test_a_failed_write_into_a_new_ara_leaves_no_ara(
    app: App, distiller: Distiller, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = Git(app.workspace.root).head()

    def disk_full(self: AraService, *args: object, **kwargs: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(AraService, "add_claims", disk_full)
    with pytest.raises(OSError, match="No space"):
        distiller.distill(fixtures / "claude-session.jsonl")
    assert not app.workspace.ara_path("session-claude-session").exists()
    assert "ara/session-claude-session" not in git(app, "ls-files")
    events = git(app, "log", "--format=%s", f"{head}..HEAD", "--", "ara").splitlines()
    assert [e.split("(")[0] for e in events] == ["ara.discard", "ara.create"]
    assert git(app, "status", "--porcelain").strip() == ""


def test_a_failed_append_changes_nothing_in_the_ara(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    first = distiller.distill(fixtures / "terminal-session.txt")
    root = app.workspace.ara_path(first.ara)
    stray = root / "claims" / f"C{len(first.claims) + 1:04d}.yaml"  # not listed in ara.yaml
    stray.write_text("left behind by hand\n")
    git(app, "add", str(stray))
    git(app, "commit", "-qm", "stray file")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    head = Git(app.workspace.root).head()
    with pytest.raises(Conflict, match="already exists"):
        distiller.distill(fixtures / "codex-rollout.jsonl", ara=first.ara)
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before and Git(app.workspace.root).head() == head


def test_an_ara_a_crash_left_empty_is_finished_by_the_next_run(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    from researchos.artifacts.models import AraProvenance

    app.aras.create(
        title="interrupted",
        slug="session-claude-session",
        provenance=AraProvenance(source="distill", origin="claude-session.jsonl"),
    )
    report = distiller.distill(fixtures / "claude-session.jsonl")
    assert report.ara == "session-claude-session" and report.created
    assert app.aras.get(report.ara).claims == report.claims


def test_after_distill_hooks_run_with_the_report(
    app: App, distiller: Distiller, fixtures: Path
) -> None:
    seen: list[DistillReport] = []

    def seal_l1(app_: App, report: DistillReport) -> dict[str, object]:
        seen.append(report)
        return {"checked": report.ara}

    def broken(app_: App, report: DistillReport) -> None:
        raise RuntimeError("hook bug")

    after_distill(seal_l1)
    after_distill(broken)
    try:
        report = distiller.distill(fixtures / "terminal-session.txt")
    finally:
        remove_after_distill(seal_l1)
        remove_after_distill(broken)
    assert seen == [report]
    assert report.hooks == {"seal_l1": {"checked": report.ara}, "broken": {"error": "hook bug"}}
    assert app.aras.get(report.ara).claims  # a failing hook undoes nothing
