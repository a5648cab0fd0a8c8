"""Run a bundled Space's app.py as `__main__`, and exit when the Diorama process that started it goes away.

Usage (by tools/companions.py): python -m tools.companion_runner <path/to/app.py> <parent pid>
The Space's own code is untouched: it runs exactly as `python app.py` would.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
import time


def _exit_with_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:  # re-parented: Diorama is gone, even if it was SIGKILLed
            os._exit(0)
        time.sleep(1.0)


def main() -> None:
    app, parent = sys.argv[1], int(sys.argv[2])
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()
    folder = os.path.dirname(os.path.abspath(app))
    sys.path.insert(0, folder)
    sys.argv = [app]
    runpy.run_path(app, run_name="__main__")


if __name__ == "__main__":
    main()
