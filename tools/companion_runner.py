"""Run a bundled Space's app.py as `__main__`, and exit when it is no longer used.

Usage (by tools/companions.py):
    python -m tools.companion_runner <path/to/app.py> <parent pid> [<idle s> <heartbeat file>]

With an idle period (> 0) the companion is shared: it outlives the process that
started it and exits once the heartbeat file (touched by every user before a call)
is older than the idle period. Without one it exits when its parent goes away.
The Space's own code is untouched: it runs exactly as `python app.py` would, except that
two optional packages `import gradio` loads for features a companion does not use are
left out (`_UNUSED`): IPython (notebook magics) and, unless GRADIO_MCP_SERVER asks for an
MCP server, mcp. Gradio imports both inside `try/except ImportError`; leaving them out
saves about a second of CPU on each start (of ~3.5 s, most of a cold run's wait).
"""

from __future__ import annotations

import os
import runpy
import socket
import sys
import threading
import time


def _exit_with_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:  # re-parented: Diorama is gone, even if it was SIGKILLed
            os._exit(0)
        time.sleep(1.0)


def _serving(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _exit_when_idle(idle_s: float, heartbeat: str) -> None:
    port = int(os.environ.get("GRADIO_SERVER_PORT", "0"))
    while port and not _serving(port):  # the idle clock starts once the Space serves, however slow its start
        time.sleep(0.2)
    try:
        os.utime(heartbeat)
    except OSError:
        pass
    while True:
        time.sleep(min(5.0, max(0.2, idle_s / 4)))
        try:
            last = os.stat(heartbeat).st_mtime
        except FileNotFoundError:
            last = 0.0  # the folder was removed: nobody can find this companion any more
        if time.time() - last > idle_s:
            os._exit(0)


def _unused(environ: dict[str, str]) -> tuple[str, ...]:
    """The optional packages this companion's Gradio need not import."""
    wants_mcp = environ.get("GRADIO_MCP_SERVER", "").lower() in ("true", "1", "yes")
    return ("IPython",) if wants_mcp else ("IPython", "mcp")


def main() -> None:
    app, parent = sys.argv[1], int(sys.argv[2])
    for name in _unused(dict(os.environ)):
        sys.modules.setdefault(name, None)  # `import name` now raises ImportError, which Gradio expects
    idle_s = float(sys.argv[3]) if len(sys.argv) > 4 else 0.0
    if idle_s > 0:
        threading.Thread(target=_exit_when_idle, args=(idle_s, sys.argv[4]), daemon=True, name="idle-watch").start()
    else:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()
    folder = os.path.dirname(os.path.abspath(app))
    sys.path.insert(0, folder)
    sys.argv = [app]
    runpy.run_path(app, run_name="__main__")


if __name__ == "__main__":
    main()
