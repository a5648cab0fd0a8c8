"""Run a bundled Space's app.py as `__main__`, and exit when it is no longer used.

Usage (by tools/companions.py):
    python -m tools.companion_runner <path/to/app.py> <parent pid> [<idle s> <heartbeat file> [--also]]

With an idle period (> 0) the companion is shared: it outlives the process that
started it and exits once the heartbeat file (touched by every user before a call)
is older than the idle period. Without one it exits when its parent goes away.
The Space's own code is untouched: it runs exactly as `python app.py` would, except that
two optional packages `import gradio` loads for features a companion does not use are
left out (`_UNUSED`): IPython (notebook magics) and, unless GRADIO_MCP_SERVER asks for an
MCP server, mcp. Gradio imports both inside `try/except ImportError`; leaving them out
saves about a second of CPU on each start (of ~3.5 s, most of a cold run's wait).

Companions started together share one `import gradio` (2.7 of a start's ~3.9 CPU-s): with `--also`
the runner reads a JSON list of further companions from stdin (`Fleet.start_together` writes it:
each one's app, env, log, heartbeat and pid file), imports gradio, and forks one child per entry
before any thread starts (`fork_companions`). Each child takes that companion's environment,
folder and log, writes nothing else, and then runs exactly like a separately started runner: it
is its own OS process, with this module in its command line, found and stopped by its own pid.
The runner writes each child's pid (or 0 when it did not fork: `import gradio` had started a
thread) to the entry's pid file, and reaps its children.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import sys
import threading
import time

from tools.companion_registry import pid_alive


def _exit_with_parent(parent_pid: int) -> None:
    while True:
        # Re-parented (or forked by the first companion of a group) and Diorama is gone, even if it was SIGKILLed.
        if os.getppid() != parent_pid and not pid_alive(parent_pid):
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


def _write_pid(path: str, pid: int) -> None:
    partial = f"{path}.partial"
    with open(partial, "w") as out:
        out.write(str(pid))
    os.replace(partial, path)


def _become(spec: dict, shared: bool) -> None:
    """In a forked child: turn into the companion `spec` describes (process group, environment, folder, log)."""
    if shared:
        os.setpgid(0, 0)  # its own process group, as `Fleet._process_group` gives a separately started one
    os.environ.clear()
    os.environ.update(spec["env"])
    first = os.getcwd()
    folder = os.path.dirname(os.path.abspath(spec["app"]))
    os.chdir(folder)
    sys.path[:] = [p for p in sys.path if p not in ("", first)]  # `-m` put the first companion's folder there
    log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def fork_companions(specs: list[dict], *, shared: bool) -> dict | None:
    """Import gradio once, then fork one process per companion of `specs`.

    Returns:
        In a child: its spec (the caller runs that companion). In this process: None, after writing every
        child's pid to its spec's pid file (0 for each when it could not fork safely) and starting their reapers.
    """
    import gradio  # noqa: F401  (the import the children share)

    if threading.active_count() != 1:  # forking a threaded process is unsafe: let the Fleet start them apart
        for spec in specs:
            _write_pid(spec["pid_file"], 0)
        return None
    children = []
    for spec in specs:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _become(spec, shared)
            return spec
        children.append(pid)
        _write_pid(spec["pid_file"], pid)
    for pid in children:  # started after the forks: no child inherits a thread
        threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True, name=f"reap-{pid}").start()
    return None


def main() -> None:
    app, parent = sys.argv[1], int(sys.argv[2])
    idle_s = float(sys.argv[3]) if len(sys.argv) > 4 else 0.0
    heartbeat = sys.argv[4] if len(sys.argv) > 4 else ""
    also = json.load(sys.stdin) if "--also" in sys.argv[5:] else []
    for name in _unused(dict(os.environ)):
        sys.modules.setdefault(name, None)  # `import name` now raises ImportError, which Gradio expects
    if also:
        spec = fork_companions(also, shared=idle_s > 0)
        if spec is not None:
            app, heartbeat = spec["app"], spec["heartbeat"]
    if idle_s > 0:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # shared: it outlives the terminal of the run that started it
        threading.Thread(target=_exit_when_idle, args=(idle_s, heartbeat), daemon=True, name="idle-watch").start()
    else:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()
    folder = os.path.dirname(os.path.abspath(app))
    sys.path.insert(0, folder)
    sys.argv = [app]
    runpy.run_path(app, run_name="__main__")


if __name__ == "__main__":
    main()
