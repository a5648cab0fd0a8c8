"""Start-up benchmark: how long a user waits before the first scene, cold, warm and cached, CLI and UI.

    python bench/startup.py [--runs 3]      # ~2-4 minutes on a 2-core machine
    python bench/startup.py --runs 3 --against /tmp/base --no-ui   # side by side with another checkout

Measured side by side in one run, each a real `python app.py` process (wall time of the
whole command, imports included), the headless Paris run in one data folder:

1. cold: no bundled Space running, empty result cache (their described APIs kept in the
   data folder, as after any earlier run on the machine). Target <= 5 s.
2. warm: the bundled Spaces already running (left by the cold run), empty result cache.
   Target <= 1.5 s.
3. cached: the same request again with nothing running: every call is a cache hit.
   Target <= 1.0 s and 0 bundled Spaces started.
4. UI: `python app.py` with the examples' scenes kept in its data folder (rendered at an
   earlier start) and nothing running: from the moment it prints its URL until the page
   and the first example's scene are both served. Target <= 3 s. Also shown: the very
   first start, until the first example's scene is rendered.

Rounds are interleaved (cold, warm, cached, cold, ...); medians are reported. The last
lines read `NAME: VALUE (target OP TARGET) ok|MISS`. Each line shows the 1-minute load
average when it finished: on a shared machine the figures scale with it.

`--against PATH` runs the same headless rounds with the checkout at PATH (e.g. a
`git worktree add /tmp/base <commit>`) interleaved with this one, each in its own data
folder, so both see the same load; it prints that checkout's medians first. Before each
cold run, neither checkout has a bundled Space running.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tools.companions import Fleet, free_port  # noqa: E402

PARIS = "Build a 3D gallery of Paris landmarks"
_URL = re.compile(r"Running on local URL:\s+(http://\S+)")


def _env(data: Path) -> dict[str, str]:
    """The measured commands' environment: as a user's, so Python caches bytecode (see `_BYTECODE_NOTE`)."""
    kept = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "DIORAMA_DATA_DIR": str(data), "DIORAMA_COMPANION_IDLE_S": "600",
            "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING"}


_BYTECODE_NOTE = ("  note: this shell sets PYTHONDONTWRITEBYTECODE=1; the measured commands run without it, as on a "
                  "user's machine, where Python caches the compiled modules after the first run (with it, every run "
                  "compiles Diorama's modules again: about 0.2 s of CPU per process)")


def _headless(data: Path, out: Path, repo: Path = REPO) -> tuple[float, str]:
    """Wall seconds of one `python app.py --prompt PARIS` of the checkout `repo`, and its stdout."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(repo / "app.py"), "--prompt", PARIS, "--out", str(out)],
                          env=_env(data), cwd=data.parent, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the run failed: {done.stderr[-2000:]}")
    return wall, done.stdout


def _started(stdout: str) -> int:
    return sum(1 for line in stdout.splitlines() if line.startswith("[start]") and " ready in " in line)


def _split(stdout: str) -> str:
    found = re.search(r"\[done\] scene: \S+\s+\((.*)\)", stdout)
    return found.group(1) if found else "?"


