"""Stages ``review`` and ``package``: P0-P3 issues from deterministic checks and the review
model (open P0/P1 block the freeze; a human gate follows), then the signed package."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from researchos.artifacts.service import Origin
from researchos.artifacts.validate import validate_ara
from researchos.drafts import PAPER_PATH, AraSnapshot, check_alignment
from researchos.pipeline import approvals, issues
from researchos.pipeline.answers import ReviewAnswer
from researchos.pipeline.experiment import SPECS_DIR, registered_spec, succeeded_runs
from researchos.pipeline.issues import Finding
from researchos.pipeline.modelcalls import ask, routing_summary
from researchos.pipeline.stages import StageContext, stage
from researchos.store import research

REVIEWER = Origin("agent:reviewer")
SOURCES = {"alignment", "evidence", "runs", "deviation", "model", "mode"}
MOCK_QUALITY_CAP = 60


def _deterministic(ctx: StageContext) -> list[Finding]:
    root = ctx.app.aras.paths(ctx.slug).root
    found: list[Finding] = []
    snapshot = AraSnapshot.load(ctx.app.aras, ctx.slug)
    paper = root / PAPER_PATH
    if paper.exists():
        for issue in check_alignment(paper.read_text("utf-8"), snapshot.claims):
            found.append(
                Finding(
                    issue.severity,
                    "alignment",
                    f"{issue.reason}: {issue.text[:160]}",
                    f"{PAPER_PATH}:L{issue.line}",
                )
            )
    else:
        found.append(Finding("P0", "alignment", "there is no draft (views/paper.md)"))
    for problem in validate_ara(root).problems:
        found.append(
            Finding("P0", "evidence", problem.message, f"{problem.file}:{problem.field or ''}")
        )
    found += _run_findings(ctx) + _deviation_findings(ctx, root)
    if ctx.project.mode == "mock":
        found.append(
            Finding(
                "P3",
                "mode",
                "mock mode: the numbers were measured by built-in "
                "kits; ideas and prose came from the mock provider",
            )
        )
    return found


def _run_findings(ctx: StageContext) -> list[Finding]:
    spec = registered_spec(ctx)
    done = succeeded_runs(ctx, spec.id)
    missing = [pair for pair in spec.runs() if pair not in done]
    found = []
    if missing:
        found.append(
            Finding(
                "P1",
                "runs",
                f"{len(missing)} of {len(spec.runs())} planned runs "
                f"have no valid result: {missing[:5]}",
            )
        )
    with ctx.app.database.session() as session:
        failed = [
            r
            for r in research.list_runs(session, project_id=ctx.project.id)
            if r.result_class != "succeeded_valid"
        ]
    if failed:
        found.append(
            Finding(
                "P3",
                "runs",
                f"{len(failed)} run attempt(s) failed before a "
                "valid result (kept as failure traces / records)",
            )
        )
    return found


def _deviation_findings(ctx: StageContext, root: Any) -> list[Finding]:
    spec = registered_spec(ctx)
    with ctx.app.database.session() as session:
        registered = research.list_specs(session, project_id=ctx.project.id)[0].sha256
    found = []
    if spec.digest() != registered:
        found.append(
            Finding(
                "P1", "deviation", "the spec in the store no longer matches its pre-registered hash"
            )
        )
    document = root / SPECS_DIR / f"{spec.id}.json"
    if not document.exists():
        found.append(
            Finding(
                "P1",
                "deviation",
                f"the pre-registered spec file {SPECS_DIR}/{spec.id}.json is missing",
            )
        )
    else:
        data = json.loads(document.read_text("utf-8"))
        canonical = json.dumps(data.get("spec"), sort_keys=True, separators=(",", ":"))
        if hashlib.sha256(canonical.encode()).hexdigest() != registered:
            found.append(
                Finding(
                    "P1",
                    "deviation",
                    f"{SPECS_DIR}/{spec.id}.json was changed after pre-registration",
                )
            )
    return found


def readiness(ctx: StageContext) -> dict[str, Any]:
    """The draft's readiness tier and a quality score (capped when inputs are mock)."""
    open_issues = [
        i
        for i in issues.list_issues(ctx.app, project_id=ctx.project.id)
        if i.status in ("open", "reopened")
    ]
    count = {sev: sum(i.severity == sev for i in open_issues) for sev in ("P0", "P1", "P2", "P3")}
    score = max(0, 100 - 30 * count["P0"] - 15 * count["P1"] - 5 * count["P2"] - count["P3"])
    mock = ctx.project.mode == "mock"
    if mock:
        score = min(score, MOCK_QUALITY_CAP)
    if count["P0"] or count["P1"]:
        tier = "blocked"
    elif count["P2"]:
        tier = "draft"
    elif mock:
        tier = "mock-demo"
    else:
        sealed = ctx.app.aras.get(ctx.slug).status == "sealed"
        tier = "submission-candidate" if sealed else "internal"
    return {"tier": tier, "quality_score": score, "open": count, "mock_capped": mock}


