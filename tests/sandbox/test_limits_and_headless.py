"""Limits parse and override cleanly; the headless guard sees agent binaries however started."""

from __future__ import annotations

import pytest

from researchos.errors import InputError, PermissionDenied
from researchos.sandbox import Limits, parse_size
from researchos.sandbox.headless import check_headless, programs
from researchos.sandbox.limits import format_size, limits_from_settings
from researchos.settings import DEFAULT_INTERACTIVE_BINARIES, load_settings


@pytest.mark.parametrize(
    ("text", "size"),
    [("512m", 512 << 20), ("8g", 8 << 30), ("1.5G", 3 << 29), ("2048", 2048), ("64KiB", 64 << 10)],
)
def test_sizes_parse(text, size):
    assert parse_size(text) == size


def test_bad_size_names_the_field():
    with pytest.raises(InputError) as err:
        Limits().override(memory="lots")
    assert err.value.field == "limits.memory"


def test_overrides_apply_per_spec_then_per_run():
    defaults = limits_from_settings(load_settings(sandbox_memory="1g", sandbox_timeout=60))
    spec = defaults.override({"memory": "512m", "processes": 16})
    run = spec.override(wall_time=5)
    assert (run.memory, run.processes, run.wall_time) == (512 << 20, 16, 5.0)
    assert defaults.memory == 1 << 30
    assert run.effective_cpu_time == 20  # wall time x 4 CPUs when unset
    assert format_size(run.memory) == "512m"


def test_unknown_and_non_positive_limits_are_refused():
    with pytest.raises(InputError, match="unknown limit"):
        Limits().override(gpus=1)
    with pytest.raises(InputError, match="positive"):
        Limits().override(wall_time=0)


@pytest.mark.parametrize(
    "argv",
    [
        ["claude"],
        ["/usr/local/bin/claude", "-p", "hi"],
        ["env", "FOO=1", "aider", "--yes"],
        ["env", "-i", "PATH=/bin", "codex"],
        ["sh", "-c", "echo start && claude --help"],
        ["bash", "-lc", "cd x; FOO=1 exec gemini"],
        ["timeout", "-s", "KILL", "5", "cursor-agent"],
        ["nohup", "nice", "-n", "5", "goose", "run"],
        ["npx", "-y", "@anthropic-ai/claude-code@1.0"],
        ["sh", "-c", "true | opencode"],
        ["sudo", "-u", "me", "bash", "-c", "claude-code"],
    ],
)
def test_agent_binaries_are_refused(argv):
    with pytest.raises(PermissionDenied, match="headless"):
        check_headless(argv, DEFAULT_INTERACTIVE_BINARIES)


@pytest.mark.parametrize(
    "argv",
    [
        ["python", "train.py", "--model", "claude"],
        ["sh", "-c", "echo claude"],
        ["env", "MODEL=codex", "python", "run.py"],
        ["python", "-c", "print('aider')"],
    ],
)
def test_ordinary_commands_pass(argv):
    check_headless(argv, DEFAULT_INTERACTIVE_BINARIES)


def test_programs_lists_what_a_shell_line_starts():
    assert programs(["sh", "-c", "a; b && env X=1 c | d"]) == ["sh", "a", "b", "env", "c", "d"]


def test_the_list_comes_from_settings(app):
    from researchos.sandbox import Sandbox, SandboxConfig

    settings = load_settings(interactive_binaries=["mytool"])
    sandbox = Sandbox(SandboxConfig.from_settings(settings))
    runner = sandbox.runner(app.workspace.runs_dir / "x" / "work")
    with pytest.raises(PermissionDenied):
        runner.exec(["mytool", "--chat"])
