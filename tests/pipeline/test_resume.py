"""kill -9 at random points, then `researchos run` again: the pipeline ends with a package
equivalent to an uninterrupted run's (same claims, same numbers), and nothing is corrupt."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from researchos.app import build_app
from researchos.artifacts.validate import validate_ara
from researchos.pipeline.engine import run_project
from researchos.pipeline.projects import create_project
from researchos.settings import load_settings
from researchos.store import projects as store

BRIEF = """# Does antithetic sampling reduce Monte-Carlo error?
Compare plain Monte-Carlo with antithetic and control variates for estimating pi."""
OPTIONS = {"ideas": 10, "seeds": 3}


def claims_of(app, slug):
    """What a claim says and its numbers; ids and run ids differ between two workspaces."""
    return sorted(
        (c.kind, c.status, c.statement, tuple(n.value for n in c.numbers))
        for c in app.aras.claims(slug)
    )


def test_killed_at_random_points_resumes_to_an_equivalent_package(tmp_path, monkeypatch):
    monkeypatch.setenv("RESEARCHOS_HOME", str(tmp_path / "reference"))
    reference = build_app(load_settings(), create=True)
    ref_project = create_project(reference, brief=BRIEF, mode="mock", options=OPTIONS)
    started = time.monotonic()
    assert run_project(reference, ref_project.id).status == "completed"
    duration = time.monotonic() - started
    expected = claims_of(reference, ref_project.ara_slug)
    reference.close()
    assert expected

    monkeypatch.setenv("RESEARCHOS_HOME", str(tmp_path / "subject"))
    subject = build_app(load_settings(), create=True)
    project = create_project(subject, brief=BRIEF, mode="mock", options=OPTIONS)
    subject.close()
    rng = random.Random(int(os.environ.get("RESEARCHOS_TEST_SEED", "7")))
    command = [sys.executable, "-m", "researchos.cli.main", "run", project.id, "--json"]
    kills = 0
    for _attempt in range(12):
        proc = subprocess.Popen(
            command,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        delay = rng.uniform(0.5, max(1.0, duration * 0.8))
        try:
            out, err = proc.communicate(timeout=delay if kills < 4 else 600)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            kills += 1
            continue
        assert proc.returncode == 0, err
        assert json.loads(out)["status"] == "completed"
        break
    else:
        raise AssertionError("the pipeline never finished")
    assert kills >= 1

    resumed = build_app(load_settings())
    assert claims_of(resumed, project.ara_slug) == expected
    assert validate_ara(resumed.workspace.ara_path(project.ara_slug)).ok
    with resumed.database.session() as session:
        output = store.stage_states(session, project_id=project.id)["package"].output
    from pathlib import Path

    assert resumed.packages.verify(Path(output["zip"])).ok
    root = resumed.workspace.root
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
        ).stdout
        == ""
    )
    assert subprocess.run(["git", "fsck", "--no-progress"], cwd=root).returncode == 0
    resumed.close()