@stage("review", order=90, gate_after="pre_package_freeze")
def review(ctx: StageContext) -> dict[str, Any]:
    """Deterministic checks plus the review model; records P0-P3 issues and readiness."""
    findings = _deterministic(ctx)
    paper = ctx.app.aras.paths(ctx.slug).root / PAPER_PATH
    response = ask(
        ctx,
        "review",
        "Review this draft against its claims. Raise P0-P3 issues "
        "(P0: false or unsupported; P1: misleading; P2: weak; P3: style).\n\n"
        + (paper.read_text("utf-8") if paper.exists() else "(no draft)"),
        schema=ReviewAnswer,
        context={"findings": [f.__dict__ for f in findings], "mode": ctx.project.mode},
    )
    assert isinstance(response.data, ReviewAnswer)
    findings += [
        Finding(f.severity, "model", f.message, f.location) for f in response.data.findings
    ]
    issues.record_findings(ctx.app, project_id=ctx.project.id, findings=findings)
    issues.resolve_missing(ctx.app, project_id=ctx.project.id, findings=findings, sources=SOURCES)
    ready = readiness(ctx)
    _write_report(ctx, ready)
    blockers = issues.freeze_blockers(ctx.app, project_id=ctx.project.id)
    return {
        "summary": f"Review: readiness {ready['tier']} (quality {ready['quality_score']}"
        f"/100); open issues {ready['open']}; "
        f"{len(blockers)} blocker(s) for the freeze",
        "readiness": ready,
        "blockers": blockers,
        "routing": routing_summary(response),
    }


def _write_report(ctx: StageContext, ready: dict[str, Any]) -> None:
    rows = [
        f"| {i.issue_id} | {i.severity} | {i.status} | {i.source} | {i.message.replace('|', '/')} |"
        for i in issues.list_issues(ctx.app, project_id=ctx.project.id)
    ]
    text = "\n".join(
        [
            f"# Review of {ctx.slug}",
            "",
            f"Readiness tier: **{ready['tier']}** — quality score "
            f"{ready['quality_score']}/100"
            + (" (capped: mock inputs)" if ready["mock_capped"] else ""),
            "",
            "| id | severity | status | source | message |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    ctx.app.aras.write_files(
        ctx.slug,
        {"views/review.md": text},
        event="review.report",
        summary=f"review report: readiness {ready['tier']}",
        origin=REVIEWER,
    )


@stage("package", order=100)
def freeze_package(ctx: StageContext) -> dict[str, Any]:
    """Freeze the signed package (refused while P0/P1 are open or approvals pending)."""
    blockers = issues.freeze_blockers(
        ctx.app,
        project_id=ctx.project.id,
        allow_waived_p2=bool(ctx.project.options.get("allow_waived_p2")),
    )
    blockers += [
        f"approval {a.id} for gate {a.gate} is pending"
        for a in approvals.pending_for_project(ctx.app, project_id=ctx.project.id)
    ]
    extra = _extra(ctx)
    frozen = ctx.app.packages.freeze(
        ctx.slug, extra=extra, blockers=blockers, origin=Origin("agent:packager")
    )
    report = ctx.app.packages.verify(frozen.zip_path)
    return {
        "summary": f"package {frozen.name} frozen and "
        f"{'verified' if report.ok else 'NOT verified'}",
        "zip": str(frozen.zip_path),
        "version": frozen.version,
        "verified": report.ok,
        "manifest_sha256": frozen.manifest_sha256,
        "fingerprint": frozen.fingerprint,
        "mock": frozen.mock,
    }


def _extra(ctx: StageContext) -> dict[str, Any]:
    spec = registered_spec(ctx)
    runs = succeeded_runs(ctx, spec.id)
    routing = [
        r
        for name in ("ideas", "funnel", "draft", "review")
        if (r := (ctx.outputs.get(name) or {}).get("routing"))
    ]
    routing += list((ctx.outputs.get("code") or {}).get("routing") or [])
    records = {key: ctx.app.runs.get(run.run_id) for key, run in runs.items()}
    return {
        "model_policy": ctx.app.router.policy.to_dict(),
        "routing": routing,
        "code_hashes": {spec.id: (ctx.outputs.get("code") or {}).get("code_hash", "")},
        "seeds": list(spec.seeds),
        "runs": [
            {
                "id": record.id,
                "condition": cond,
                "seed": seed,
                "code_hash": record.code_hash,
                "status": "succeeded_valid",
                "started": record.started,
                "ended": record.finished,
                "environment": record.environment,
                "limits": record.limits,
                "artifacts_dir": ctx.app.runs.run_dir(record.id) / "work",
            }
            for (cond, seed), record in sorted(records.items())
        ],
        "mock": ctx.project.mode == "mock",
        "project": ctx.project.id,
        "review": (ctx.outputs.get("review") or {}).get("readiness", {}),
    }
