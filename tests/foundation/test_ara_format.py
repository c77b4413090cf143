import json

import pytest

from researchos.artifacts.models import Claim, ExplorationTree
from researchos.artifacts.reader import AraPaths, load_claim, parse_model
from researchos.artifacts.schema import ara_json_schema
from researchos.artifacts.validate import validate_ara
from researchos.errors import InputError


def make_ara(app, slug="a1"):
    app.aras.create(title="Test ARA", slug=slug)
    return app.workspace.ara_path(slug)


def test_claim_carries_reference_format_fields():
    fields = set(Claim.model_fields)
    assert {
        "statement",
        "conditions",
        "sources",
        "status",
        "provenance",
        "falsification",
        "dependencies",
        "tags",
        "evidence",
        "numbers",
        "format_version",
    } <= fields
    schema = Claim.model_json_schema()
    assert set(schema["properties"]["status"]["enum"]) == {
        "hypothesis",
        "untested",
        "testing",
        "supported",
        "weakened",
        "refuted",
        "withdrawn",
        "verified",
        "retracted",
    }
    assert set(schema["properties"]["provenance"]["enum"]) == {
        "user",
        "ai-suggested",
        "ai-executed",
        "user-revised",
    }


def test_schema_covers_every_file_and_validates_a_claim():
    import jsonschema

    schema = ara_json_schema()
    assert set(schema["x-files"]) == {
        "ara.yaml",
        "claims/<id>.yaml",
        "traces/failures/<id>.yaml",
        "traces/decisions/<id>.yaml",
        "traces/checkpoints/<id>.yaml",
        "traces/exploration.yaml",
    }
    claim = Claim(id="C0001", statement="x").model_dump(mode="json")
    jsonschema.validate(claim, {**schema, "anyOf": [{"$ref": "#/$defs/Claim"}]})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**claim, "bogus": 1}, {**schema, "anyOf": [{"$ref": "#/$defs/Claim"}]})


def test_cli_prints_schema(cli):
    result = cli("ara", "schema")
    assert result.code == 0
    assert json.loads(result.out)["title"] == "ResearchOS ARA format v1"


@pytest.mark.parametrize(
    "text, field, problem",
    [
        ("format_version: 1\nid: C0001\nstatement: s\nbogus: 1\n", "bogus", "unknown field"),
        ("format_version: 2\nid: C0001\nstatement: s\n", "format_version", "unsupported"),
        ("format_version: 1\nid: C0001\n", "statement", "required field is missing"),
        ("format_version: 1\nid: C0001\nstatement: s\nconfidence: 3\n", "confidence", "less than"),
        (
            "format_version: 1\nid: C0001\nstatement: s\nevidence: [{path: ../x, sha256: "
            + "a" * 64
            + "}]\n",
            "evidence.0.path",
            "relative",
        ),
    ],
)
def test_validation_errors_name_file_and_field(text, field, problem):
    with pytest.raises(InputError) as info:
        parse_model(Claim, text, display="ara/x/claims/C0001.yaml")
    err = info.value
    assert err.file == "ara/x/claims/C0001.yaml"
    assert err.field == field
    assert problem in err.problem


def test_malformed_yaml_names_line(app):
    root = make_ara(app)
    (root / "claims/C0001.yaml").write_text("format_version: 1\nid: C0001\nstatement: [oops\n")
    with pytest.raises(InputError) as info:
        load_claim(AraPaths(root), "C0001")
    assert "ara/a1/claims/C0001.yaml" in str(info.value)
    assert "line" in str(info.value)


def test_non_utf8_text_is_refused(app):
    root = make_ara(app)
    (root / "claims/C0001.yaml").write_bytes(b"format_version: 1\nid: C0001\nstatement: \xff\xfe\n")
    with pytest.raises(InputError) as info:
        load_claim(AraPaths(root), "C0001")
    assert "not UTF-8" in str(info.value)


def test_dead_end_nodes_need_hypothesis_failure_mode_and_lesson():
    with pytest.raises(InputError) as info:
        parse_model(
            ExplorationTree,
            "nodes:\n- {id: N1, kind: dead_end, title: t}\n",
            display="traces/exploration.yaml",
        )
    assert "hypothesis" in str(info.value)


def test_exploration_tree_rejects_cycles_and_unknown_parents():
    cyclic = (
        "nodes:\n- {id: N1, kind: question, title: a, parent: N2}\n"
        "- {id: N2, kind: pivot, title: b, parent: N1}\n"
    )
    with pytest.raises(InputError, match="cycle"):
        parse_model(ExplorationTree, cyclic, display="x")
    with pytest.raises(InputError, match="unknown parent"):
        parse_model(
            ExplorationTree,
            "nodes:\n- {id: N1, kind: question, title: a, parent: Z}\n",
            display="x",
        )


def test_validate_reports_every_problem(app):
    root = make_ara(app)
    app.aras.add_claim("a1", {"statement": "first"})
    (root / "claims/C0009.yaml").write_text("format_version: 1\nid: C0009\nstatement: orphan\n")
    manifest = (root / "ara.yaml").read_text()
    (root / "ara.yaml").write_text(manifest.replace("- C0001", "- C0001\n- C0002"))
    (root / "claims/C0001.yaml").write_text(
        (root / "claims/C0001.yaml").read_text() + "dependencies: [C0404]\n"
    )
    report = validate_ara(root)
    messages = [str(p) for p in report.problems]
    assert not report.ok
    assert any("C0002" in m and "does not exist" in m for m in messages)
    assert any("C0009" in m and "not listed" in m for m in messages)
    assert any("dependencies.0" in m and "C0404" in m for m in messages)


def test_duplicate_claim_ids_in_manifest(app):
    root = make_ara(app)
    app.aras.add_claim("a1", {"statement": "first"})
    text = (root / "ara.yaml").read_text().replace("- C0001", "- C0001\n- C0001")
    (root / "ara.yaml").write_text(text)
    report = validate_ara(root)
    assert any("duplicate claim ids: C0001" in str(p) for p in report.problems)


def test_evidence_hash_mismatch_is_reported(app, tmp_path):
    root = make_ara(app)
    data = tmp_path / "m.json"
    data.write_text('{"acc": 0.9}')
    app.aras.add_claim("a1", {"statement": "s"})
    app.aras.add_evidence("a1", data, claim_id="C0001")
    assert validate_ara(root).ok
    (root / "evidence/raw/m.json").write_text('{"acc": 0.99}')
    report = validate_ara(root)
    assert any("sha256" in str(p) for p in report.problems)
