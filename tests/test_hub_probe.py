"""The Hub probe answers at once, whether something listens or not, and remembers for a minute."""

from __future__ import annotations

import http.server
import threading

from tools.companions import free_port
from tools.hub_probe import hub_reachable


def test_a_listening_server_is_reachable_and_a_dead_port_is_not(monkeypatch):
    from tools import hub_probe

    asked: list[str] = []
    real_head = hub_probe.httpx.head
    monkeypatch.setattr(hub_probe.httpx, "head", lambda url, **kw: asked.append(url) or real_head(url, **kw))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert hub_reachable(f"http://127.0.0.1:{server.server_address[1]}", timeout_s=2) is True
    finally:
        server.shutdown()
    dead = f"http://127.0.0.1:{free_port()}"
    assert hub_reachable(dead, timeout_s=2) is False
    assert hub_reachable(dead, timeout_s=2) is False  # remembered...
    assert [url for url in asked if url.startswith(dead)] == [f"{dead}/api/spaces"]  # ...and asked once, no retries


def test_suggestions_without_a_reachable_hub_fall_back_to_the_catalog(monkeypatch):
    from tools import discovery

    monkeypatch.setattr(discovery, "hub_reachable", lambda: False)  # Fake: a Hub that does not answer, because
    # none can be reached here and the probe must not be sent (the network guard would fail the test)
    result = discovery.suggest("text_to_3d", offline=False)  # as if online, but nothing answers
    assert result["note"] == "Hub search failed (the Hub does not answer); showing the shipped catalog only."
    assert result["suggestions"] and all(s["source"] == "catalog" for s in result["suggestions"])
