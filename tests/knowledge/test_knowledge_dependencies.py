"""Version ranges (PEP 440 and npm) and a project's packages read from its manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from researchos.knowledge.dependencies import parse_library
from researchos.knowledge.manifests import read_repo
from researchos.knowledge.semver import RangeError, satisfies
from researchos.knowledge.versions import applies, check_spec

PYPROJECT = """
[project]
name = "demo"
dependencies = ["httpx>=0.27", "pydantic==2.7.1", "Typing_Extensions>=4"]
[project.optional-dependencies]
plots = ["matplotlib>=3.8"]
[tool.poetry.dependencies]
python = "^3.11"
rich = "13.7.0"
"""
UV_LOCK = """
version = 1
[[package]]
name = "httpx"
version = "0.28.1"
[[package]]
name = "typing-extensions"
version = "4.12.2"
"""
PACKAGE_JSON = {
    "dependencies": {"axios": "^1.6.0", "react": "18.2.0"},
    "devDependencies": {"@types/node": "~20.1"},
}
PACKAGE_LOCK = {
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "demo"},
        "node_modules/axios": {"version": "1.7.2"},
        "node_modules/@types/node": {"version": "20.1.4"},
        "node_modules/axios/node_modules/follow-redirects": {"version": "1.0.0"},
    },
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "uv.lock").write_text(UV_LOCK)
    (root / "requirements-dev.txt").write_text(
        "# tools\npytest==8.2.0 --hash=sha256:abc \\\n-r base.txt\n-e .\n"
        "ruff>=0.6 ; python_version>'3'\n"
    )
    (root / "package.json").write_text(json.dumps(PACKAGE_JSON))
    (root / "package-lock.json").write_text(json.dumps(PACKAGE_LOCK))
    return root


def test_manifests_and_lockfiles_give_local_versions(repo: Path) -> None:
    found = read_repo(repo)
    assert found.problems == []
    version = {name: pkg.version for (name, _), pkg in found.packages.items()}
    assert version["httpx"] == "0.28.1"  # the lock wins over ">=0.27"
    assert found.packages[("httpx", "python")].declared == ">=0.27"
    assert version["pydantic"] == "2.7.1" and version["rich"] == "13.7.0"
    assert version["typing-extensions"] == "4.12.2" and version["matplotlib"] is None
    assert version["pytest"] == "8.2.0" and version["ruff"] is None
    assert version["axios"] == "1.7.2" and version["@types/node"] == "20.1.4"
    assert version["react"] == "18.2.0" and "follow-redirects" not in version
    assert "python" not in version


def test_broken_manifests_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname=")
    (tmp_path / "package.json").write_text("[1, 2]")
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "ok"\nversion = "1.0"\n')
    found = read_repo(tmp_path)
    assert {p.split(":")[0] for p in found.problems} == {"pyproject.toml", "package.json"}
    assert found.packages[("ok", "python")].version == "1.0"


@pytest.mark.parametrize(
    ("version", "spec", "expected"),
    [
        ("1.7.2", "^1.6.0", True),
        ("2.0.0", "^1.6.0", False),
        ("0.2.5", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("0.0.4", "^0.0.3", False),
        ("1.2.9", "~1.2.3", True),
        ("1.3.0", "~1.2.3", False),
        ("1.9.9", "1.x", True),
        ("2.0.0", "1.x", False),
        ("1.5.0", ">=1.2.0 <2.0.0", True),
        ("2.0.0", ">=1.2.0 <2.0.0", False),
        ("1.5.0", "1.0.0 - 1.5.0", True),
        ("1.5.1", "1.0.0 - 1.5", True),
        ("1.6.0", "1.0.0 - 1.5", False),
        ("3.1.0", "^1.0.0 || ^3.0.0", True),
        ("2.0.0-beta.1", "^1.9.0", False),
        ("5.0.0", "*", True),
        ("1.2.3", "1.2.3", True),
        ("1.2.4", "=1.2.3", False),
        ("1.2.4", "> 1.2", False),
        ("1.3.0", ">1.2", True),
    ],
)
def test_npm_ranges(version: str, spec: str, expected: bool) -> None:
    assert satisfies(version, spec) is expected


def test_npm_range_errors() -> None:
    with pytest.raises(RangeError):
        satisfies("1.0.0", "latest")
    with pytest.raises(RangeError):
        satisfies("next", "^1.0.0")


def test_ranges_across_ecosystems() -> None:
    assert applies(">=0.28,<0.29", "0.28.1", "python") is True
    assert applies(">=0.28,<0.29", "0.27.2", "python") is False
    assert applies("0.28", "0.28.1", "python") is True  # a bare series
    assert applies("^1.6.0", "1.7.2", "npm") is True
    assert applies("^1.6.0", "1.7.2", "python") is None  # not PEP 440: cannot tell
    assert applies(">=1", "not-a-version", "python") is None
    assert check_spec("npm:axios", ">=0.27,<0.28") is not None
    assert check_spec("pypi:httpx", "^1.0") is not None
    assert check_spec("httpx", "^1.0") is None  # a bare name accepts either syntax


def test_libraries_named_by_an_agent() -> None:
    assert parse_library("httpx==0.28.1").version == "0.28.1"
    given = parse_library("npm:axios@1.6.0")
    assert (given.name, given.ecosystem, given.version) == ("axios", "npm", "1.6.0")
    assert parse_library("Typing_Extensions").name == "typing-extensions"
