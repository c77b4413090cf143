"""Five processes add 100 claims each to one ARA at the same time: nothing is lost."""

import subprocess
import sys

from researchos.app import build_app
from researchos.artifacts.validate import validate_ara
from researchos.history.commits import read_log
from researchos.settings import load_settings

WRITER = """
import sys
from researchos.app import build_app
app = build_app()
for i in range(int(sys.argv[2])):
    app.aras.add_claim("shared", {"statement": f"writer {sys.argv[1]} claim {i}",
                                  "tags": [f"w{sys.argv[1]}"]})
"""


def test_five_concurrent_writers_lose_nothing(clean_env):
    app = build_app(load_settings(), create=True)
    app.aras.create(title="Shared", slug="shared")
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n), "100"], stderr=subprocess.PIPE, text=True
        )
        for n in range(5)
    ]
    for proc in writers:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    root = app.workspace.root
    claims = app.aras.claims("shared")
    assert len(claims) == 500
    assert len({c.id for c in claims}) == 500
    per_writer = {f"w{n}": 0 for n in range(5)}
    for claim in claims:
        per_writer[claim.tags[0]] += 1
    assert set(per_writer.values()) == {100}
    assert len(read_log(app.workspace.git, event="claim.add")) == 500
    assert validate_ara(app.workspace.ara_path("shared")).ok
    fsck = subprocess.run(
        ["git", "fsck", "--full", "--strict"], cwd=root, capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stderr
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
        ).stdout
        == ""
    )
    with app.database.session() as session:
        from researchos.store.index import counts

        assert counts(session)["claims"] == 500
