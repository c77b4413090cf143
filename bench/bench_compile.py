"""Benchmark the paper compiler on a generated 30-page PDF; prints figures, asserts nothing.

    python bench/bench_compile.py [--pages 30] [--repeat 3]

Compiles a generated paper (a full page of text on every page, a table every 5th page, a
figure every 7th)
into a fresh workspace in mock mode, `--repeat` times, and reports the median of each stage:
reading the PDF (text with positions, structure, layout-mode tables, images), proposing and
grounding claims, and writing the ARA (three commits). Baseline, measured in the same run:
pypdf's plain ``extract_text()`` over the same pages — the floor any PDF reading pays.
The second paper is the real IPAC'18 paper of the tests (3 two-column pages with images)
appended to itself 10 times: 30 pages of real fonts, columns and images.
Goal (issue 6): a 30-page PDF in under 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "compile"))

import paperfactory  # noqa: E402  (test support module: writes PDFs by hand)

from researchos.app import build_app  # noqa: E402
from researchos.compile.compiler import compile_paper  # noqa: E402
from researchos.settings import load_settings  # noqa: E402

REAL_PAPER = ROOT / "tests" / "compile" / "data" / "wepml008.pdf"


def repeated_real_paper(times: int) -> bytes:
    """The real 3-page paper appended ``times`` times: real fonts, columns, images, figures."""
    writer = PdfWriter()
    for _ in range(times):
        writer.append(PdfReader(REAL_PAPER))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def baseline(data: bytes) -> float:
    start = time.perf_counter()
    for page in PdfReader(BytesIO(data)).pages:
        page.extract_text()
    return time.perf_counter() - start


def compile_once(paper: Path) -> tuple[dict[str, float], int]:
    """Stage times of one compile into a fresh workspace, and the number of claims."""
    with tempfile.TemporaryDirectory() as home:
        os.environ["RESEARCHOS_HOME"] = home
        os.environ["RESEARCHOS_RUN_MODE"] = "mock"
        app = build_app(load_settings(), create=True)
        app.router  # noqa: B018  (built before the clock starts: policy file, store)
        marks: list[tuple[str, float]] = []
        start = time.perf_counter()
        result = compile_paper(
            paper,
            aras=app.aras,
            router=app.router,
            progress=lambda stage: marks.append((stage, time.perf_counter())),
        )
        end = time.perf_counter()
        app.close()
    times = [t for _, t in marks] + [end]
    names = ["read", "propose + ground", "write ARA"]
    stages = {name: times[i + 1] - times[i] for i, name in enumerate(names)}
    stages["total"] = end - start
    return stages, len(result.claims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    papers = {
        "generated text": paperfactory.long_paper(args.pages),
        "real paper x10": repeated_real_paper(max(1, args.pages // 3)),
    }
    for label, data in papers.items():
        report(label, data, args.repeat)


def report(label: str, data: bytes, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paper = Path(folder) / "paper.pdf"
        paper.write_bytes(data)
        runs = [compile_once(paper) for _ in range(repeat)]
        floor = statistics.median(baseline(data) for _ in range(repeat))
    pages = len(PdfReader(BytesIO(data)).pages)
    print(f"\n{label}: {pages} pages, {len(data) / 1024:.0f} KiB, {runs[0][1]} claims")
    print(f"{'stage':<20}{'median':>10}")
    for name in runs[0][0]:
        value = statistics.median(r[0][name] for r in runs)
        print(f"{name:<20}{value:>9.2f}s")
    total = statistics.median(r[0]["total"] for r in runs)
    print(f"{'baseline (pypdf)':<20}{floor:>9.2f}s   compile / baseline = {total / floor:.1f}x")
    print(f"goal: under 10 s -> {'met' if total < 10 else 'MISSED'} ({total:.2f} s)")


if __name__ == "__main__":
    main()
