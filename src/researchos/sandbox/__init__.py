"""Sandboxed execution: runners (bwrap, docker, process), limits and results.

Importing the package registers the built-in runner kinds.
"""

from researchos.sandbox import bwrap, docker, process
from researchos.sandbox.base import RUNNERS, Availability, Runner, RunnerOptions, register_runner
from researchos.sandbox.headless import EXECUTION_MODE, check_headless
from researchos.sandbox.limits import LIMIT_NAMES, Limits, parse_size
from researchos.sandbox.result import ExecResult
from researchos.sandbox.selection import Sandbox, SandboxConfig

__all__ = [
    "EXECUTION_MODE",
    "LIMIT_NAMES",
    "RUNNERS",
    "Availability",
    "ExecResult",
    "Limits",
    "Runner",
    "RunnerOptions",
    "Sandbox",
    "SandboxConfig",
    "bwrap",
    "check_headless",
    "docker",
    "parse_size",
    "process",
    "register_runner",
]
