"""The CLI maps errors once: one line, non-zero exit, no traceback for user errors."""

import subprocess
import sys


def test_missing_workspace_is_one_clear_line(cli, clean_env):
    result = cli("ara", "list")
    assert result.code == 1
    assert result.err.strip().startswith("error: no ResearchOS workspace at")
    assert "researchos init" in result.err
    assert "Traceback" not in result.err


def test_usage_errors_come_from_typer(cli):
    result = cli("ara", "add-claim")
    assert result.code == 2
    assert "Traceback" not in result.err


def test_console_script_exit_codes(clean_env):
    proc = subprocess.run(
        [sys.executable, "-m", "researchos.cli.main", "ara", "show", "x"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    ok = subprocess.run(
        [sys.executable, "-m", "researchos.cli.main", "--version"], capture_output=True, text=True
    )
    assert ok.returncode == 0 and ok.stdout.startswith("researchos ")
