"""Synthetic Claude Code sessions of a chosen size, for benchmarks and scale tests.

An episode is a training run: a command, a long log ending in a validation metric, now and
then a crash followed by a pivot message, and a file read that bulks the transcript up the
way real sessions do. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PROMPT = "Tune the learning rate of the churn model and report validation accuracy."


def _record(kind: str, content: object, number: int) -> str:
    message = {"role": "assistant" if kind == "assistant" else "user", "content": content}
    stamp = f"2026-03-01T{10 + number // 3600 % 12:02d}:{number // 60 % 60:02d}:{number % 60:02d}Z"
    data = {"type": kind, "sessionId": "synthetic", "uuid": f"u{number}", "timestamp": stamp}
    return json.dumps({**data, "message": message}) + "\n"


def _episode(index: int, rng: random.Random) -> list[str]:
    lr = round(rng.uniform(1e-4, 1e-2), 5)
    command = f"python train.py --lr {lr} --seed {index}"
    call = [{"type": "tool_use", "id": f"t{index}", "name": "Bash", "input": {"command": command}}]
    out = [
        _record(
            "assistant", [{"type": "text", "text": f"Run {index} with lr {lr}."}, *call], 4 * index
        )
    ]
    if index % 7 == 3:
        log = 'Traceback (most recent call last):\n  File "train.py", line 88, in step\n'
        log += f"FloatingPointError: loss became inf at step {rng.randint(10, 900)}"
        result = {
            "type": "tool_result",
            "tool_use_id": f"t{index}",
            "content": log,
            "is_error": True,
        }
        pivot = "That run diverged; let's try a smaller learning rate instead."
        out.append(_record("user", [result], 4 * index + 1))
        out.append(_record("assistant", [{"type": "text", "text": pivot}], 4 * index + 2))
        return out
    steps = "".join(f"step {s} loss={rng.uniform(0.2, 1.5):.4f}\n" for s in range(0, 1500, 25))
    log = f"{steps}val accuracy: {rng.uniform(0.7, 0.9):.4f}\n"
    out.append(
        _record(
            "user",
            [{"type": "tool_result", "tool_use_id": f"t{index}", "content": log}],
            4 * index + 1,
        )
    )
    source = "".join(
        f"    x{i} = layer{i}(x{i - 1})  # block {i}\n" for i in range(rng.randint(60, 120))
    )
    read = [{"type": "tool_result", "tool_use_id": f"r{index}", "content": source}]
    out.append(_record("user", read, 4 * index + 2))
    return out


def write_session(path: Path, target_bytes: int, *, seed: int = 0) -> int:
    """Write a session of at least ``target_bytes``; returns its size."""
    rng = random.Random(seed)
    size = 0
    with path.open("w", encoding="utf-8") as handle:
        first = _record("user", PROMPT, 0)
        handle.write(first)
        size += len(first)
        index = 1
        while size < target_bytes:
            for line in _episode(index, rng):
                handle.write(line)
                size += len(line.encode())
            index += 1
    return size
