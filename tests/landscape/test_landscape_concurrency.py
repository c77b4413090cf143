"""Two people merging two proposals for the same claim at once: exactly one entry."""

from __future__ import annotations

import os
import subprocess
import sys

from landscape_data import add_claim, clean, make_ara

from researchos.history.commits import read_log


def test_concurrent_merges_of_the_same_claim(app):
    make_ara(app)
    add_claim(app, "knn", "Scaling improves kNN accuracy on wine", value=0.12, ci=(0.08, 0.16))
    app.landscape.propose(ara="knn", claim="C0001", actor="agent:a")
    app.landscape.propose(ara="knn", claim="C0001", actor="agent:b")
    env = {
        **os.environ,
        "RESEARCHOS_HOME": str(app.workspace.root),
        "RESEARCHOS_ACTOR": "user:alice",
    }
    code = "from researchos.cli.main import run; run()"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, "landscape", "merge", proposal],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for proposal in ("P0001", "P0002")
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in results) == [0, 1], results
    assert "now holds this claim" in next(err for code, err in results if code == 1)
    assert [e.id for e in app.landscape.entries()] == ["E0001"]
    assert len(read_log(app.workspace.git, event="landscape.merge")) == 1
    assert clean(app)
