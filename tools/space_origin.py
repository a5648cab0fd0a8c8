"""Staying on a Space's own origin: its config may not send requests elsewhere, its output files are fetched
from it alone (redirects included), and each file has a size cap.

gradio_client, left to itself, downloads any file-shaped value in an output wherever its `url`
points, follows redirects anywhere with the client's headers, and builds every URL from the
config's `api_prefix`. Diorama's clients are made with `download_files=False` and these two
classes instead.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
from gradio_client import Client
from gradio_client.utils import encode_file_path, is_file_obj, is_file_obj_with_meta

from tools.errors import SpaceOutputError, SpaceTimeoutError, RunCancelledError
from tools.origin import Origin, host_of, origin_of  # noqa: F401  (Origin re-exported)
from tools.values import map_leaves

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024  # one file output; a bigger one is refused, not truncated
_MAX_REDIRECTS = 5
_CHUNK = 1 << 16


class ForeignOriginError(ValueError):
    """A Space's config sends requests to another origin (raised inside `Client.__init__`)."""

    def __init__(self, key: str, url: str) -> None:
        super().__init__(f"its config's {key!r} points at {host_of(url)}")
        self.key, self.url = key, url


class OwnOriginClient(Client):
    """A `Client` that refuses a config whose `api_prefix` or `root` lives on another origin.

    gradio_client builds every later URL (API info, queue, heartbeat, uploads) from the
    config's `api_prefix`; checking it before `__init__` goes on means not one request
    leaves for another host.
    """

    def _get_config(self) -> dict:
        config = super()._get_config()
        own = origin_of(self.src)
        prefix = str(config.get("api_prefix") or "")
        for key, value in (("api_prefix", prefix.lstrip("/") + "/"), ("root", str(config.get("root") or ""))):
            url = urllib.parse.urljoin(self.src, value)
            try:
                foreign = origin_of(url) != own
            except ValueError:
                foreign = True
            if foreign:
                raise ForeignOriginError(key, url)
        return config


class OutputFiles:
    """Replaces each file in one call's output by a local copy, fetched from the answering Space only.

    gradio_client (with `download_files` on) fetches any file-shaped value wherever its `url`
    points and follows redirects anywhere, with the client's headers; here every request and
    redirect must stay on the Space's own origin, and a file is at most MAX_DOWNLOAD_BYTES.
    Copies land in `<folder>/<sha256>/<name>`, the layout gradio_client uses.
    """

    def __init__(self, client: Client, folder: Path, *, space: str, endpoint: str, started: float,
                 deadline: float, cancel: threading.Event | None) -> None:
        self.client, self.folder, self.deadline, self.cancel = client, folder, deadline, cancel
        self.space, self.endpoint, self.started = space, endpoint, started
        self.origin = origin_of(client.src)
        self.is_file = is_file_obj_with_meta if client.protocol == "sse_v2.1" else is_file_obj  # as gradio_client

    def __call__(self, value: Any) -> Any:
        return map_leaves(value, lambda leaf: self._file(leaf) if self.is_file(leaf) else leaf, is_leaf=self.is_file)

    def _fields(self) -> dict[str, Any]:
        return {"space": self.space, "endpoint": self.endpoint, "elapsed_s": time.monotonic() - self.started}

    def _file(self, data: dict[str, Any]) -> str:
        root = self.client.src_prefixed
        named = data.get("url") if isinstance(data.get("url"), str) and data.get("url") else None
        if named is not None:  # refused even when unused below: a Space naming another host is hostile or broken
            self._check(urllib.parse.urljoin(root, named))
        stream = bool(data.get("is_stream")) and named is not None
        if stream:
            url = urllib.parse.urljoin(root, named)
            name = Path(urllib.parse.urlsplit(url).path).name
        else:  # as gradio_client does: the Space's own file route, by server path
            url = root + "file=" + encode_file_path(data["path"])
            name = Path(data["path"]).name
        name = "file" if name in ("", ".", "..") else name
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f".part-{secrets.token_hex(8)}"
        try:
            sha = self._get(url, part, by_path=not stream)
            (self.folder / sha).mkdir(exist_ok=True)
            dest = self.folder / sha / name
            part.replace(dest)
        finally:
            part.unlink(missing_ok=True)
        logger.debug("%s %s: downloaded %d bytes", self.space, self.endpoint, dest.stat().st_size)
        return str(dest.resolve())

    def _check(self, url: str) -> None:
        try:
            same = origin_of(url) == self.origin
        except ValueError:
            same = False
        if not same:
            raise SpaceOutputError(
                f"{self.space} {self.endpoint} returned a file at another host ({host_of(url)}); Diorama only "
                "downloads files from the Space that made them. Use another Space or endpoint.", **self._fields())

    def _get(self, url: str, part: Path, *, by_path: bool) -> str:
        """GET `url` into `part`, following same-origin redirects only; returns the content's sha256."""
        where = f"{self.space} {self.endpoint}"
        client = self.client
        for _ in range(_MAX_REDIRECTS + 1):
            self._check(url)
            with httpx.stream("GET", url, headers=client.headers, cookies=client.cookies, verify=client.ssl_verify,
                              follow_redirects=False, timeout=max(1.0, self.deadline - time.monotonic())) as response:
                if response.is_redirect:
                    url = urllib.parse.urljoin(url, response.headers.get("location", ""))
                    continue
                if response.status_code >= 400:
                    how = ("gradio_client took a JSON value with a \"path\" key for a file and the Space refused "
                           "to serve it" if by_path else "the Space refused to serve its output file")
                    raise SpaceOutputError(
                        f"{where} answered, but its output could not be read: {how} (HTTP {response.status_code}). "
                        "Use another endpoint or Space; this one's JSON output cannot be fetched through "
                        "gradio_client.", **self._fields())
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_DOWNLOAD_BYTES:
                    raise self._too_big()
                sha, size = hashlib.sha256(), 0
                with part.open("wb") as out:
                    for chunk in response.iter_bytes(_CHUNK):
                        size += len(chunk)
                        if size > MAX_DOWNLOAD_BYTES:
                            raise self._too_big()
                        if self.cancel is not None and self.cancel.is_set():
                            raise RunCancelledError(f"{where}: cancelled by the user while downloading its output.")
                        if time.monotonic() > self.deadline:
                            raise SpaceTimeoutError(f"{where}: downloading its output ran past the call deadline. "
                                                    "Try again shortly or raise limits.call_timeout_s.",
                                                    **self._fields())
                        sha.update(chunk)
                        out.write(chunk)
                return sha.hexdigest()
        raise SpaceOutputError(f"{where}: its output file redirected more than {_MAX_REDIRECTS} times; not "
                               "downloaded.", **self._fields())

    def _too_big(self) -> SpaceOutputError:
        return SpaceOutputError(f"{self.space} {self.endpoint} returned a file larger than "
                                f"{MAX_DOWNLOAD_BYTES / 2**20:.0f} MB ({MAX_DOWNLOAD_BYTES:,} bytes); Diorama does "
                                "not download files that big. Use a smaller setting or another Space.",
                                **self._fields())



__all__ = ["MAX_DOWNLOAD_BYTES", "ForeignOriginError", "Origin", "OutputFiles", "OwnOriginClient", "host_of",
           "origin_of"]
