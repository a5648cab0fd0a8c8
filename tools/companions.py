"""Start the bundled companion Spaces (`spaces/<name>/app.py`) as local servers, once per machine.

Each companion runs in its own process on 127.0.0.1, exactly as it would run as a
Space, and Diorama talks to it over HTTP through gradio_client. A `Fleet` finds the
companions other Diorama processes started (`tools.companion_registry`, in the data
folder), checks them with a quick health call, and starts only what is missing, when
it is first needed. Shared companions outlive the process that started them and exit
on their own after an idle period; a companion whose code changed is restarted.

Companions that must start at the same moment (`ensure` or `prestart` with several names, as a cold
headless run does) share one `import gradio`: their starts meet in a `_Batch`, and `start_together`
spawns one runner that imports gradio once and forks the others (`tools.companion_runner`). Each is
still its own process with its own pid, port, log, registry entry and idle clock; if anything in
that path fails, each missing companion is started on its own as before.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal, Mapping

import httpx

from tools.companion_process import Companion, signal_and_wait, start_error
from tools.companion_registry import CompanionRegistry, Entry, code_identity, pid_alive
from tools.errors import CompanionStartError, SpaceUnavailableError

logger = logging.getLogger(__name__)

SPACES_DIR = Path(__file__).resolve().parent.parent / "spaces"
START_TIMEOUT_S = 180.0  # a loaded 2-core machine can take a minute to import gradio
IDLE_S = 600.0
READY_TIMEOUT_S = START_TIMEOUT_S  # the name older callers use
TIMEOUT_SETTING = "limits.companion_start_timeout_s (DIORAMA_COMPANION_START_TIMEOUT_S)"
_SECRET_NAME = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL", re.I)
_PROGRESS_EVERY_S = 3.0
_GATHER_S = 2.0  # how long a start waits for the other starts of its batch before it goes alone


@dataclass(frozen=True)
class StartProgress:
    """What a companion start is doing, for progress lines and the UI's status."""

    name: str
    state: Literal["starting", "ready", "failed"]
    elapsed_s: float


_known: dict[tuple[str, str, str], Companion] = {}  # (home, name, identity) -> a companion this process uses
_started: list[Companion] = []  # started by this process, oldest first
_observers: list[Callable[[StartProgress], None]] = []
_failures: list[CompanionStartError] = []
_state_lock = threading.Lock()
_name_locks: dict[str, threading.Lock] = {}