def _ui(data: Path, *, until_rendered: bool) -> float:
    """Seconds from `python app.py` printing its URL until the page and the first example's scene are served
    (`until_rendered`: until the first example's scene exists at all)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port), "--no-mcp"],
                               env=_env(data), cwd=data.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        url = None
        for line in process.stdout:
            found = _URL.search(line)
            if found:
                url, printed = found.group(1).rstrip("/") + "/", time.monotonic()
                break
        if url is None:
            raise SystemExit("the app exited before printing its URL")
        examples = data / "runs" / "examples"
        while True:
            scenes = sorted(examples.glob("*.glb")) if examples.is_dir() else []
            if scenes and until_rendered:
                return time.monotonic() - printed
            if scenes and not until_rendered:
                page = httpx.get(url, timeout=30)
                scene = httpx.get(f"{url}gradio_api/file={scenes[0]}", timeout=30)
                if page.status_code == 200 and scene.status_code == 200 and scene.content[:4] == b"glTF":
                    return time.monotonic() - printed
            if time.monotonic() - printed > 600:
                raise SystemExit("no example scene after 600 s")
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def _rounds(repo: Path, data: Path, fleet: Fleet, runs: int, label: str) -> tuple[list[float], ...]:
    """`runs` rounds of cold, warm and cached headless runs of `repo`; the first run ever comes first."""
    out = data.parent.parent
    first, stdout = _headless(data, out / "first.glb", repo)
    print(f"  {label}first run ever (fresh data folder): {first:.2f} s wall, {_started(stdout)} started; "
          f"{_split(stdout)}; {_load()}")
    return _more_rounds(repo, data, fleet, runs, label)


def _more_rounds(repo: Path, data: Path, fleet: Fleet, runs: int, label: str,
                 results: tuple[list[float], ...] | None = None) -> tuple[list[float], ...]:
    cold, warm, cached, cached_started = results or ([], [], [], [])
    out = data.parent.parent
    for round_ in range(runs):
        fleet.stop()
        shutil.rmtree(data / "cache", ignore_errors=True)
        wall, stdout = _headless(data, out / "cold.glb", repo)
        cold.append(wall)
        print(f"  {label}round {len(cold)} cold: {wall:.2f} s wall, {_started(stdout)} started; {_split(stdout)}; "
              f"{_load()}")
        shutil.rmtree(data / "cache", ignore_errors=True)
        wall, stdout = _headless(data, out / "warm.glb", repo)
        warm.append(wall)
        print(f"  {label}round {len(warm)} warm: {wall:.2f} s wall, {_started(stdout)} started; {_split(stdout)}; "
              f"{_load()}")
        fleet.stop()
        wall, stdout = _headless(data, out / "cached.glb", repo)
        cached.append(wall)
        cached_started.append(_started(stdout) + len(fleet.running()))
        print(f"  {label}round {len(cached)} cached: {wall:.2f} s wall, {cached_started[-1]} started; "
              f"{_split(stdout)}; {_load()}")
    return cold, warm, cached, cached_started


def _line(name: str, value: float, unit: str, op: str, target: float) -> str:
    ok = value <= target if op == "<=" else value >= target
    return f"{name}: {value:.2f}{unit} (target {op} {target:g}{unit}) {'ok' if ok else 'MISS'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--against", type=Path, help="another checkout to measure interleaved with this one")
    parser.add_argument("--no-ui", dest="ui", action="store_false", help="skip the UI measurement")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="diorama-bench-startup-"))
    data, ui_data, base_data = root / "cli" / "data", root / "ui" / "data", root / "base" / "data"
    for folder in (data, ui_data, base_data):
        folder.mkdir(parents=True)
    fleet, ui_fleet, base_fleet = (Fleet(d / "companions") for d in (data, ui_data, base_data))
    print(f"  load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(_BYTECODE_NOTE)
    try:
        if args.against is None:
            cold, warm, cached, cached_started = _rounds(REPO, data, fleet, args.runs, "")
        else:
            base = _rounds(args.against.resolve(), base_data, base_fleet, 0, "base ")
            mine = _rounds(REPO, data, fleet, 0, "")
            for _ in range(args.runs):
                base_fleet.stop()
                base = _more_rounds(args.against.resolve(), base_data, base_fleet, 1, "base ", base)
                base_fleet.stop()
                mine = _more_rounds(REPO, data, fleet, 1, "", mine)
            cold, warm, cached, cached_started = mine
            print(f"  base ({args.against}) medians: cold {statistics.median(base[0]):.2f} s, warm "
                  f"{statistics.median(base[1]):.2f} s, cached {statistics.median(base[2]):.2f} s")
            print(f"  this checkout medians: cold {statistics.median(cold):.2f} s, warm "
                  f"{statistics.median(warm):.2f} s, cached {statistics.median(cached):.2f} s")
        ui = []
        if args.ui:
            rendered = _ui(ui_data, until_rendered=True)
            print(f"  UI first start ever: first example's scene rendered {rendered:.2f} s after the URL was printed")
            for _ in range(args.runs):
                ui_fleet.stop()
                ui.append(_ui(ui_data, until_rendered=False))
            print(f"  UI restarts (examples kept, nothing running): {', '.join(f'{s:.2f}' for s in ui)} s")
        print(f"  load average at end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        print(_line("cold_paris_s", statistics.median(cold), "s", "<=", 5.0))
        print(_line("warm_paris_s", statistics.median(warm), "s", "<=", 1.5))
        print(_line("cached_rerun_s", statistics.median(cached), "s", "<=", 1.0))
        print(_line("cached_rerun_companions_started", max(cached_started), "", "<=", 0))
        if ui:
            print(_line("ui_example_scene_s", statistics.median(ui), "s", "<=", 3.0))
    finally:
        fleet.stop()
        ui_fleet.stop()
        base_fleet.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
