"""One matrix cell: the agent in a sandboxed copy of the fixture, then the oracle.

1. The run's work dir gets the fixture repo plus the harness (``workdir.HARNESS_DIR``).
2. The cell's MCP server listens on ``.researchos/mcp.sock`` while the agent runs: the full
   tools in the ``mcp`` condition, only the run-recording tools otherwise, so every condition
   records events the same way and only the knowledge differs.
3. The agent runs headless in the sandbox (``RunService``: no network, work dir only).
4. The oracle runs in a second sandboxed run on a copy of the result in which forbidden paths
   and the tests are back to pristine and the fixture's hidden tests are added.
5. Metrics come from the oracle, the wrapper's test log, the file diff and the protocol run
   the agent recorded through the cell's server (found by the cell's tag).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from researchos.agentruns import AgentRunService
from researchos.matrix import workdir
from researchos.matrix.catalog import AGENTS_DIR, HARNESS, Fixture
from researchos.matrix.experiment import Agent, Condition, Experiment
from researchos.matrix.metrics import cell_metrics
from researchos.runs.models import RunRecord, RunSpec
from researchos.runs.service import RunService

SOCKET = "mcp.sock"
AGENT_TEST_COMMAND = ["python", f"{workdir.HARNESS_DIR}/run_tests.py"]
# ChannelFactory(socket_path=, profile=, tag=, repo_root=) -> context manager serving MCP
ChannelFactory = Callable[..., AbstractContextManager[Any]]


@dataclass(frozen=True)
class CellPlan:
    matrix_id: str
    fixture: Fixture
    condition: Condition
    agent: Agent
    repeat: int
    seed: int

    @property
    def cell(self) -> str:
        return f"{self.fixture.name}/{self.condition.name}/{self.agent.name}/r{self.repeat}"

    @property
    def tag(self) -> str:
        return f"matrix:{self.matrix_id}:{self.cell}"

    @property
    def profile(self) -> str:
        return "full" if self.condition.brief == "mcp" else "record"


@dataclass(frozen=True)
class CellContext:
    experiment: Experiment
    agent_runs_service: RunService  # may start allow-listed headless agent binaries
    oracle_runs: RunService
    protocol: AgentRunService
    channel: ChannelFactory
    static_briefs: dict[str, dict[str, Any]]
    scratch: Path


def prompt_text(plan: CellPlan, experiment: Experiment) -> str:
    forbidden = experiment.forbidden or plan.fixture.spec.forbidden
    lines = [
        f"# Task\n\n{plan.fixture.spec.task}\n",
        f"Run the tests with `{' '.join(AGENT_TEST_COMMAND)}` (it logs every run).",
        f"Do not edit: {', '.join(forbidden) or 'nothing is off limits'}.",
    ]
    if plan.condition.brief == "static":
        lines.append(f"A work brief is in `{workdir.HARNESS_DIR}/brief.json`; read it first.")
    lines.append(
        f"Record your work through the ResearchOS MCP server on the unix socket "
        f"`{workdir.HARNESS_DIR}/{SOCKET}` (streamable HTTP, path /mcp)."
    )
    return "\n".join(lines) + "\n"


def harness_files(plan: CellPlan, ctx: CellContext) -> dict[str, str]:
    experiment = ctx.experiment
    task = {
        "task": plan.fixture.spec.task,
        "agent": plan.agent.name,
        "condition": plan.condition.name,
        "target": plan.fixture.spec.target,
        "test_command": plan.fixture.spec.test_command,
        "agent_test_command": AGENT_TEST_COMMAND,
        "forbidden": experiment.forbidden or plan.fixture.spec.forbidden,
        "mcp": {"socket": SOCKET, "profile": plan.profile},
        "static_brief": "brief.json" if plan.condition.brief == "static" else None,
    }
    h = workdir.HARNESS_DIR
    files = {
        f"{h}/task.json": json.dumps(task, indent=2),
        f"{h}/run_tests.py": HARNESS.read_text("utf-8"),
        f"{h}/TASK.md": prompt_text(plan, experiment),
    }
    if plan.condition.brief == "static":
        files[f"{h}/brief.json"] = json.dumps(ctx.static_briefs[plan.fixture.name], indent=2)
    if plan.agent.scripted is not None:
        for path in sorted(AGENTS_DIR.glob("*.py")):
            files[f"{h}/agent/{path.name}"] = path.read_text("utf-8")
        files[f"{h}/agent/prior.json"] = plan.fixture.prior.read_text("utf-8")
    return files


def agent_command(plan: CellPlan, prompt: str) -> list[str]:
    if plan.agent.scripted is not None:
        script = f"{workdir.HARNESS_DIR}/agent/{plan.agent.scripted}.py"
        return ["python", script, "--seed", str(plan.seed)]
    values = {
        "seed": plan.seed,
        "repeat": plan.repeat,
        "prompt": prompt,
        "task_file": f"{workdir.HARNESS_DIR}/TASK.md",
        "agent_dir": f"{workdir.HARNESS_DIR}/agent",
        "python": "python",
    }
    return [word.format(**values) for word in plan.agent.command or []]


def _run_agent(plan: CellPlan, ctx: CellContext) -> tuple[RunRecord, Path]:
    files = harness_files(plan, ctx)
    spec = RunSpec(
        command=agent_command(plan, files[f"{workdir.HARNESS_DIR}/TASK.md"]),
        code_dir=plan.fixture.repo,
        files=files,
        seed=plan.seed,
        condition=plan.condition.name,
        env={"RESEARCHOS_MATRIX_CELL": plan.cell},
        limits=ctx.experiment.limits,
        runner=plan.agent.runner,
        label=f"matrix {plan.matrix_id} {plan.cell} agent",
    )
    runs = ctx.agent_runs_service
    prepared = runs.prepare(spec)
    sock = prepared.workdir / workdir.HARNESS_DIR / SOCKET
    with ctx.channel(
        socket_path=sock, profile=plan.profile, tag=plan.tag, repo_root=prepared.workdir
    ):
        record = runs.execute(prepared)
    return record, prepared.workdir


@contextlib.contextmanager
def _staging(scratch: Path) -> Iterator[Path]:
    scratch.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="oracle-", dir=scratch))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _run_oracle(plan: CellPlan, ctx: CellContext, work: Path) -> RunRecord:
    experiment = ctx.experiment
    forbidden = experiment.forbidden or plan.fixture.spec.forbidden
    with _staging(ctx.scratch) as staging:
        workdir.oracle_tree(
            work,
            plan.fixture.repo,
            staging,
            restore=[*forbidden, "tests/**"],
            hidden_tests=plan.fixture.oracle_dir if experiment.oracle.hidden_tests else None,
        )
        spec = RunSpec(
            command=experiment.oracle.command or plan.fixture.spec.test_command,
            code_dir=staging,
            seed=plan.seed,
            condition=plan.condition.name,
            limits=experiment.limits,
            label=f"matrix {plan.matrix_id} {plan.cell} oracle",
        )
        return ctx.oracle_runs.run(spec)


def _protocol(plan: CellPlan, ctx: CellContext) -> tuple[str | None, dict[str, Any] | None]:
    runs = ctx.protocol.list_runs(tag=plan.tag)
    if not runs:
        return None, None
    first = min(runs, key=lambda r: r.created)
    return first.id, ctx.protocol.validate(first.id)


def run_cell(plan: CellPlan, ctx: CellContext) -> dict[str, Any]:
    """Run one cell; returns the matrix_cells row (status, run ids, metrics, detail)."""
    agent, work = _run_agent(plan, ctx)
    log = workdir.read_test_log(work)
    diff = workdir.changes(workdir.tree(plan.fixture.repo, skip_harness=False), workdir.tree(work))
    forbidden = workdir.forbidden_edits(
        diff, ctx.experiment.forbidden or plan.fixture.spec.forbidden
    )
    harness = work / workdir.HARNESS_DIR / "run_tests.py"
    if not harness.is_file() or harness.read_text("utf-8", "replace") != HARNESS.read_text("utf-8"):
        forbidden.append(f"{workdir.HARNESS_DIR}/run_tests.py")
    oracle = _run_oracle(plan, ctx, work)
    protocol_id, validation = _protocol(plan, ctx)
    metrics = cell_metrics(
        oracle_passed=oracle.result_class == "succeeded",
        test_log=log,
        forbidden_edits=len(forbidden),
        compliance=validation["compliance"] if validation else None,
    )
    return {
        "matrix_id": plan.matrix_id,
        "cell": plan.cell,
        "fixture": plan.fixture.name,
        "condition": plan.condition.name,
        "agent": plan.agent.name,
        "repeat": plan.repeat,
        "status": "finished",
        "agent_run": agent.id,
        "oracle_run": oracle.id,
        "protocol_run": protocol_id,
        "metrics": metrics,
        "detail": {
            "seed": plan.seed,
            "agent_result": agent.result_class,
            "agent_seconds": agent.duration,
            "oracle_result": oracle.result_class,
            "tests": log,
            "changes": diff,
            "forbidden": forbidden,
            "violations": validation["violations"] if validation else [],
            "checks": validation["checks"] if validation else {},
        },
    }
