"""Pinned environments: built outside the sandbox once, cached by the pins, used with no network."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from researchos.errors import InputError, SandboxError
from researchos.runs.models import RunSpec
from researchos.sandbox.bwrap import BwrapRunner
from researchos.sandbox.environments import MARKER, EnvironmentCache, normalise


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(directory: Path, name: str = "tinypkg", version: str = "0.1.0") -> Path:
    """A minimal pure-Python wheel, written by hand: no network, no build backend."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {version!r}\n".encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = [_record_line(path, data) for path, data in files.items()] + [f"{dist}/RECORD,,"]
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def _cache(root: Path) -> EnvironmentCache:
    wheels = root / "wheels"
    wheels.mkdir()
    build_wheel(wheels)
    return EnvironmentCache(
        root=root / "envs",
        locks_dir=root / "locks",
        pip_args=("--no-index", "--find-links", str(wheels)),
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> EnvironmentCache:
    """One cache for the module: building a venv costs seconds."""
    return _cache(tmp_path_factory.mktemp("envcache"))


def test_pins_are_checked_and_normalised():
    assert normalise(["B_x==1.0  # why", "", "a==2"]) == ["a==2", "b-x==1.0"]
    with pytest.raises(InputError) as err:
        normalise(["numpy>=1.0"])
    assert err.value.field == "requirements[0]"


def test_an_environment_is_built_once_and_reused(cache):
    runtime = cache.ensure(["tinypkg==0.1.0"])
    marker = cache.path(["tinypkg==0.1.0"]) / MARKER
    built_at = marker.stat().st_mtime_ns
    assert "tinypkg==0.1.0" in runtime.packages
    assert runtime.label.startswith("env:")
    again = cache.ensure(["tinypkg==0.1.0  # same pins, other spelling"])
    assert marker.stat().st_mtime_ns == built_at
    assert again.packages_hash == runtime.packages_hash


def test_a_half_built_environment_is_rebuilt(tmp_path):
    cache = _cache(tmp_path)
    dest = cache.path(["tinypkg==0.1.0"])
    dest.mkdir(parents=True)
    (dest / "garbage").write_text("crashed here")
    cache.ensure(["tinypkg==0.1.0"])
    assert (dest / MARKER).is_file() and not (dest / "garbage").exists()


def test_an_unsatisfiable_pin_fails_cleanly(cache):
    with pytest.raises(SandboxError, match="install the pinned requirements"):
        cache.ensure(["tinypkg==9.9.9"])
    assert not cache.path(["tinypkg==9.9.9"]).exists()


def test_the_environment_works_inside_the_sandbox_without_network(cache, tmp_path):
    runtime = cache.ensure(["tinypkg==0.1.0"])
    runner = BwrapRunner(tmp_path / "work", logs_dir=tmp_path / "logs", runtime=runtime)
    result = runner.exec(
        ["python", "-c", "import tinypkg, numpy, sys; print(tinypkg.VALUE, sys.prefix)"]
    )
    assert result.returncode == 0, result.stderr
    value, prefix = result.stdout.split()
    assert value == "0.1.0"
    assert prefix == str(cache.path(["tinypkg==0.1.0"]))


def test_a_run_declares_its_requirements(app, cache, monkeypatch):
    monkeypatch.setattr(app.runs, "environments", cache)
    record = app.runs.run(
        RunSpec(
            command=["python", "-c", "import tinypkg; print(tinypkg.VALUE)"],
            requirements=["tinypkg==0.1.0"],
        )
    )
    assert record.result_class == "succeeded", record.error
    assert record.requirements == ["tinypkg==0.1.0"]
    assert record.environment["runtime"].startswith("env:")
