"""Headless only: the job runner never spawns an interactive coding-agent binary.

The check reads the command line the way a shell would start it: the program itself, the
program behind launchers (``env``, ``nohup``, ``timeout``, ``npx``...) and every command in a
``sh -c``/``bash -c`` script. It is a guard against mistakes and prompt-injected specs, not a
security boundary: the sandbox has no network, so an agent binary started some other way
still cannot reach its model.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable, Sequence

from researchos.errors import PermissionDenied

EXECUTION_MODE = "headless"

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "fish", "busybox"})
# launchers whose first non-option argument is the program they start
LAUNCHERS = frozenset(
    {
        "env",
        "exec",
        "command",
        "nohup",
        "nice",
        "ionice",
        "setsid",
        "stdbuf",
        "time",
        "timeout",
        "xargs",
        "sudo",
        "doas",
        "npx",
        "bunx",
        "uvx",
        "pnpx",
        "prlimit",
        "setpriv",
        "chrt",
        "taskset",
    }
)
# options of those launchers that take a separate value (``timeout -s KILL 5 claude``)
_VALUED = frozenset({"-s", "--signal", "-k", "--kill-after", "-u", "-n", "-c", "-p", "-C"})
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", "\n", "|&", ";;"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_DURATION = re.compile(r"^\d+(\.\d+)?[smhd]?$")


def program_name(word: str) -> str:
    """``/usr/bin/claude`` -> ``claude``; ``@anthropic-ai/claude-code@1.2`` -> ``claude-code``."""
    name = os.path.basename(word.rstrip("/"))
    if "@" in name[1:]:
        name = name[0] + name[1:].split("@", 1)[0]
    return name.lower()


def _skip_launcher(words: Sequence[str], start: int) -> int:
    """Index of the program a launcher at ``words[start]`` would run."""
    launcher = program_name(words[start])
    i = start + 1
    while i < len(words):
        word = words[i]
        if word == "--":
            return i + 1
        if _ASSIGNMENT.match(word) or word.startswith("-"):
            i += 2 if word in _VALUED else 1
            continue
        if launcher == "timeout" and _DURATION.match(word):
            i += 1
            continue
        return i
    return i


def programs(argv: Sequence[str], *, depth: int = 0) -> list[str]:
    """Every program name this command line would start (launchers and shells included)."""
    found: list[str] = []
    i = 0
    while i < len(argv) and _ASSIGNMENT.match(argv[i]):
        i += 1
    if i >= len(argv):
        return found
    name = program_name(argv[i])
    found.append(name)
    if name in LAUNCHERS:
        found += programs(argv[_skip_launcher(argv, i) :], depth=depth)
    elif name in SHELLS and depth < 4:
        found += _shell_programs(argv[i + 1 :], depth)
    return found


def _shell_programs(args: Sequence[str], depth: int) -> list[str]:
    for index, arg in enumerate(args):
        is_c = arg.startswith("-") and "c" in arg.lstrip("-") and not arg.startswith("--")
        if is_c and index + 1 < len(args):
            return _script_programs(args[index + 1], depth + 1)
    return []


def _script_programs(script: str, depth: int) -> list[str]:
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        words = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to a plain split
        words = script.split()
    found: list[str] = []
    command: list[str] = []
    for word in [*words, ";"]:
        if word in _SEPARATORS or set(word) <= set(";&|()"):
            found += programs(command, depth=depth)
            command = []
        else:
            command.append(word)
    return found


def check_headless(argv: Sequence[str], interactive: Iterable[str]) -> None:
    """Raise PermissionDenied if ``argv`` would start an interactive coding-agent binary."""
    banned = {name.lower() for name in interactive}
    for name in programs(argv):
        if name in banned:
            raise PermissionDenied(
                f"refusing to run {name!r}: interactive coding-agent binaries are not allowed "
                "in headless runs",
                fix="run the experiment's own command; agent binaries are listed in "
                "RESEARCHOS_INTERACTIVE_BINARIES",
            )
