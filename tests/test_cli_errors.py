"""Unexpected failures on the command line end in one line on stderr (the traceback goes to a debug log), and an
output that cannot be written loses nothing: the run stays in its folder. Real `python app.py` processes."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def _app(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "DIORAMA_DATA_DIR": str(tmp_path / "data"),
           "DIORAMA_DEBUG_LOG": str(tmp_path / "debug.log")}
    return subprocess.run([sys.executable, str(REPO / "app.py"), *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)


def test_an_unexpected_failure_is_one_line_with_a_reference_and_the_traceback_in_the_debug_log(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "diorama.sqlite3").write_bytes(b"not a database " * 64)  # a damaged history file
    done = _app(tmp_path, "--history", "5")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("diorama: Something went wrong (ref ") and str(tmp_path / "debug.log") in line
    assert "Traceback" not in done.stderr and "DatabaseError" in (tmp_path / "debug.log").read_text()


def test_an_output_that_cannot_be_written_keeps_the_run(tmp_path, companion_urls):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log's folder should be")
    done = _app(tmp_path, "--prompt", "a windmill", "--out", str(tmp_path / "w.glb"),
                "--log", str(blocker / "chain.json"))
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("diorama: could not write") and "Pick another --out/--log path" in line
    run_dir = line.split(" are kept in ")[1].split(". Pick")[0]
    assert (tmp_path / "data" / "runs").is_dir() and os.path.isfile(os.path.join(run_dir, "scene.glb"))
