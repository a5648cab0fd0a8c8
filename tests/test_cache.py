"""The result cache: a repeated request makes no Space calls; an edited one re-runs only what changed."""

from __future__ import annotations

import json
import os
import time

from agent.runner import ChainRunner
from tools.cache import ResultCache, mark_files


def _calls(log: dict) -> list[dict]:
    return [e for e in log["events"] if e["type"] == "space_call" and e["status"] == "ok"]


def test_repeat_and_edit_reuse_cached_results(companion_urls, settings):
    runner = ChainRunner(settings)
    first = runner.run_to_end("a gallery of a red lighthouse, an oak tree and a windmill")
    assert first.error is None and not any(c.get("cached") for c in _calls(first.log))
    again = ChainRunner(settings).run_to_end("a gallery of a red lighthouse, an oak tree and a windmill")
    assert again.error is None
    assert all(c.get("cached") for c in _calls(again.log)) and len(_calls(again.log)) == 4
    assert again.scene.read_bytes()[:4] == b"glTF"
    edited = ChainRunner(settings).run_to_end("a gallery of a red lighthouse, an oak tree and a blue house")
    fresh = [(c["tool"], c["inputs"].get("prompt")) for c in _calls(edited.log) if not c.get("cached")]
    assert fresh == [("text_to_3d", "blue house"), ("assemble_scene", None)]


def test_cache_disabled_by_setting(companion_urls, settings):
    settings = settings.with_overrides(cache_enabled=False)
    ChainRunner(settings).run_to_end("a windmill")
    again = ChainRunner(settings).run_to_end("a windmill")
    assert not any(c.get("cached") for c in _calls(again.log))


def test_eviction_and_corrupt_entries(tmp_path):
    cache = ResultCache(tmp_path / "cache", max_bytes=3000)
    files = []
    for index in range(3):
        path = tmp_path / f"f{index}.bin"
        path.write_bytes(bytes(1200))
        files.append(path)
        cache.put(f"{index:064x}", {"result": mark_files({"file": str(path), "n": index})})
        time.sleep(0.01)
    # 3 x 1200 bytes > 3000: the least recently used entry was evicted
    assert cache.get(f"{0:064x}", tmp_path / "out", "a_") is None
    hit = cache.get(f"{2:064x}", tmp_path / "out", "b_")
    assert hit["result"]["n"] == 2 and os.path.basename(hit["result"]["file"]) == "b_f2.bin"
    meta = tmp_path / "cache" / f"{1:064x}"[:2] / f"{1:064x}" / "entry.json"
    meta.write_text("{not json")
    assert cache.get(f"{1:064x}", tmp_path / "out", "c_") is None
    assert json.loads((tmp_path / "cache" / f"{2:064x}"[:2] / f"{2:064x}" / "entry.json").read_text())


def test_call_ids_stay_consecutive_and_name_their_assets(companion_urls, settings):
    """A cache lookup that misses takes no call id; a hit's files are named after its event's id."""
    runner = ChainRunner(settings)
    for _ in range(2):  # made, then all cached
        log = runner.run_to_end("a gallery of a red lighthouse, an oak tree and a windmill").log
        calls = [e for e in log["events"] if e["type"] == "space_call" and e["status"] != "running"]
        assert [c["id"] for c in calls] == [f"call-{n}" for n in range(1, len(calls) + 1)]
        for call in calls:
            files = [v for v in (call["output"] or {}).values() if isinstance(v, str) and v.startswith("assets/")]
            assert files and all(f.startswith(f"assets/{call['id']}_") for f in files), call


def test_writes_do_not_walk_the_cache_and_the_size_bound_still_holds(tmp_path):
    cache = ResultCache(tmp_path / "cache", max_bytes=10_000)
    for index in range(20):
        path = tmp_path / f"g{index}.bin"
        path.write_bytes(bytes(1000))
        cache.put(f"{index:064x}", {"result": mark_files({"file": str(path)})})
    assert cache.scans == 1  # the folder was read once, not on each of the 20 writes
    kept = [p for p in (tmp_path / "cache").glob("*/*/entry.json")]
    assert 0 < len(kept) <= 9  # ~1 KB each (plus entry.json) under a 10 KB bound: the oldest went first
    assert cache.get(f"{19:064x}", tmp_path / "out", "x_") is not None
    assert cache.get(f"{0:064x}", tmp_path / "out", "y_") is None
    other = ResultCache(tmp_path / "cache", max_bytes=10_000)  # another process sharing the folder sees them all
    other.evict()
    assert other.scans == 1 and len(list((tmp_path / "cache").glob("*/*/entry.json"))) == len(kept)
