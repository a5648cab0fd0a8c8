"""Space clients share one TLS context that still verifies certificates (tools.spaces.tls_context)."""

from __future__ import annotations

import ssl

from tools.spaces import SpaceSession, tls_context


def test_every_client_shares_one_verifying_tls_context(companion_urls, tmp_path):
    sessions = [SpaceSession(companion_urls[name], label=f"local:{name}", download_dir=tmp_path / name,
                             connect_timeout_s=60) for name in ("text_to_3d", "scene_builder")]
    try:
        contexts = [session.client().ssl_verify for session in sessions]
    finally:
        for session in sessions:
            session.close()
    assert contexts[0] is contexts[1] is tls_context()  # built once, not per request
    assert isinstance(contexts[0], ssl.SSLContext)
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED and contexts[0].check_hostname  # not a cheaper "no verify"
