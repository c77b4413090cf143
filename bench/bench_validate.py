"""Validation of one ARA holding 10,000 claims (goal: under 2 s on 2 cores).

Builds the ARA directly on disk (claims with conditions, numbers, evidence references to a
shared metrics file and dependencies), then times validate_ara including sha256 checks.
Usage: python bench/bench_validate.py [--claims 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from researchos.artifacts.models import AraManifest, Claim
from researchos.artifacts.validate import validate_ara
from researchos.files import dump_yaml


def build(root: Path, claims: int) -> None:
    (root / "claims").mkdir(parents=True)
    (root / "traces").mkdir()
    metrics = root / "evidence/raw/metrics.jsonl"
    metrics.parent.mkdir(parents=True)
    metrics.write_text(
        "".join(
            f'{{"condition": "c{i % 4}", "seed": {i}, "metric": "acc", "value": 0.{i:04d}}}\n'
            for i in range(2000)
        )
    )
    digest = hashlib.sha256(metrics.read_bytes()).hexdigest()
    ids = [f"C{i:05d}" for i in range(claims)]
    for i, claim_id in enumerate(ids):
        claim = Claim(
            id=claim_id,
            statement=f"Condition c{i % 4} reaches accuracy 0.{i:04d}",
            kind="comparison",
            status="supported",
            confidence=0.9,
            conditions={"metric": "acc", "dataset": "iris", "seed_count": 5},
            provenance="ai-executed",
            tags=["bench"],
            evidence=[
                {
                    "path": "evidence/raw/metrics.jsonl",
                    "sha256": digest,
                    "locator": f"L{i % 2000 + 1}",
                }
            ],
            numbers=[
                {
                    "value": i / 10000,
                    "metric": "acc",
                    "ci_low": i / 10000 - 0.01,
                    "ci_high": i / 10000 + 0.01,
                    "n": 5,
                }
            ],
            dependencies=[ids[i - 1]] if i else [],
        )
        (root / "claims" / f"{claim_id}.yaml").write_text(
            dump_yaml(claim.model_dump(mode="json", exclude_none=True))
        )
    manifest = AraManifest(id="bench", title="Bench", slug=root.name, claims=ids)
    (root / "ara.yaml").write_text(dump_yaml(manifest.model_dump(mode="json")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench-ara"
        t = time.perf_counter()
        build(root, args.claims)
        print(f"built {args.claims} claims in {time.perf_counter() - t:.1f} s")
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = validate_ara(root)
            times.append(time.perf_counter() - t)
            assert report.ok, report.problems[:3]
        print(
            f"validate_ara over {report.claims} claims ({report.files_checked} files): "
            f"median {statistics.median(times):.2f} s, best {min(times):.2f} s "
            f"(goal < 2 s)"
        )


if __name__ == "__main__":
    main()
