"""The code worker: a builder writes the experiment, an independent reviewer patches it and
adds tests; failures feed a bounded repair loop in which every failed attempt becomes a
failure trace with its traceback."""

from __future__ import annotations

import json
from typing import Any

from researchos.artifacts.service import Origin
from researchos.errors import UnsafeInput
from researchos.kits.models import KitSpec, ReviewPatch, check_code_path
from researchos.kits.registry import get_kit
from researchos.pipeline.answers import CodeBundle, CodeReviewAnswer
from researchos.pipeline.experiment import CODE_DIR, SRC_DIR
from researchos.pipeline.modelcalls import ask, routing_summary
from researchos.pipeline.stages import StageContext

MAX_FILES = 50
MAX_FILE_BYTES = 512 * 1024


def _sanitised(files: list[Any]) -> dict[str, str]:
    """Paths a model supplied, checked: relative, no ``..``, inside code/src/, bounded."""
    if len(files) > MAX_FILES:
        raise UnsafeInput(
            f"the builder returned {len(files)} files (limit {MAX_FILES})", field="files"
        )
    out: dict[str, str] = {}
    for item in files:
        path = check_code_path(item.path.strip().removeprefix("./"))
        if len(item.content.encode()) > MAX_FILE_BYTES:
            raise UnsafeInput(f"{path} is larger than {MAX_FILE_BYTES} bytes", field="files")
        out[path] = item.content
    return out


def build(
    ctx: StageContext, spec: KitSpec, *, attempt: int, error: str | None = None
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Builder then reviewer; returns the merged files and the reviewer's notes."""
    kit = get_kit(spec.kit)
    reference = kit.build(spec)
    prompt = (
        f"Write the experiment for this pre-registered spec. Follow the run contract: "
        f"read RESEARCHOS_SEED and RESEARCHOS_CONDITION, write metrics.jsonl lines "
        f'{{"condition", "seed", "metric", "value"}} into RESEARCHOS_OUTPUT_DIR.\n\n'
        f"Spec:\n{json.dumps(spec.to_dict(), indent=1)}\n\nReference implementation by "
        f"the {kit.name} kit:\n{json.dumps(reference, indent=1)}"
    )
    if error:
        prompt += f"\n\nAttempt {attempt} failed; fix this error:\n{error[-4000:]}"
    built = ask(
        ctx,
        "code_generation",
        prompt,
        schema=CodeBundle,
        context={"spec": spec.to_dict(), "attempt": attempt, "error": error},
    )
    assert isinstance(built.data, CodeBundle)
    files = _sanitised(built.data.files)
    review = ask(
        ctx,
        "code_review",
        "Review this experiment code against its spec; return "
        "full replacements for files you fix and pytest files that check the run "
        f"contract.\n\nSpec:\n{json.dumps(spec.to_dict(), indent=1)}\n\nFiles:\n"
        f"{json.dumps(files, indent=1)}",
        schema=CodeReviewAnswer,
        context={"spec": spec.to_dict(), "files": files},
    )
    assert isinstance(review.data, CodeReviewAnswer)
    patch = ReviewPatch.from_dict(
        {
            "files": _sanitised(review.data.files),
            "notes": [n.model_dump() for n in review.data.notes],
        }
    )
    merged = patch.apply(files)
    notes = [n.to_dict() for n in patch.notes]
    ctx.outputs.setdefault("_routing", {})["code"] = [
        routing_summary(built),
        routing_summary(review),
    ]
    return merged, notes


def write(
    ctx: StageContext,
    spec: KitSpec,
    files: dict[str, str],
    *,
    event: str,
    summary: str,
    origin: Origin | None = None,
) -> None:
    """Replace code/src/ with ``files`` plus reproduce.sh and environment.lock, one commit."""
    kit = get_kit(spec.kit)
    root = ctx.app.aras.paths(ctx.slug).root
    stale = [
        p.relative_to(root / SRC_DIR).as_posix()
        for p in (root / SRC_DIR).rglob("*")
        if p.is_file() and p.name != ".gitkeep"
    ]
    writes: dict[str, bytes | str] = {f"{SRC_DIR}/{path}": text for path, text in files.items()}
    writes[f"{CODE_DIR}/reproduce.sh"] = kit.reproduce_script(spec)
    writes[f"{CODE_DIR}/environment.lock"] = kit.environment_lock(files)
    removed = [f"{SRC_DIR}/{path}" for path in stale if path not in files]
    ctx.app.aras.write_files(
        ctx.slug,
        writes,
        event=event,
        summary=summary,
        origin=origin,
        modes={f"{CODE_DIR}/reproduce.sh": 0o755},
        delete=removed,
    )