def available() -> list[str]:
    """Names of the bundled companion Spaces."""
    return sorted(p.parent.name for p in SPACES_DIR.glob("*/app.py"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, timeout_s: float, alive: Callable[[], bool] = lambda: True,
                       on_wait: Callable[[float], None] | None = None) -> bool:
    """Poll a Gradio app's `/config` until it answers 200 (True), `timeout_s` passes or `alive()` is False.

    Polls every 0.05 s for the first 10 s, so a start of a few seconds is seen within 50 ms of serving, then every
    0.5 s. A poll is a bare TCP connect (refused in microseconds while the app imports); only once the port accepts
    is `/config` asked for, so polling takes no CPU from the start it waits for. `on_wait(elapsed_s)` is called
    between polls.
    """
    started = time.monotonic()
    address = httpx.URL(url)
    while time.monotonic() - started < timeout_s and alive():
        if _accepts(address.host, address.port or 80) and healthy(
                url, timeout_s=min(2.0, max(0.2, timeout_s - (time.monotonic() - started)))):
            return True
        if on_wait is not None:
            on_wait(time.monotonic() - started)
        time.sleep(0.05 if time.monotonic() - started < 10.0 else 0.5)
    return False


def _accepts(host: str, port: int) -> bool:
    """True when something listens on host:port (a TCP connect, no request)."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def healthy(url: str, *, timeout_s: float = 3.0) -> bool:
    """One quick health call: True when the Gradio app at `url` answers `/config` with 200."""
    try:
        return _health_client().get(url.rstrip("/") + "/config", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


_health: list[httpx.Client] = []
_health_lock = threading.Lock()


def _health_client() -> httpx.Client:
    """One client for every health call of the process: `httpx.get` builds a TLS context (about 30 ms of CPU)
    each time, which polling a starting Space would pay dozens of times."""
    with _health_lock:
        if not _health:
            _health.append(httpx.Client())
        return _health[0]


def child_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without the owner's secrets: what a companion process is started with.

    Companions never need a token or key; they run offline on loopback. Dropped: every
    variable whose name contains TOKEN, SECRET, KEY, PASSWORD, PASSWD or CREDENTIAL (HF_TOKEN,
    HUGGING_FACE_HUB_TOKEN, HF_API_TOKEN, HF_TOKEN_PATH, DIORAMA_LLM_API_KEY, OPENAI_API_KEY, ...).
    Kept: the rest (PATH, HOME, GRADIO_*, HF_HUB_OFFLINE, FAULT_TARGET, ...).
    """
    return {name: value for name, value in environ.items() if not _SECRET_NAME.search(name)}


def add_observer(observer: Callable[[StartProgress], None]) -> None:
    """Call `observer` with each start's progress (about every 3 s while waiting, then ready or failed)."""
    with _state_lock:
        _observers.append(observer)


def remove_observer(observer: Callable[[StartProgress], None]) -> None:
    with _state_lock:
        if observer in _observers:
            _observers.remove(observer)


def start_failures() -> list[CompanionStartError]:
    """The start failures of this process, oldest first (the CLI reports the first as its one line)."""
    with _state_lock:
        return list(_failures)


def started_here() -> list[str]:
    """Names of the companions this process started (not those it found running)."""
    with _state_lock:
        return [c.name for c in _started]


def starting_now() -> list[str]:
    """Names of the companions this process is waiting for right now."""
    with _state_lock:
        return sorted(_waiting)


_waiting: set[str] = set()
_unready: dict[int, Companion] = {}  # pid -> a companion this process started that has not answered yet


@atexit.register
def _stop_unready() -> None:
    """At exit, stop the companions still starting: nobody is left to wait for them (a background start, say,
    when another start failed and the CLI gives up). Ready ones are shared and idle out on their own."""
    with _state_lock:
        unready = list(_unready.values())
        _unready.clear()
    for companion in unready:
        companion.stop(wait_s=2.0)
        if companion.home is not None:
            CompanionRegistry(companion.home).remove(companion.name, companion.pid)


class Fleet:
    """The companions of one registry folder: found when running, started when first needed.

    Args:
        home: the registry folder shared by the processes that share companions (the data folder's
            `companions/`); None: a private temporary folder, and companions exit with this process.
        start_timeout_s: how long one start may take before it fails, seconds.
        idle_s: how long a shared companion stays up unused; 0: it exits with the process that started it.
        spaces_dir: where the bundled Spaces' folders are.
    """

    def __init__(self, home: Path | None = None, *, start_timeout_s: float = START_TIMEOUT_S,
                 idle_s: float = IDLE_S, spaces_dir: Path = SPACES_DIR) -> None:
        if home is None:
            home, idle_s = Path(tempfile.mkdtemp(prefix="diorama-companions-")), 0.0
        self.home = Path(home)
        self.registry = CompanionRegistry(self.home)
        self.start_timeout_s = start_timeout_s
        self.idle_s = idle_s
        self.spaces_dir = Path(spaces_dir)
        self._identities: dict[tuple[str, tuple], str] = {}

    def identity(self, name: str, env: Mapping[str, str] | None = None) -> str:
        """The code identity of a companion (`code_identity`), cached until one of its files changes.

        Raises:
            SpaceUnavailableError: there is no bundled Space of that name.
        """
        folder = self.spaces_dir / name
        if not (folder / "app.py").is_file():
            raise SpaceUnavailableError(
                f"No bundled Space named '{name}'; bundled: {', '.join(available()) or 'none'}.",
                space=f"local:{name}")
        environ = self._child_env(env)
        stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")
                             if p.is_file() and "__pycache__" not in p.parts))
        key = (name, (stamp, tuple(sorted((k, v) for k, v in environ.items() if k.startswith(("FAULT_", "SCENE_"))))))
        if key not in self._identities:
            self._identities[key] = code_identity(folder, environ)
        return self._identities[key]

    def url(self, name: str, *, env: Mapping[str, str] | None = None) -> str:
        """The base URL of a running companion, starting it if no process on the machine runs its code.

        Returns:
            e.g. "http://127.0.0.1:40123/".

        Raises:
            CompanionStartError: it exited during start-up or did not answer within the start timeout.
            SpaceUnavailableError: there is no bundled Space of that name.
        """
        return self._url(name, env, None)

    def _url(self, name: str, env: Mapping[str, str] | None, batch: _Batch | None) -> str:
        key = (str(self.home), name, self.identity(name, env))
        companion = _known.get(key)
        if companion is not None and companion.alive():
            self._touch(companion)
            return companion.url
        with _state_lock:
            lock = _name_locks.setdefault(f"{self.home}/{name}", threading.Lock())
        with lock:
            companion = _known.get(key)
            if companion is not None and companion.alive():
                self._touch(companion)
                return companion.url
            companion = self._find_or_start(name, key[2], env, batch)
            _known[key] = companion
            return companion.url

    def in_use(self, name: str) -> bool:
        """True when this process already uses a live companion of that name (no start, no health call)."""
        return any(h == str(self.home) and n == name and c.alive() for (h, n, _), c in list(_known.items()))

    def ensure(self, names: list[str], *, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """`url` for several companions, started in parallel.

        Returns:
            name -> base URL.

        Raises:
            CompanionStartError: the first companion that failed (each failure names its own Space).
        """
        names = list(dict.fromkeys(names))
        urls: dict[str, str] = {}
        errors: list[BaseException] = []
        batch = _Batch(names) if len(names) > 1 else None

        def one(name: str) -> None:
            try:
                urls[name] = self._url(name, env, batch)
            except BaseException as exc:  # re-raised below, in the caller's thread
                errors.append(exc)
            finally:
                if batch is not None:
                    batch.leave(name)

        threads = [threading.Thread(target=one, args=(n,), name=f"start-{n}") for n in names[1:]]
        for thread in threads:
            thread.start()
        if names:
            one(names[0])
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return {n: urls[n] for n in names}

    def prestart(self, names: list[str]) -> None:
        """Start these companions in the background, if they are not running (errors come with the first call)."""
        names = list(dict.fromkeys(names))
        batch = _Batch(names) if len(names) > 1 else None
        for name in names:
            threading.Thread(target=self._quietly, args=(name, batch), daemon=True, name=f"prestart-{name}").start()

    def running(self) -> dict[str, Entry]:
        """The companions of this folder whose process is alive, by name."""
        return self.registry.entries()

    def stop(self) -> list[str]:
        """Stop every companion of this folder now, whoever started it.

        Returns:
            The names stopped.
        """
        entries = self.registry.entries()
        for entry in entries.values():
            signal_and_wait(entry.pid, 5.0)
            self.registry.remove(entry.name, entry.pid)
        with _state_lock:
            for key, companion in list(_known.items()):
                if companion.home == self.home:
                    del _known[key]
        return sorted(entries)

    # ---- internals ----------------------------------------------------------------------------

    def _quietly(self, name: str, batch: _Batch | None = None) -> None:
        try:
            self._url(name, None, batch)
        except Exception as exc:  # the first real call raises it again, with its own message
            logger.info("background start of %s failed: %s", name, exc)
        finally:
            if batch is not None:
                batch.leave(name)

    def _touch(self, companion: Companion) -> None:
        if companion.heartbeat is not None:
            try:
                os.utime(companion.heartbeat)
            except OSError:
                pass

    def _find_or_start(self, name: str, identity: str, env: Mapping[str, str] | None,
                       batch: _Batch | None = None) -> Companion:
        try:
            with self.registry.starting(name, timeout_s=self.start_timeout_s + 30):
                entry = self.registry.entries().get(name)
                if entry is not None and entry.identity == identity and (healthy(entry.url) or wait_until_serving(
                        entry.url, self.start_timeout_s, alive=lambda: pid_alive(entry.pid))):  # slow, not dead
                    self.registry.touch(name)
                    logger.info("bundled Space %s: using the one already running at %s (pid %d)",
                                name, entry.url, entry.pid)
                    return Companion(name=name, url=entry.url, pid=entry.pid, log_path=Path(entry.log),
                                     heartbeat=self.registry.heartbeat(name), identity=identity, home=self.home)
                if entry is not None:
                    why = "its code changed" if entry.identity != identity else "it did not answer a health call"
                    logger.warning("bundled Space %s (pid %d): restarting, %s", name, entry.pid, why)
                    signal_and_wait(entry.pid, 5.0)
                    self.registry.remove(name, entry.pid)
                return self._start(name, identity, env, batch)
        except TimeoutError as exc:  # filelock.Timeout is a TimeoutError
            raise CompanionStartError(
                f"Bundled Space '{name}' is being started by another Diorama process that has held its start lock "
                f"for over {self.start_timeout_s + 30:g} s; stop it with `python app.py --stop-companions` and "
                f"retry, or raise {TIMEOUT_SETTING}.", space=f"local:{name}") from exc

    def _start(self, name: str, identity: str, env: Mapping[str, str] | None,
               batch: _Batch | None = None) -> Companion:
        self.registry.touch(name)  # the idle clock starts now
        launch = self._launch(name, self._child_env(env), identity)
        companion = batch.join(self, launch) if batch is not None else None
        companion = companion or self._popen(launch)
        self.registry.put(Entry(name=name, url=companion.url, port=int(companion.url.rsplit(":", 1)[1].strip("/")),
                                pid=companion.pid, identity=identity, log=str(companion.log_path),
                                idle_s=self.idle_s, started_at=time.time()))
        with _state_lock:
            _unready[companion.pid] = companion
        try:
            self.wait_ready(companion)
        except CompanionStartError:
            companion.stop()
            self.registry.remove(name, companion.pid)
            raise
        finally:
            with _state_lock:
                _unready.pop(companion.pid, None)
        with _state_lock:
            _started.append(companion)
        return companion

    def _child_env(self, env: Mapping[str, str] | None) -> dict[str, str]:
        return {**child_env(os.environ), **(env or {})}

    def _launch(self, name: str, environ: Mapping[str, str], identity: str = "") -> _Launch:
        app = self.spaces_dir / name / "app.py"
        if not app.is_file():
            raise SpaceUnavailableError(
                f"No bundled Space named '{name}'; bundled: {', '.join(available()) or 'none'}.",
                space=f"local:{name}")
        port = free_port()
        env = {
            **child_env(environ),
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(port),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_OFFLINE": "1",
            "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # nor a saved login (huggingface-cli login) in their Hub calls
            "PYTHONUNBUFFERED": "1",
        }
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SPACES_DIR.parent), env.get("PYTHONPATH")]))
        logs = self.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return _Launch(name=name, app=app, port=port, env=env, log_path=logs / f"{name}-{port}.log",
                       heartbeat=self.registry.heartbeat(name), identity=identity)

    def _runner(self, launch: _Launch) -> list[str]:
        return [sys.executable, "-m", "tools.companion_runner", str(launch.app), str(os.getpid()),
                f"{self.idle_s:g}", str(launch.heartbeat)]

    def _companion(self, launch: _Launch, pid: int, process: subprocess.Popen | None) -> Companion:
        return Companion(name=launch.name, url=f"http://127.0.0.1:{launch.port}/", pid=pid, log_path=launch.log_path,
                         heartbeat=launch.heartbeat, process=process, identity=launch.identity, home=self.home)

    def _process_group(self) -> int | None:
        """A shared companion gets its own process group (a Ctrl-C in the starter's terminal does not reach it; its
        runner ignores SIGHUP), but stays in the starter's session. Not a new session: Linux schedules each session
        as its own autogroup, and on a saturated machine a new autogroup can starve. Measured here (kernel 6.18,
        two busy loops and the suite running): `import gradio` took 246 s in a new session and 8 s beside it."""
        return 0 if self.idle_s > 0 else None

    def _popen(self, launch: _Launch) -> Companion:
        with launch.log_path.open("wb") as log:
            process = subprocess.Popen(self._runner(launch), cwd=launch.app.parent, env=launch.env, stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       process_group=self._process_group())
        return self._companion(launch, process.pid, process)

    def start_together(self, launches: list[_Launch]) -> tuple[Companion, dict[str, Path]] | None:
        """Spawn one runner for several companions: it imports gradio once and forks the others.

        Returns:
            The first companion, and each other one's pid file (the runner writes the forked pid, or 0 when it
            did not fork); None when they cannot share a start (their environments differ beyond the port).
        """
        def shape(launch: _Launch) -> dict[str, str]:
            return {k: v for k, v in launch.env.items() if k != "GRADIO_SERVER_PORT"}

        first, others = launches[0], launches[1:]
        if not others or any(shape(o) != shape(first) for o in others):
            return None
        pid_files = {o.name: o.log_path.with_suffix(".pid") for o in others}
        for path in pid_files.values():
            path.unlink(missing_ok=True)
        specs = [{"app": str(o.app), "env": o.env, "log": str(o.log_path), "heartbeat": str(o.heartbeat),
                  "pid_file": str(pid_files[o.name])} for o in others]
        with first.log_path.open("wb") as log:
            process = subprocess.Popen(self._runner(first) + ["--also"], cwd=first.app.parent, env=first.env,
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.PIPE,
                                       process_group=self._process_group())
        try:
            with process.stdin:  # the environments travel through the pipe, never a file
                process.stdin.write(json.dumps(specs).encode())
        except OSError:
            pass  # it died at once: the others wait for no pid and start on their own
        return self._companion(first, process.pid, process), pid_files

    def _forked(self, launch: _Launch, pid_file: Path, first: Companion) -> Companion | None:
        """The companion the first of a batch forks for `launch`, once its pid is known; None: start it alone."""
        started = time.monotonic()
        last = 0.0
        while time.monotonic() - started < self.start_timeout_s:
            alive = first.alive()
            try:
                pid = int(pid_file.read_text())
            except (OSError, ValueError):
                pid = None
            if pid is not None:
                pid_file.unlink(missing_ok=True)
                return self._companion(launch, pid, None) if pid > 0 else None
            if not alive:
                return None
            elapsed = time.monotonic() - started
            if elapsed - last >= _PROGRESS_EVERY_S:  # the shared `import gradio` is most of the start
                last = elapsed
                _notify(StartProgress(launch.name, "starting", elapsed))
            try:
                os.utime(launch.heartbeat)  # starting is using, as in `wait_ready`
            except OSError:
                pass
            time.sleep(0.05)
        return None

    def wait_ready(self, companion: Companion, timeout_s: float | None = None) -> None:
        """Wait until a just-started companion answers, reporting progress to the observers.

        Raises:
            CompanionStartError: it exited, or did not answer within `timeout_s` (default: the start timeout).
        """
        timeout_s = self.start_timeout_s if timeout_s is None else timeout_s
        last = [0.0]

        def waiting(elapsed: float) -> None:
            self._touch(companion)  # starting is using: a tiny idle period must not end the start
            if elapsed - last[0] >= _PROGRESS_EVERY_S:
                last[0] = elapsed
                _notify(StartProgress(companion.name, "starting", elapsed))

        with _state_lock:
            _waiting.add(companion.name)
        started = time.monotonic()
        try:
            _notify(StartProgress(companion.name, "starting", 0.0))
            ready = wait_until_serving(companion.url, timeout_s, alive=companion.alive, on_wait=waiting)
        finally:
            with _state_lock:
                _waiting.discard(companion.name)
        elapsed = time.monotonic() - started
        if ready:
            logger.info("bundled Space %s ready at %s in %.1f s", companion.name, companion.url, elapsed)
            _notify(StartProgress(companion.name, "ready", elapsed))
            return
        error = start_error(companion, timeout_s, elapsed, setting=TIMEOUT_SETTING)
        with _state_lock:
            _failures.append(error)
        _notify(StartProgress(companion.name, "failed", elapsed))
        raise error


