"""The ARA round-trip through the real CLI entry point, and bad input that changes nothing."""

import json
import subprocess

import pytest


def head(root):
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def status(root):
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def ws(cli, clean_env):
    assert cli("init").code == 0
    assert cli("ara", "new", "Adam vs SGD", "--author", "alice").code == 0
    return clean_env


def test_round_trip(cli, ws, tmp_path):
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text('{"condition": "adam", "seed": 0, "metric": "acc", "value": 0.93}\n')
    added = cli(
        "ara",
        "add-claim",
        "adam-vs-sgd",
        "-s",
        "Adam beats SGD",
        "--kind",
        "comparison",
        "--condition",
        "dataset=iris",
        "--condition",
        "epochs=20",
        "--tag",
        "optim",
        "--json",
    )
    assert added.code == 0, added.err
    claim = json.loads(added.out)
    assert claim["id"] == "C0001"
    assert claim["conditions"] == {"dataset": "iris", "epochs": 20}
    ev = cli("ara", "add-evidence", "adam-vs-sgd", str(metrics), "--claim", "C0001", "--json")
    assert ev.code == 0, ev.err
    assert json.loads(ev.out)["path"] == "evidence/raw/metrics.jsonl"
    tr = cli(
        "ara",
        "add-trace",
        "adam-vs-sgd",
        "--kind",
        "failure",
        "--title",
        "lr 1.0",
        "--tried",
        "lr=1.0",
        "--why-failed",
        "NaN",
        "--failure-class",
        "negative_result",
        "--lesson",
        "keep lr small",
        "--json",
    )
    assert tr.code == 0, tr.err
    node = cli(
        "ara", "add-trace", "adam-vs-sgd", "--kind", "question", "--title", "Does warmup help?"
    )
    assert node.code == 0, node.err
    shown = json.loads(cli("ara", "show", "adam-vs-sgd", "--json").out)
    assert [c["id"] for c in shown["claims"]] == ["C0001"]
    assert shown["claims"][0]["evidence"][0]["sha256"]
    assert [t["id"] for t in shown["traces"]] == ["F0001"]
    kinds = [n["kind"] for n in shown["exploration"]["nodes"]]
    assert kinds == ["dead_end", "question"]
    listed = json.loads(cli("ara", "list", "--json").out)
    assert [a["slug"] for a in listed] == ["adam-vs-sgd"]
    valid = json.loads(cli("ara", "validate", "--json").out)
    assert valid[0]["ok"] is True
    log = json.loads(cli("log", "--ara", "adam-vs-sgd", "--json").out)
    assert [e["event"] for e in log] == [
        "trace.node",
        "trace.add",
        "evidence.add",
        "claim.add",
        "ara.create",
    ]
    assert all(e["trailers"]["Actor"] == "user:user" for e in log)
    by_claim = json.loads(cli("log", "--claim", "C0001", "--json").out)
    assert [e["event"] for e in by_claim] == ["evidence.add", "claim.add"]
    assert status(ws) == ""


def test_show_one_claim_and_human_tables(cli, ws):
    cli("ara", "add-claim", "adam-vs-sgd", "-s", "A claim")
    one = cli("ara", "show", "adam-vs-sgd", "--claim", "C0001")
    assert "A claim" in one.out
    assert "adam-vs-sgd" in cli("ara", "list").out
    assert "claim.add" in cli("log").out


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["ara", "add-claim", "adam-vs-sgd", "-s", "x", "--kind", "guess"], "kind"),
        (["ara", "add-claim", "adam-vs-sgd", "-s", "x", "--confidence", "7"], "confidence"),
        (["ara", "add-claim", "adam-vs-sgd", "-s", "x", "--depends-on", "C0404"], "C0404"),
        (["ara", "add-claim", "adam-vs-sgd"], "statement"),
        (["ara", "add-claim", "nope", "-s", "x"], "no ARA named 'nope'"),
        (["ara", "add-trace", "adam-vs-sgd", "--kind", "failure", "--title", "t"], "tried"),
        (["ara", "add-trace", "adam-vs-sgd", "--kind", "musing", "--title", "t"], "unknown kind"),
        (["ara", "new", "Adam vs SGD"], "already exists"),
        (["ara", "new", "Bad", "--slug", "Bad Slug!"], "slug"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(cli, ws, args, fragment):
    before = head(ws)
    result = cli(*args)
    assert result.code == 1
    assert fragment in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 2
    assert head(ws) == before
    assert status(ws) == ""


def test_duplicate_claim_id_is_refused(cli, ws):
    assert cli("ara", "add-claim", "adam-vs-sgd", "-s", "x", "--id", "C7").code == 0
    before = head(ws)
    result = cli("ara", "add-claim", "adam-vs-sgd", "-s", "y", "--id", "C7")
    assert result.code == 1 and "already exists" in result.err
    assert head(ws) == before and status(ws) == ""


def test_evidence_outside_the_ara_is_refused(cli, ws, tmp_path):
    data = tmp_path / "d.txt"
    data.write_text("x")
    before = head(ws)
    for args in (["--subdir", "../../escape"], ["--name", "../x"], ["--name", ".hidden"]):
        result = cli("ara", "add-evidence", "adam-vs-sgd", str(data), *args)
        assert result.code == 1, args
    claim_file = tmp_path / "claim.yaml"
    claim_file.write_text(
        "statement: s\nevidence:\n- {path: /etc/passwd, sha256: " + "0" * 64 + "}\n"
    )
    result = cli("ara", "add-claim", "adam-vs-sgd", "--from-file", str(claim_file))
    assert result.code == 1 and "evidence.0.path" in result.err
    assert head(ws) == before and status(ws) == ""


def test_evidence_symlink_escape_is_refused(cli, ws, tmp_path):
    root = ws / "ara/adam-vs-sgd"
    (root / "evidence/link").symlink_to(tmp_path)
    data = tmp_path / "d.txt"
    data.write_text("x")
    result = cli("ara", "add-evidence", "adam-vs-sgd", str(data), "--subdir", "link")
    assert result.code == 1 and "symlink" in result.err


def test_validate_exit_code_and_path_option(cli, ws):
    root = ws / "ara/adam-vs-sgd"
    assert cli("ara", "validate", "--path", str(root)).code == 0
    (root / "ara.yaml").write_text("format_version: 1\ntitle: [broken\n")
    result = cli("ara", "validate", "adam-vs-sgd")
    assert result.code == 1
    assert "ara/adam-vs-sgd/ara.yaml" in result.out and "malformed YAML" in result.out
