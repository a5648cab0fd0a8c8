"""A bundled Space's process: the handle to it, stopping it, and the error that says why it did not start."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tools.companion_registry import pid_alive
from tools.errors import CompanionStartError

__all__ = ["Companion", "cpu_seconds", "log_tail", "signal_and_wait", "start_error"]


@dataclass
class Companion:
    """A running companion Space: started by this process (`process`) or found in the registry."""

    name: str
    url: str
    pid: int
    log_path: Path
    heartbeat: Path | None = None
    process: subprocess.Popen | None = None
    identity: str = ""
    home: Path | None = None

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return pid_alive(self.pid)

    def stop(self, wait_s: float = 5.0) -> None:
        """Terminate the process, then kill it if it is still there after `wait_s`."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=wait_s)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=wait_s)
            return
        signal_and_wait(self.pid, wait_s)


def start_error(companion: Companion, timeout_s: float, elapsed: float, *, setting: str) -> CompanionStartError:
    """The one-line error for a start that failed: which Space, exited or timed out, and its log's last lines.

    Args:
        setting: the setting (and variable) that raises the timeout, named in the message.
    """
    tail = log_tail(companion.log_path)
    shown = tail or "(empty: the process printed nothing yet, it was still importing)"
    if not companion.alive():
        code = companion.process.returncode if companion.process is not None else "unknown"
        return CompanionStartError(
            f"Bundled Space '{companion.name}' exited during start-up (code {code}) after {elapsed:.0f} s. "
            f"Its log {companion.log_path} ends with: {shown}", space=f"local:{companion.name}",
            elapsed_s=elapsed, log_tail=tail)
    cpu = cpu_seconds(companion.pid)
    busy = "" if cpu is None else (f" (it got only {cpu:.1f} CPU-seconds in that time: the machine is overloaded)"
                                   if cpu < elapsed / 2 else f" (still starting after {cpu:.1f} CPU-seconds)")
    return CompanionStartError(
        f"Bundled Space '{companion.name}' did not answer within {timeout_s:g} s{busy}; raise {setting} "
        f"or retry when the machine is less busy. Its log {companion.log_path} ends with: {shown}",
        space=f"local:{companion.name}", elapsed_s=elapsed, log_tail=tail)


def log_tail(path: Path, lines: int = 3, limit: int = 400) -> str:
    try:
        text = path.read_text(errors="replace")[-4000:]
    except OSError:
        return ""
    kept = [" ".join(line.split()) for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept)[-limit:]


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def signal_and_wait(pid: int, wait_s: float) -> None:
    """SIGTERM a process, then SIGKILL it if it is still there after `wait_s`; reap it if it is our child."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                pass  # not our child: init reaps it
            if not pid_alive(pid):
                return
            time.sleep(0.05)
