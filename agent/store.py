"""The run store: every run and every Space call it made, in one SQLite file that survives restarts.

`<data_dir>/diorama.sqlite3`, WAL mode, one connection per thread, so several runs
(threads of one app, or several processes) write at once without losing or mixing
rows.  Runs are recorded when they start (status "running") and again, in full,
from their final chain log (`ChainRunner.on_finished`).  Artifacts stay in the run
folders; `prune` deletes the folders of all but the newest `keep` runs and marks
their rows `pruned`.

Schema (migrations below, applied in order; `schema_version` holds the last one applied):

    runs(run_id PK, request, model, status "running"|"ok"|"error"|"cancelled", started_at, finished_at,
         steps, space_calls, objects, seconds, scene, error, timings JSON, cost JSON, pruned 0|1, recipe,
         owner: who started the run, e.g. "hf:alice" or "browser:<hash>" (`ui.owners`); NULL before migration 3,
         parent: the run an edit changed; NULL for builds)
    calls(id PK, run_id, seq, tool, space, endpoint, status, attempt, started_at, duration_s, error,
          cached 0|1, replayed 0|1, fallback 0|1, inputs JSON, output JSON,
          fault: 1 the Space's fault, 0 not its fault (a rejected input, a cancel), NULL unknown (before migration 4))
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from agent.run import RUN_ID
from agent.run_log import AGENT_STEP, RUN_FINISHED, ChainLog, utc_now

logger = logging.getLogger(__name__)

__all__ = ["MIGRATIONS", "Store", "run_stats"]

FILE_NAME = "diorama.sqlite3"
BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another process's write transaction

MIGRATIONS: list[str] = [
    # 1: runs and their Space calls
    """
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, request TEXT NOT NULL, model TEXT, status TEXT NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT, steps INTEGER DEFAULT 0, space_calls INTEGER DEFAULT 0,
        objects INTEGER DEFAULT 0, seconds REAL, scene TEXT, error TEXT, timings TEXT, cost TEXT,
        pruned INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX runs_started ON runs(started_at);
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(run_id), seq INTEGER NOT NULL,
        tool TEXT, space TEXT, endpoint TEXT, status TEXT, attempt INTEGER, started_at TEXT, duration_s REAL,
        error TEXT, cached INTEGER NOT NULL DEFAULT 0, replayed INTEGER NOT NULL DEFAULT 0,
        fallback INTEGER NOT NULL DEFAULT 0, inputs TEXT, output TEXT
    );
    CREATE INDEX calls_run ON calls(run_id, seq);
    CREATE INDEX calls_space ON calls(space, started_at);
    """,
    # 2: which recipe a run replayed (NULL: planned by the model)
    "ALTER TABLE runs ADD COLUMN recipe TEXT;",
    # 3: who started a run (NULL for runs recorded before: only an admin lists them)
    "ALTER TABLE runs ADD COLUMN owner TEXT; CREATE INDEX runs_owner ON runs(owner, started_at);",
    # 4: whether a failed call was the Space's fault (health ignores rejections: `agent.health`), by endpoint
    "ALTER TABLE calls ADD COLUMN fault INTEGER; CREATE INDEX calls_endpoint ON calls(space, endpoint, started_at);",
    # 5: the run an edit changed (NULL: a build)
    "ALTER TABLE runs ADD COLUMN parent TEXT;",
]

_RUN_COLUMNS = ("run_id", "request", "model", "status", "started_at", "finished_at", "steps", "space_calls",
                "objects", "seconds", "scene", "error", "timings", "cost", "pruned", "recipe", "owner", "parent")


def _while_locked(statement: Callable[[], Any], deadline_s: float = BUSY_TIMEOUT_S) -> Any:
    """Run `statement`, retrying while SQLite says the database is locked (up to `deadline_s`)."""
    give_up = time.monotonic() + deadline_s
    while True:
        try:
            return statement()
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > give_up:  # by error code (primary code of an extended one)
                raise
            time.sleep(0.05)


class Store:
    """The SQLite store of runs and Space calls; thread-safe and shared by processes.

    The file is opened (and migrated) on first use, not at construction.

    Args:
        path: the database file, usually `<data_dir>/diorama.sqlite3`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._migrated = False
        self._migrate_lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "Store":
        return cls(Path(data_dir) / FILE_NAME)

    # ---- connections and migrations ---------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit mode: every write below opens its own BEGIN IMMEDIATE transaction
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            conn.row_factory = sqlite3.Row
            # Switching to WAL can fail at once with "database is locked" while another connection opens the
            # file (SQLite's busy timeout does not cover it): one connection of this process at a time, retried.
            with self._migrate_lock:
                _while_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        if not self._migrated:
            with self._migrate_lock:
                if not self._migrated:
                    self._migrate(conn)
                    self._migrated = True
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        # BEGIN IMMEDIATE: a second process migrating at the same time waits, then finds nothing to do
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in (s.strip() for s in script.split(";")):
                    if statement:
                        conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
                logger.info("run store %s migrated to schema version %d", self.path, version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _write(self, statements: Iterable[tuple[str, tuple[Any, ...]]]) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, args in statements:
                conn.execute(sql, args)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        return self._connection().execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # ---- writing ---------------------------------------------------------------------------

    def record_start(self, run_id: str, request: str, *, model: str = "", recipe: str | None = None,
                     owner: str | None = None) -> None:
        """Record a run as "running" (a resumed run keeps its row, and its original owner, and becomes "running").

        Args:
            owner: who started the run (`ui.owners.Caller.key`); None for in-process and CLI runs.
        """
        self._write([(
            "INSERT INTO runs (run_id, request, model, status, started_at, recipe, owner) "
            "VALUES (?, ?, ?, 'running', ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET status = 'running', "
            "finished_at = NULL",
            (run_id, request, model, utc_now(), recipe, owner))])

    def set_parent(self, run_id: str, parent: str) -> None:
        """Record that run `run_id` is an edit of run `parent`."""
        self._write([("UPDATE runs SET parent = ? WHERE run_id = ?", (parent, run_id))])

    def record_run(self, log: dict[str, Any], *, scene_tools: Iterable[str] = ()) -> None:
        """Record a finished run from its final chain log: the run row and all its Space calls (replacing any).

        Args:
            log: the chain log (`ChainLog.to_dict()`).
            scene_tools: names of the scene-assembly tools, to count the objects in the scene.
        """
        stats = run_stats(log, scene_tools=scene_tools)
        result = log.get("result") or {}
        status = "ok" if result.get("scene") else _ended(log)
        model = log.get("model") or {}
        recipe = model.get("id", "").removeprefix("recipe:") if model.get("provider") == "recipe" else None
        run = (log["run_id"], log.get("request", ""), f"{model.get('provider', '')}:{model.get('id', '')}", status,
               log.get("started_at") or utc_now(), utc_now(), stats["steps"], stats["calls"], stats["objects"],
               stats["seconds"], result.get("scene"), result.get("error"), _json(log.get("timings")),
               _json(log.get("cost")), recipe)
        statements: list[tuple[str, tuple[Any, ...]]] = [(
            "INSERT INTO runs (run_id, request, model, status, started_at, finished_at, steps, space_calls, objects, "
            "seconds, scene, error, timings, cost, recipe) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(run_id) DO UPDATE SET request = excluded.request, model = excluded.model, "
            "status = excluded.status, finished_at = excluded.finished_at, steps = excluded.steps, "
            "space_calls = excluded.space_calls, objects = excluded.objects, seconds = excluded.seconds, "
            "scene = excluded.scene, error = excluded.error, timings = excluded.timings, cost = excluded.cost, "
            "recipe = COALESCE(excluded.recipe, runs.recipe)", run),
            ("DELETE FROM calls WHERE run_id = ?", (log["run_id"],))]
        calls = ChainLog.view(log).calls(finished=True)
        for seq, event in enumerate(calls):
            statements.append((
                "INSERT INTO calls (run_id, seq, tool, space, endpoint, status, attempt, started_at, duration_s, "
                "error, cached, replayed, fallback, inputs, output, fault) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (log["run_id"], seq, event.get("tool"), event.get("space"), event.get("endpoint"), event.get("status"),
                 event.get("attempt"), event.get("started_at"), event.get("duration_s"), event.get("error"),
                 int(bool(event.get("cached"))), int(bool(event.get("replayed"))), int(bool(event.get("fallback"))),
                 _json(event.get("inputs")), _json(event.get("output")),
                 None if event.get("fault") is None else int(bool(event.get("fault"))))))
        self._write(statements)

    def prune(self, runs_dir: Path, *, keep: int) -> list[str]:
        """Delete the folders of finished runs older than the newest `keep` runs; mark them pruned.

        Returns:
            the run ids pruned now. `keep` 0 keeps everything.
        """
        if keep <= 0:
            return []
        rows = self._connection().execute(
            "SELECT run_id FROM runs WHERE pruned = 0 AND status != 'running' AND run_id NOT IN "
            "(SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?)", (keep,)).fetchall()
        pruned = []
        for (run_id,) in rows:
            if not RUN_ID.match(run_id):  # never let a stored value name a path outside the run folders
                continue
            shutil.rmtree(Path(runs_dir) / run_id, ignore_errors=True)
            pruned.append(run_id)
        if pruned:
            self._write([("UPDATE runs SET pruned = 1 WHERE run_id = ?", (r,)) for r in pruned])
            logger.info("pruned %d old run folder(s) from %s", len(pruned), runs_dir)
        return pruned

    # ---- reading ---------------------------------------------------------------------------

    def recent(self, limit: int = 20, *, owner: str | None = None) -> list[dict[str, Any]]:
        """The newest runs first, as dicts (timings and cost decoded).

        Args:
            owner: only the runs of this owner; None lists every run (the CLI, an admin).
        """
        where, args = ("WHERE owner = ? ", (owner,)) if owner is not None else ("", ())
        rows = self._connection().execute(
            f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs {where}ORDER BY started_at DESC, run_id DESC LIMIT ?",
            (*args, max(0, int(limit)))).fetchall()
        return [_run_dict(r) for r in rows]

    def owner(self, run_id: str) -> str | None:
        """Who started a run, or None (no such row, or a run recorded without an owner)."""
        row = self._connection().execute("SELECT owner FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return row[0] if row else None

    def run(self, run_id: str) -> dict[str, Any] | None:
        """One run's row with its Space calls in order ("calls"), or None."""
        conn = self._connection()
        row = conn.execute(f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        record = _run_dict(row)
        record["calls"] = [_call_dict(c) for c in conn.execute(
            "SELECT * FROM calls WHERE run_id = ? ORDER BY seq", (run_id,)).fetchall()]
        return record

    def calls_of(self, space: str, *, limit: int, endpoint: str | None = None) -> list[dict[str, Any]]:
        """The last `limit` real calls to one Space (or one of its endpoints), newest first: cache hits, replays
        and failures that were not the Space's fault (`fault` 0: a rejected input, a cancel) left out."""
        where = "space = ?" + (" AND endpoint = ?" if endpoint is not None else "")
        params = (space, endpoint) if endpoint is not None else (space,)
        rows = self._connection().execute(
            f"SELECT * FROM calls WHERE {where} AND cached = 0 AND replayed = 0 AND status IN ('ok', 'error') "
            "AND (status = 'ok' OR fault IS NULL OR fault = 1) "
            "ORDER BY started_at DESC, id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_call_dict(r) for r in rows]


def run_stats(log: dict[str, Any], *, scene_tools: Iterable[str] = ()) -> dict[str, Any]:
    """Agent steps, Space calls (every attempt, cache hits and replays included), objects in the scene, seconds."""
    events = ChainLog.view(log)
    scene_tools = set(scene_tools)
    steps = {e.get("step") for e in events.of_type(AGENT_STEP)}
    calls = events.calls()
    objects = 0
    for event in reversed(calls):
        if event.get("tool") in scene_tools and event.get("status") == "ok":
            objects = max((len(v) for v in (event.get("inputs") or {}).values() if isinstance(v, list)), default=0)
            break
    seconds = (log.get("timings") or {}).get("total_s")
    return {"steps": len(steps), "calls": len(calls), "objects": objects, "seconds": seconds}


def _ended(log: dict[str, Any]) -> str:
    """"cancelled" or "error", from the run_finished event."""
    ended = ChainLog.view(log).first(RUN_FINISHED) or {}
    return "cancelled" if ended.get("status") == "cancelled" else "error"


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    for key in ("timings", "cost"):
        record[key] = json.loads(record[key]) if record.get(key) else {}
    record["pruned"] = bool(record["pruned"])
    return record


def _call_dict(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    for key in ("inputs", "output"):
        record[key] = json.loads(record[key]) if record.get(key) else None
    for key in ("cached", "replayed", "fallback"):
        record[key] = bool(record[key])
    if record.get("fault") is not None:
        record["fault"] = bool(record["fault"])
    return record
