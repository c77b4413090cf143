"""Transcripts are untrusted: secrets in them never reach the ARA, git, the store or output."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

CANARIES = {
    "openai": "sk-proj-CANARYopenai0123456789abcdef",
    "anthropic": "sk-ant-api03-CANARYanthropic0123456789",
    "bearer": "CANARYbearer0123456789abcdef",
    "github": "ghp_CANARYgithub012345678901234567890",
    "huggingface": "hf_CANARYhuggingface01234567890123456",
    "aws": "AKIACANARYAWSKEY1234",
    "env": "CANARYenvtoken0123",
    "json": "CANARYjsonfield0123",
    "key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCANARYpem",
}


def claude_transcript(path: Path) -> Path:
    lines = [
        {
            "type": "user",
            "sessionId": "s",
            "uuid": "u1",
            "timestamp": "2026-03-01T10:00:00Z",
            "message": {
                "role": "user",
                "content": "Evaluate the model; my key is " + CANARIES["openai"],
            },
        },
        {
            "type": "assistant",
            "sessionId": "s",
            "uuid": "u2",
            "timestamp": "2026-03-01T10:00:05Z",
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "type": "tool_use",
                        "id": "t1",
                        "name": "Bash",
                        "input": {
                            "command": f"MY_SERVICE_TOKEN={CANARIES['env']} python eval.py --seed 3"
                        },
                    },
                    {
                        "type": "tool_use",
                        "id": "t2",
                        "name": "Upload",
                        "input": {"api_key": CANARIES["json"]},
                    },
                ],
            },
        },
        {
            "type": "user",
            "sessionId": "s",
            "uuid": "u3",
            "timestamp": "2026-03-01T10:01:00Z",
            "message": {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": f"curl -H 'Authorization: Bearer {CANARIES['bearer']}'\n"
                        f"ANTHROPIC_API_KEY={CANARIES['anthropic']}\n"
                        f"git remote set-url origin https://{CANARIES['github']}@example.org/r.git\n"
                        f"hf login {CANARIES['huggingface']} aws {CANARIES['aws']}\n"
                        "eval accuracy: 0.8731",
                    }
                ],
            },
        },
        {
            "type": "user",
            "sessionId": "s",
            "uuid": "u4",
            "timestamp": "2026-03-01T10:02:00Z",
            "message": {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t2",
                        "content": 'Traceback (most recent call last):\n  File "up.py", line 2\n'
                        f"PermissionError: key {CANARIES['openai']} rejected",
                        "is_error": True,
                    }
                ],
            },
        },
        {
            "type": "assistant",
            "sessionId": "s",
            "uuid": "u5",
            "timestamp": "2026-03-01T10:02:10Z",
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "type": "text",
                        "text": "Upload failed; let's try writing the results locally instead.",
                    },
                    {
                        "type": "tool_use",
                        "id": "t3",
                        "name": "Bash",
                        "input": {"command": "python save.py"},
                    },
                ],
            },
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def text_transcript(path: Path) -> Path:
    path.write_text(
        "User: benchmark the parser\n"
        f"$ export OPENAI_API_KEY={CANARIES['openai']}\n"
        "$ python bench.py\n"
        "-----BEGIN PRIVATE KEY-----\n"
        f"{CANARIES['key']}\n"
        "-----END PRIVATE KEY-----\n"
        "Traceback (most recent call last):\n"
        '  File "bench.py", line 3\n'
        f"ValueError: bad token {CANARIES['anthropic']}\n"
        "Assistant: that didn't work; let's try the smaller input instead.\n"
        "$ python bench.py --small\n"
        "throughput: 1520.5\n"
    )
    return path


def notebook(path: Path) -> Path:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "source": f"client = Client(token='{CANARIES['huggingface']}')\nprint(score())",
        "outputs": [
            {
                "output_type": "stream",
                "name": "stdout",
                "text": f"Bearer {CANARIES['bearer']}\nf1: 0.66\n",
            }
        ],
    }
    failing = {
        "cell_type": "code",
        "execution_count": 2,
        "source": "fit()",
        "outputs": [
            {
                "output_type": "error",
                "ename": "KeyError",
                "evalue": CANARIES["aws"],
                "traceback": [],
            }
        ],
    }
    note = {"cell_type": "markdown", "source": "Let's try the cached model instead."}
    path.write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": [cell, failing, note, cell]})
    )
    return path


def leaks(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            data = path.read_bytes()
            found += [f"{path.name}: {n}" for n, v in CANARIES.items() if v.encode() in data]
    history = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    found += [f"git: {n}" for n, v in CANARIES.items() if v.encode() in history]
    return found


def test_canary_secrets_never_reach_the_workspace_git_store_or_output(
    cli: Callable[..., Any], tmp_path: Path, clean_env: Path
) -> None:
    assert cli("init").code == 0
    outputs = []
    for transcript in (
        claude_transcript(tmp_path / "session.jsonl"),
        text_transcript(tmp_path / "bench.txt"),
        notebook(tmp_path / "nb.ipynb"),
    ):
        result = cli("distill", str(transcript), "--json")
        assert result.code == 0, result.err
        report = json.loads(result.out)
        assert report["claims"] and report["traces"], report
        outputs.append(result.out + result.err)
    assert leaks(clean_env) == []
    assert not [n for n, v in CANARIES.items() if any(v in out for out in outputs)]
    evidence = (clean_env / "ara" / "session-session").rglob("*.jsonl")
    copied = next(p for p in evidence if "evidence" in p.parts).read_text()
    assert "eval accuracy: 0.8731" in copied and "[REDACTED]" in copied
    assert all(json.loads(line) for line in copied.splitlines() if line)  # still valid JSONL
