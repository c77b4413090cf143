"""Run, show and compare agent-run matrices.

A matrix run: validate the experiment, seed the fixtures' knowledge, build the static briefs,
then run every cell (fixture × condition × agent × repeat) on a local pool, storing each cell
as it finishes. At the end: aggregates with CIs, policy candidates, the report with figures
under ``var/matrices/<id>/``, and, when asked, the claims in an ARA.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from researchos.agentruns import AgentRunService
from researchos.artifacts.service import AraService
from researchos.errors import InputError, NotFound, ResearchOSError
from researchos.files import sha256_file
from researchos.knowledge.api import build_work_brief
from researchos.knowledge.page import render_page
from researchos.knowledge.service import KnowledgeBase
from researchos.matrix import catalog
from researchos.matrix.cell import CellContext, CellPlan, ChannelFactory, run_cell
from researchos.matrix.experiment import Experiment, check_agent_commands, load_experiment
from researchos.matrix.metrics import aggregate
from researchos.matrix.policy import policy_candidates
from researchos.runs.service import RunService
from researchos.sandbox import Sandbox
from researchos.store import matrices as store
from researchos.store.database import Database
from researchos.workspace import Workspace

Progress = Callable[[int, int, str], None]


def _now() -> datetime:
    return datetime.now(UTC)


def new_matrix_id() -> str:
    return f"mx-{_now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class MatrixDeps:
    workspace: Workspace
    database: Database
    runs: RunService
    protocol: AgentRunService
    knowledge: Callable[[], KnowledgeBase]
    aras: Callable[[], AraService]
    channel: ChannelFactory
    workers: int


class MatrixService:
    def __init__(self, deps: MatrixDeps) -> None:
        self.deps = deps

    # --- running ---------------------------------------------------------------------------

    def load(self, reference: str) -> tuple[Experiment, Path]:
        path = catalog.experiment_path(reference)
        return load_experiment(path, display=path.name), path

    def plan(self, experiment: Experiment, path: Path, matrix_id: str) -> list[CellPlan]:
        base = None if path.parent == catalog.EXPERIMENTS_DIR else path.parent
        fixtures = [
            catalog.load_fixture(ref, base=base, display=path.name) for ref in experiment.fixtures
        ]
        return [
            CellPlan(matrix_id, fixture, condition, agent, repeat, experiment.seed + repeat)
            for fixture in fixtures
            for condition in experiment.conditions
            for agent in experiment.agents
            for repeat in range(experiment.repeats)
        ]

    def check(self, reference: str) -> Experiment:
        """Everything ``run`` refuses before its first cell (the file and its fields, agent
        commands, the sandbox, the fixtures), without running anything."""
        return self._prepare(reference, new_matrix_id())[0]

    def _prepare(
        self, reference: str, matrix_id: str
    ) -> tuple[Experiment, Path, set[str], list[CellPlan]]:
        experiment, path = self.load(reference)
        allowed = check_agent_commands(
            experiment,
            self.deps.runs.sandbox.config.options.interactive_binaries,
            display=path.name,
        )
        for runner in {None, *(agent.runner for agent in experiment.agents)}:
            self.deps.runs.sandbox.resolve(runner)  # no working sandbox: fail before any cell
        return experiment, path, allowed, self.plan(experiment, path, matrix_id)

    def run(
        self,
        reference: str,
        *,
        ara: str | None = None,
        workers: int | None = None,
        progress: Progress | None = None,
        matrix_id: str | None = None,
    ) -> dict[str, Any]:
        """``matrix_id`` (from ``new_matrix_id``) lets a caller that runs this in the
        background name the matrix before it exists."""
        matrix_id = matrix_id or new_matrix_id()
        experiment, path, allowed, plans = self._prepare(reference, matrix_id)
        context = self._context(experiment, plans, allowed, matrix_id)
        self._save(matrix_id, experiment, path, status="running", total=len(plans))
        try:
            done = self._run_cells(plans, context, workers or experiment.workers, progress)
        except BaseException as exc:
            self._finish(matrix_id, status="failed", error=str(exc) or type(exc).__name__)
            raise
        finally:
            shutil.rmtree(context.scratch, ignore_errors=True)
        summary = self.summarise(matrix_id)
        self._finish(matrix_id, status="finished", summary=summary, done=done)
        slug = ara or experiment.ara
        if slug:
            from researchos.matrix.ara import write_matrix_ara

            write_matrix_ara(self, matrix_id, slug)
        from researchos.matrix.report import write_report

        write_report(self, matrix_id)
        return self.show(matrix_id)

    def _context(
        self, experiment: Experiment, plans: list[CellPlan], allowed: set[str], matrix_id: str
    ) -> CellContext:
        kb = self.deps.knowledge()
        fixtures = {p.fixture.name: p.fixture for p in plans}
        for fixture in fixtures.values():
            catalog.seed_knowledge(kb, fixture)
        statics = {}
        if any(c.brief == "static" for c in experiment.conditions):
            statics = {name: self._static_brief(kb, f, experiment) for name, f in fixtures.items()}
        return CellContext(
            experiment=experiment,
            agent_runs_service=self._agent_runs_service(allowed),
            oracle_runs=self.deps.runs,
            protocol=self.deps.protocol,
            channel=self.deps.channel,
            static_briefs=statics,
            scratch=self.matrix_dir(matrix_id) / "scratch",
        )

    def _agent_runs_service(self, allowed: set[str]) -> RunService:
        """The run service agents get: the configured one, minus the allow-listed binaries."""
        runs = self.deps.runs
        if not allowed:
            return runs
        options = runs.sandbox.config.options
        kept = tuple(b for b in options.interactive_binaries if b.lower() not in allowed)
        config = replace(runs.sandbox.config, options=replace(options, interactive_binaries=kept))
        return RunService(
            workspace=runs.workspace,
            database=runs.database,
            sandbox=Sandbox(config),
            environments=runs.environments,
            actor=runs.actor,
        )

    def _static_brief(
        self, kb: KnowledgeBase, fixture: catalog.Fixture, experiment: Experiment
    ) -> dict[str, Any]:
        brief = build_work_brief(
            kb, task=fixture.spec.task, repo=fixture.repo, token_budget=experiment.token_budget
        )
        brief = brief.model_copy(
            update={"repo": brief.repo.model_copy(update={"path": "/sandbox/work"})}
        )
        brief_id = self.deps.protocol.store_brief(brief, repo="/sandbox/work")
        must_load = brief.presentation_contract.must_load
        return {
            "brief_id": brief_id,
            "brief": brief.model_dump(mode="json"),
            "pages": {pid: render_page(kb.get(pid)) for pid in must_load},
        }

    def _run_cells(
        self,
        plans: list[CellPlan],
        context: CellContext,
        workers: int | None,
        progress: Progress | None,
    ) -> int:
        size = max(1, min(workers or self.deps.workers, len(plans)))
        done = 0
        with ThreadPoolExecutor(max_workers=size, thread_name_prefix="matrix") as pool:
            futures = {pool.submit(self._one, plan, context): plan for plan in plans}
            for future in as_completed(futures):
                future.result()
                done += 1
                with self.deps.database.session() as session:
                    store.save_matrix(
                        session, matrix={"id": plans[0].matrix_id, "cells_done": done}
                    )
                if progress:
                    progress(done, len(plans), futures[future].cell)
        return done

    def _one(self, plan: CellPlan, context: CellContext) -> None:
        try:
            row = run_cell(plan, context)
        except ResearchOSError as exc:
            row = {
                "matrix_id": plan.matrix_id,
                "cell": plan.cell,
                "fixture": plan.fixture.name,
                "condition": plan.condition.name,
                "agent": plan.agent.name,
                "repeat": plan.repeat,
                "status": "error",
                "metrics": {},
                "detail": {"error": str(exc)},
            }
        with self.deps.database.session() as session:
            store.save_cell(session, cell=row)

    # --- records ---------------------------------------------------------------------------

    def matrix_dir(self, matrix_id: str) -> Path:
        return self.deps.workspace.var_dir / "matrices" / matrix_id

    def _save(
        self, matrix_id: str, experiment: Experiment, path: Path, *, status: str, total: int
    ) -> None:
        with self.deps.database.session() as session:
            store.save_matrix(
                session,
                matrix={
                    "id": matrix_id,
                    "name": experiment.name,
                    "experiment_sha256": sha256_file(path),
                    "status": status,
                    "created": _now(),
                    "cells_total": total,
                    "cells_done": 0,
                    "experiment": {**experiment.model_dump(mode="json"), "pid": os.getpid()},
                    "summary": {},
                },
            )

    def _finish(
        self,
        matrix_id: str,
        *,
        status: str,
        summary: dict[str, Any] | None = None,
        error: str | None = None,
        done: int | None = None,
    ) -> None:
        changes: dict[str, Any] = {
            "id": matrix_id,
            "status": status,
            "finished": _now(),
            "error": error,
        }
        if summary is not None:
            changes["summary"] = summary
        if done is not None:
            changes["cells_done"] = done
        with self.deps.database.session() as session:
            store.save_matrix(session, matrix=changes)

    def resolve(self, matrix_id: str) -> str:
        with self.deps.database.session() as session:
            if store.get_matrix(session, matrix_id=matrix_id) is not None:
                return matrix_id
            found = store.find_matrix_ids(session, prefix=matrix_id)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(f"matrix id prefix {matrix_id!r} is ambiguous", field="matrix")
        raise NotFound(f"no matrix {matrix_id!r}", fix="see `researchos matrix ls`")

    def cells(self, matrix_id: str) -> list[dict[str, Any]]:
        with self.deps.database.session() as session:
            return store.list_cells(session, matrix_id=self.resolve(matrix_id))

    def summarise(self, matrix_id: str) -> dict[str, Any]:
        matrix_id = self.resolve(matrix_id)
        cells = self.cells(matrix_id)
        with self.deps.database.session() as session:
            row = store.get_matrix(session, matrix_id=matrix_id)
        assert row is not None
        baseline = row["experiment"]["conditions"][0]["name"]
        return {
            "baseline": baseline,
            "groups": aggregate(cells),
            "policy": policy_candidates(cells, baseline=baseline),
            "errors": [c["cell"] for c in cells if c["status"] != "finished"],
        }

    def show(self, matrix_id: str) -> dict[str, Any]:
        matrix_id = self.resolve(matrix_id)
        with self.deps.database.session() as session:
            row = store.get_matrix(session, matrix_id=matrix_id)
        assert row is not None
        report = self.matrix_dir(matrix_id) / "report.md"
        return {
            **{k: v for k, v in row.items() if k not in ("created", "finished")},
            "created": row["created"].isoformat(),
            "finished": row["finished"].isoformat() if row["finished"] else None,
            "report": str(report.relative_to(self.deps.workspace.root))
            if report.is_file()
            else None,
            "cells": self.cells(matrix_id),
        }

    def status(self, matrix_id: str) -> dict[str, Any]:
        """Progress without the cells: status, cells done and total, error."""
        matrix_id = self.resolve(matrix_id)
        with self.deps.database.session() as session:
            row = store.get_matrix(session, matrix_id=matrix_id)
        assert row is not None
        keys = ("id", "name", "status", "cells_done", "cells_total", "error", "ara_slug")
        return {key: row.get(key) for key in keys}

    def list(self, *, limit: int = 50) -> list[dict[str, Any]]:
        with self.deps.database.session() as session:
            rows = store.list_matrices(session, limit=limit)
        return [
            {
                "id": r["id"],
                "name": r["name"],
                "status": r["status"],
                "created": r["created"].isoformat(),
                "cells": f"{r['cells_done']}/{r['cells_total']}",
                "ara": r["ara_slug"],
            }
            for r in rows
        ]

    def compare(self, first: str, second: str) -> dict[str, Any]:
        """Second − first, paired where cells match (see ``matrix.compare``)."""
        from researchos.matrix.compare import compare_cells

        a, b = self.resolve(first), self.resolve(second)
        return {"a": a, "b": b, **compare_cells(self.cells(a), self.cells(b))}

    def set_ara(self, matrix_id: str, slug: str) -> None:
        with self.deps.database.session() as session:
            store.save_matrix(session, matrix={"id": matrix_id, "ara_slug": slug})
