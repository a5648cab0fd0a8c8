"""The one rule for file arguments: a tool may be sent only files that live under an allowed folder.

Every caller that hands a file to a Space (the agent's code through the broker,
the Tools tab's *Try it*, recipe replay, the planner) goes through
`allowed_file`. The check runs on the resolved real path of the value as the
broker received it (plain data, not an object whose `__str__` could change), and
the same resolved path is what is then uploaded, so nothing can be swapped
between the check and the use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Sequence

from tools.errors import InvalidInputError


def allowed_file(value: Any, roots: Sequence[Path], *, base: Path | None = None, what: str = "file") -> str:
    """The real path of `value` if it names a regular file under one of `roots`.

    Args:
        value: the argument as received: a str (absolute, or relative to `base`).
        roots: folders whose files may be sent (a run folder, the upload folder).
        base: folder that relative paths are taken from (the run folder).
        what: how the argument is named in the error, e.g. "text_to_3d: 'image'".

    Returns:
        The resolved real path, as a str; upload exactly this path.

    Raises:
        InvalidInputError: not a str, not a regular file, or outside every root.
    """
    if type(value) is not str or not value or "\x00" in value:
        raise InvalidInputError(f"{what} must be the path of a file this run made (as another tool returned it), "
                                f"got {_shown(value)}.")
    path = Path(value)
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    real = Path(os.path.realpath(path))
    real_roots = [Path(os.path.realpath(r)) for r in roots]
    if not any(real == r or r in real.parents for r in real_roots):
        raise InvalidInputError(f"{what} must be a file this run made (a path another tool returned) or one you "
                                f"uploaded, got {_shown(value)}.")
    if not real.is_file():
        raise InvalidInputError(f"{what} must be the path of an existing file (as another tool returned it), got "
                                f"{_shown(value)}.")
    return str(real)


def allowed_files(values: Iterable[Any], roots: Sequence[Path], *, base: Path | None = None,
                  what: str = "file") -> list[str]:
    """`allowed_file` for each item of a list of paths."""
    return [allowed_file(v, roots, base=base, what=what) for v in values]


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return repr(text[:120])


__all__ = ["allowed_file", "allowed_files"]
