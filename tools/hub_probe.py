"""Is the Hugging Face Hub reachable? One quick HTTP probe, remembered for a minute.

huggingface_hub retries a failed request with backoff (about 25 s in all) before
it gives up; the optional Hub lookups (Space cards, Hub search) ask this first,
so a machine without internet answers at once instead.
"""

from __future__ import annotations

import threading
import time

import httpx

_REMEMBER_S = 60.0
_lock = threading.Lock()
_last: dict[str, tuple[float, bool]] = {}


def hub_reachable(endpoint: str | None = None, *, timeout_s: float = 3.0) -> bool:
    """True when the Hub (`HF_ENDPOINT`, default https://huggingface.co), or another `endpoint` such as HF
    Inference's router, answers HTTP within `timeout_s` (name lookup included)."""
    if endpoint is None:
        from huggingface_hub import constants

        endpoint = constants.ENDPOINT
    now = time.monotonic()
    with _lock:
        seen = _last.get(endpoint)
        if seen is not None and now - seen[0] < _REMEMBER_S:
            return seen[1]
    answered: list[bool] = []

    def probe() -> None:
        try:
            httpx.head(endpoint.rstrip("/") + "/api/spaces", timeout=timeout_s)
            answered.append(True)
        except (httpx.HTTPError, OSError):
            answered.append(False)

    # in a thread: a name lookup with no DNS server can block for many seconds, past any httpx timeout
    worker = threading.Thread(target=probe, name="hub-probe", daemon=True)
    worker.start()
    worker.join(timeout_s)
    reachable = bool(answered and answered[0])
    with _lock:
        _last[endpoint] = (now, reachable)
    return reachable