@dataclass(frozen=True)
class _Launch:
    """Everything one companion process is started with."""

    name: str
    app: Path
    port: int
    env: dict[str, str]
    log_path: Path
    heartbeat: Path
    identity: str


class _Batch:
    """The starts of companions asked for together: the first to reach its spawn waits (up to `_GATHER_S`) for the
    others that also need one, then `Fleet.start_together` spawns them as one runner. A start that finds its
    companion running, fails, or comes late leaves the batch and, if it must still spawn, spawns alone."""

    def __init__(self, names: list[str]) -> None:
        self._pending = set(names)
        self._launches: dict[str, _Launch] = {}
        self._group: dict[str, _Launch] | None = None
        self._result: tuple[Companion, dict[str, Path]] | None = None
        self._done = False
        self._cond = threading.Condition()

    def leave(self, name: str) -> None:
        with self._cond:
            self._pending.discard(name)
            self._cond.notify_all()

    def join(self, fleet: Fleet, launch: _Launch) -> Companion | None:
        """This start's companion when the batch started it; None: spawn it alone."""
        with self._cond:
            if self._group is not None:
                return None  # too late: the batch has gone
            self._launches[launch.name] = launch
            self._pending.discard(launch.name)
            self._cond.notify_all()
            deadline = time.monotonic() + _GATHER_S
            while self._pending and self._group is None and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            leader = self._group is None
            if leader:
                self._group = dict(self._launches)
        if leader:
            result = None
            try:
                if len(self._group) > 1:
                    result = fleet.start_together(list(self._group.values()))
            except Exception:  # any failure: each starts on its own
                logger.exception("starting %s together failed; starting them one by one", ", ".join(self._group))
            with self._cond:
                self._result, self._done = result, True
                self._cond.notify_all()
        with self._cond:
            while not self._done:
                self._cond.wait()
            result = self._result
        if result is None:
            return None
        first, pid_files = result
        if launch.name == first.name:
            return first
        return fleet._forked(launch, pid_files[launch.name], first)


