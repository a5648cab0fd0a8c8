"""Every exception the scene builder Space raises on purpose.

    SceneBuilderError                      base of everything below
      RequestError (ValueError)            the request itself is wrong (no files, label count, too many files)
      GLBRejected (ValueError)             one input file is unsafe, broken or empty; names the file
      SceneError (ValueError)              assembly or export of the gallery failed
        ChildFailed                        the assembly child crashed, ran out of memory or time (sb_isolate)

`app.py` turns any of these into a `gr.Error` with the same message.
"""

from __future__ import annotations


class SceneBuilderError(Exception):
    """Base class of every error the scene builder raises on purpose."""


class RequestError(SceneBuilderError, ValueError):
    """The request is not acceptable as a whole (file count, labels, sizes)."""


class GLBRejected(SceneBuilderError, ValueError):
    """One input file was refused.

    Attributes:
        file: the file's base name, e.g. "html_saved_as.glb".
        problem: what is wrong with it, without the file name or the advice.
        advice: what the sender can do about it.
    """

    def __init__(self, file: str, problem: str, advice: str = "Send a valid binary glTF 2.0 (.glb) file.") -> None:
        self.file = file
        self.problem = problem
        self.advice = advice
        super().__init__(f"'{file}' {problem}. {advice}")

    def __reduce__(self) -> tuple:
        # Raised in the assembly child and re-raised in the server: keep the fields through pickling.
        return type(self), (self.file, self.problem, self.advice)


class SceneError(SceneBuilderError, ValueError):
    """The gallery could not be assembled or exported."""
