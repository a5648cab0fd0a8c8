"""Hostile-GLB benchmark: each file of the hostile corpus sent to a real scene builder Space, side by side.

Run it from the repository root (offline; starts `spaces/scene_builder/app.py` on 127.0.0.1):

    python bench/hostile_glb.py
    python bench/hostile_glb.py --memory-mb 1536 --repeat 3

The corpus is the one tests/spaces/test_scene_hostile.py builds (sparse out-of-range indices, unlisted
Draco/meshopt, 12 empty accessors with huge counts, one mesh instanced by 3,000 nodes, a 19 MB triangle
strip, a 9400 x 9400 PNG, a JPEG header claiming 20000 x 20000), plus the baseline: a normal
8-object scene, and the heaviest work the limits let through (one file of 1,996,002 triangles,
two of them, the 4,000,000-triangle gallery limit; three are refused before loading).

For each case it prints the outcome, the time to the answer (client side, upload included, median
of --repeat calls) and the peak RSS of the assembly child that handled it (the Space logs it for
every child); the last lines give the server process's own peak RSS (VmHWM) and whether every
child stayed under the target (1.5 GB by default).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from tests.spaces.test_scene_hostile import (  # noqa: E402
    _instanced, build_corpus, normal_objects, peaks_from_log, running_space, server_peak_mb,
)


def _one(client: Client, paths: list[Path], log: Path) -> tuple[str, float, float | None]:
    """(outcome, seconds to the answer, peak RSS MiB of the child that handled it)."""
    seen = len(peaks_from_log(log.read_text(errors="replace")))
    started = time.perf_counter()
    try:
        client.predict([handle_file(str(p)) for p in paths], "", "Bench", api_name="/assemble")
        outcome = "ok"
    except AppError as exc:
        outcome = "refused: " + exc.message
    elapsed = time.perf_counter() - started
    for _ in range(50):  # the log line is written just before the answer; give the file a moment
        peaks = peaks_from_log(log.read_text(errors="replace"))
        if len(peaks) > seen:
            return outcome, elapsed, peaks[-1][1]
        time.sleep(0.05)
    return outcome, elapsed, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=1536, help="SCENE_BUILDER_MEMORY_MB of the Space")
    parser.add_argument("--target-mb", type=float, default=1536, help="peak RSS each child must stay under")
    parser.add_argument("--repeat", type=int, default=1, help="calls per file (median time, max peak)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    corpus = build_corpus(work / "corpus")
    cases = [(name, [path]) for name, (path, _) in sorted(corpus.items())]
    normal = normal_objects(work / "normal", 8)
    cases.append(("baseline: 8 normal objects", normal))
    heavy = work / "heavy_1996002.glb"  # a 1000 x 1000 grid: just under the 2,000,000-triangle file limit
    heavy.write_bytes(_instanced(1, (1000, 1000)))
    cases.append(("largest file allowed (1,996,002 tris)", [heavy]))
    cases.append(("largest gallery allowed (2 x that)", [heavy] * 2))
    cases.append(("gallery over the limit (3 x that)", [heavy] * 3))
    log = work / "scene_builder.log"
    rows = []
    with running_space(log, {"SCENE_BUILDER_MEMORY_MB": str(args.memory_mb)}) as (url, process):
        client = Client(url, verbose=False, download_files=str(work / "dl"))
        client.predict([handle_file(str(normal[0]))], "", "Warm-up", api_name="/assemble")
        for name, paths in cases:
            runs = [_one(client, paths, log) for _ in range(args.repeat)]
            size = sum(p.stat().st_size for p in paths)
            peaks = [r[2] for r in runs if r[2] is not None]
            rows.append((name, size, runs[0][0], statistics.median(r[1] for r in runs),
                         max(peaks) if peaks else None))
        server_mb = server_peak_mb(process.pid)
        alive = process.poll() is None

    width = max(len(r[0]) for r in rows)
    print(f"{'file':<{width}}  {'bytes':>12}  {'answer_s':>8}  {'child_peak_MB':>13}  outcome")
    for name, size, outcome, elapsed, peak in rows:
        shown = "?" if peak is None else f"{peak:.0f}"
        print(f"{name:<{width}}  {size:>12,}  {elapsed:>8.2f}  {shown:>13}  {outcome[:110]}")
    worst = max((r[4] for r in rows if r[4] is not None), default=0.0)
    print(f"server process peak RSS (VmHWM): {server_mb:.0f} MB; still serving: {alive}")
    print(f"hostile_glb worst_child_peak_MB={worst:.0f} target_MB={args.target_mb:.0f} "
          f"{'OK' if worst <= args.target_mb and server_mb <= args.target_mb else 'OVER'}")


if __name__ == "__main__":
    main()