def _notify(progress: StartProgress) -> None:
    with _state_lock:
        observers = list(_observers)
    for observer in observers:
        try:
            observer(progress)
        except Exception:  # a broken observer must not break a start
            logger.exception("companion progress observer failed")


# ---- the process's default fleet, and the functions older callers use -----------------------------

_default: Fleet | None = None


def use(fleet: Fleet) -> Fleet:
    """Make `fleet` the one `ensure_started` and `default_fleet` use in this process."""
    global _default
    _default = fleet
    return fleet


def default_fleet() -> Fleet:
    """The fleet set by `use`, or a private one whose companions exit with this process."""
    global _default
    with _state_lock:
        if _default is None:
            _default = Fleet()
        return _default


def ensure_started(names: list[str], *, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Start the named companions (those not already running) and wait until they answer.

    Returns:
        name -> base URL, e.g. {"text_to_3d": "http://127.0.0.1:40123/"}.

    Raises:
        SpaceUnavailableError: a companion is unknown, crashed, or did not start in time.
    """
    return default_fleet().ensure(names, env=env)


def stop_all() -> None:
    """Stop every companion this process started (tests and benchmarks; shared ones otherwise idle out)."""
    with _state_lock:
        mine, _started[:] = list(_started), []
        for key, companion in list(_known.items()):
            if companion in mine:
                del _known[key]
    for companion in mine:
        companion.stop()
        if companion.home is not None:
            CompanionRegistry(companion.home).remove(companion.name, companion.pid)
