"""Run the UI's ES modules in Node (installed with the test tools) and read back what they print."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest


def node_eval(script: str, timeout_s: float = 60) -> object:
    """Run an ES module script in Node and return what it prints as JSON; skip the test if Node is missing."""
    node = shutil.which("node")
    if not node:
        pytest.skip("needs node (installed with the test tools)")
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True,
                          timeout=timeout_s)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
