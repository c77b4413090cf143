"""Sampling a contained run follows its process tree instead of scanning all of /proc."""

from __future__ import annotations

import subprocess
import sys
import time

from researchos.sandbox import processes

TREE = (
    "import subprocess, sys, time\n"
    "kids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])"
    " for _ in range(2)]\n"
    "print('ready', flush=True)\n"
    "time.sleep(30)\n"
)


def test_the_tree_holds_the_same_processes_as_a_full_scan():
    root = subprocess.Popen(
        ["sh", "-c", f'{sys.executable} -c "$0" & {sys.executable} -c "$0"', TREE],
        stdout=subprocess.PIPE,
    )
    try:
        assert root.stdout is not None
        root.stdout.readline(), root.stdout.readline()
        time.sleep(0.2)  # the grandchildren have started
        walked = processes.tree(root.pid)
        assert walked is not None  # Linux has kept children lists since 3.5
        scanned = processes.descendants(root.pid, processes.snapshot())
        assert sorted(p.pid for p in walked) == sorted(p.pid for p in scanned)
        assert len(walked) >= 6  # (sh,) two scripts, four sleepers
        contained = processes.run_processes(root.pid, None, contained=True)
        assert sorted(p.pid for p in contained) == sorted(p.pid for p in walked)
    finally:
        processes.kill_tree(root.pid, None)
        root.wait()


def test_a_vanished_root_is_an_empty_tree():
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert processes.tree(gone.pid) == []
