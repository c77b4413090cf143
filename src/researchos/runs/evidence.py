"""A run's log as ARA evidence: ``evidence/raw/<run-id>.log``.

The evidence copy holds a header (run id, command, code hash, result) and both streams, each
cut to ``EVIDENCE_STREAM_BYTES`` with a marker when longer: evidence lives in git, so a run
that printed gigabytes must not put gigabytes there. The full logs stay in ``var/runs/<id>/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from researchos.artifacts.service import Origin
from researchos.files import write_atomic
from researchos.runs.models import RunRecord

EVIDENCE_STREAM_BYTES = 1 << 20


def _cut(path: Path) -> bytes:
    if not path.is_file():
        return b""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size <= EVIDENCE_STREAM_BYTES:
            return handle.read()
        half = EVIDENCE_STREAM_BYTES // 2
        head = handle.read(half)
        handle.seek(size - half)
        tail = handle.read()
    return head + f"\n[... {size - 2 * half} bytes cut; full log in var/runs ...]\n".encode() + tail


def combined_log(record: RunRecord, logs_dir: Path) -> bytes:
    header = (
        f"run: {record.id}\ncommand: {' '.join(record.command)}\ncode_hash: {record.code_hash}\n"
        f"seed: {record.seed}\nrunner: {record.runner} ({record.isolation})\n"
        f"result: {record.result_class} exit={record.exit_code} limit={record.limit_fired}\n"
    )
    parts = [header.encode(), b"\n==== stdout ====\n", _cut(logs_dir / "stdout.log")]
    parts += [b"\n==== stderr ====\n", _cut(logs_dir / "stderr.log")]
    return b"".join(parts)


def attach_log(aras: Any, record: RunRecord, logs_dir: Path, *, actor: str) -> str:
    """Copy the run's log into its ARA (one commit); returns the ARA-relative path."""
    source = logs_dir / "run.log"
    write_atomic(source, combined_log(record, logs_dir), fsync=False)
    ref = aras.add_evidence(
        record.ara,
        source,
        name=f"{record.id}.log",
        kind="log",
        origin=Origin(actor=actor, run_id=record.id),
    )
    return str(ref.path)
