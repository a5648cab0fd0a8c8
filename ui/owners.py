"""Who is calling, and which runs they may see: the one place that decides run ownership.

A caller's key, first that applies:

    "hf:<username>"        signed in with Hugging Face (a Space with `hf_oauth: true`; needs `gradio[oauth]`)
    "user:<username>"      signed in with the app's own `launch(auth=...)`
    "key:<hash>"           an API client that sends its own secret in the `x-diorama-owner` header
                           (at least 16 characters; the same secret from any process or machine is the same owner)
    "browser:<hash>"       the UI: a random id kept in the browser's localStorage (`gr.BrowserState`)
    "session:<hash>"       any other API client: its Gradio session (one `gradio_client.Client`, one MCP session)
    "local"                in-process calls with no request

Keys hold hashes, never the secrets.  The access model: listing (`/history`, the History tab) shows only the
caller's own runs; one run (`/status`, `/run`, `/cancel`, `/resume`, the UI's viewers) is open to its owner and to
whoever holds its full run id, whose last 16 hex digits are 64 random bits (a capability, like an unlisted
link).  A run id with a shorter random part (older runs) opens only for its owner.  A caller whose
`x-diorama-admin` header matches the DIORAMA_ADMIN_TOKEN environment variable sees every run.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, ContextManager

from agent.run import check_run_id
from tools.errors import DioramaError, InvalidInputError

OWNER_HEADER = "x-diorama-owner"
ADMIN_HEADER = "x-diorama-admin"
MIN_SECRET_CHARS = 16
CAPABILITY = re.compile(r"-[0-9a-f]{16,}$")  # run ids made by ChainRunner.run end in 16 random hex digits


class NotYoursError(DioramaError, PermissionError):
    """A run that belongs to someone else, asked for without its full run id."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: `key` is stored as the owner of the runs they start; `admin` may see every run."""

    key: str
    admin: bool = False


@dataclass(frozen=True)
class Access:
    """What the app's tabs use to check callers, built once in `ui.blocks.build_demo`.

    caller(request, browser_id) -> Caller; allowed(run_id, caller) -> the checked run id (or a gr.Error);
    admit(request, text, what=...) -> a ticket of the per-client limits (a context manager), the text checked
    first; browser: the BrowserState holding the UI's owner id (an event input); errors() -> a context manager
    turning Diorama's errors into gr.Error without server paths.
    """

    caller: Callable[..., Caller]
    allowed: Callable[[Any, Caller], str]
    admit: Callable[..., ContextManager[Any]]
    browser: Any
    errors: Callable[[], ContextManager[None]]


def oauth_available() -> bool:
    """True on a Space with `hf_oauth: true` (Gradio read OAUTH_CLIENT_ID) when `gradio[oauth]` is installed."""
    import importlib.util

    from gradio import oauth

    return bool(oauth.OAUTH_CLIENT_ID) and importlib.util.find_spec("authlib") is not None


def identify(request: Any, *, browser_id: Any = None, admin_token: str | None = None) -> Caller:
    """The caller behind a gr.Request (None: in-process).

    Args:
        request: the event's gr.Request, or None.
        browser_id: the UI's BrowserState value (a random id), for UI events.
        admin_token: the owner's token; a request whose `x-diorama-admin` header equals it is an admin.

    Raises:
        InvalidInputError: an `x-diorama-owner` header shorter than 16 characters.
    """
    if request is None:
        return Caller("local")
    headers = _headers(request)
    admin = bool(admin_token) and hmac.compare_digest(headers.get(ADMIN_HEADER, "").encode(),
                                                      str(admin_token).encode())
    user = _oauth_user(request)
    if user:
        return Caller(f"hf:{user}", admin)
    username = getattr(request, "username", None)
    if isinstance(username, str) and username:
        return Caller(f"user:{username}", admin)
    secret = headers.get(OWNER_HEADER, "")
    if secret:
        if len(secret) < MIN_SECRET_CHARS:
            raise InvalidInputError(f"The {OWNER_HEADER} header must be a secret of at least {MIN_SECRET_CHARS} "
                                    f"characters (e.g. from `python -c 'import secrets; print(secrets.token_hex())'`)"
                                    f", got {len(secret)} characters.")
        return Caller(f"key:{_digest(secret)}", admin)
    if isinstance(browser_id, str) and len(browser_id) >= MIN_SECRET_CHARS:
        return Caller(f"browser:{_digest(browser_id)}", admin)
    session = getattr(request, "session_hash", None)
    if isinstance(session, str) and session:
        return Caller(f"session:{_digest(session)}", admin)
    return Caller("anonymous", admin)


def check_access(store: Any, run_id: Any, caller: Caller) -> str:
    """The checked run id if `caller` may open that run: its owner, an admin, or the holder of its full id.

    Raises:
        InvalidInputError: not a run id.
        NotYoursError: a short run id of a run that is not the caller's.
    """
    text = check_run_id(run_id)
    if caller.admin or CAPABILITY.search(text):
        return text
    if store.owner(text) == caller.key:
        return text
    raise NotYoursError(f"Run '{text}' is not yours: only the browser, account or API key that started it may "
                        "open it by a short id. Use the full run_id that /build or /start returned (it ends in 16 "
                        "hex digits), or /history for your own runs.")


def check_edit_access(store: Any, run_id: Any, caller: Caller) -> str:
    """The checked run id if `caller` may edit that run's scene: only its owner (or an admin), even with the full id.

    Raises:
        InvalidInputError: not a run id, or no such run.
        NotYoursError: the run is someone else's.
    """
    text = check_run_id(run_id)
    owner = store.owner(text)
    if caller.admin or (owner is not None and owner == caller.key):
        return text
    if owner is None and store.run(text) is None:
        raise InvalidInputError(f"No run has the id {text!r}. Use the run_id that /build or /edit returned; /history "
                                "lists yours.")
    raise NotYoursError(f"Run '{text}' is not yours to edit: only the browser, account or API key that made a scene "
                        "may change it. Build your own with /build (or open this one read-only with /run).")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _headers(request: Any) -> dict[str, str]:
    headers = getattr(request, "headers", None) or {}
    try:
        return {str(k).lower(): str(v) for k, v in dict(headers).items()}
    except (TypeError, ValueError):
        return {}


def _oauth_user(request: Any) -> str | None:
    """The signed-in Hugging Face user, from the session Gradio's OAuth keeps (absent without OAuth)."""
    underlying = getattr(request, "request", None) or request
    scope = getattr(underlying, "scope", None)
    session = scope.get("session") if isinstance(scope, dict) else None
    info = session.get("oauth_info") if isinstance(session, dict) else None
    if not isinstance(info, dict):
        return None
    expires = info.get("expires_at")
    if isinstance(expires, (int, float)) and expires < time.time():
        return None
    user = (info.get("userinfo") or {}).get("preferred_username")
    return user if isinstance(user, str) and user else None


__all__ = ["ADMIN_HEADER", "OWNER_HEADER", "Access", "Caller", "NotYoursError", "check_access", "check_edit_access",
           "identify", "oauth_available"]
