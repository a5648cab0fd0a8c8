"""Every exception Diorama raises.

    DioramaError                                  base of everything below
      ConfigError (ValueError)                    the config file or an env var is wrong
      InvalidInputError (ValueError)              bad user or agent input
      SpaceError                                  a Space could not do its job
        SpaceUnavailableError (ConnectionError)   unreachable, paused, or not started
        SpaceTimeoutError (TimeoutError)          accepted the job, no answer in time
        SpaceCallError                            the Space raised; keeps its message
        SpaceOutputError (ValueError)             answered, but not in the declared shape
      AgentRunError (RuntimeError)                the agent finished without a scene

Each error carries fields that the chain log, the UI and the tests use, and a
one-line message saying what failed and what to do next.  Messages never
contain tokens.
"""

from __future__ import annotations


class DioramaError(Exception):
    """Base class of every error Diorama raises on purpose."""

    retryable: bool = False


class ConfigError(DioramaError, ValueError):
    """The config file or an environment variable holds an invalid value."""


class InvalidInputError(DioramaError, ValueError):
    """A request or a tool argument is not acceptable."""


class SpaceError(DioramaError):
    """A Space call failed.

    Attributes:
        space: the Space id or URL, as written in the config.
        endpoint: the api name, e.g. "/generate".
        elapsed_s: seconds spent before the failure.
        server_message: the Space's own message, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        space: str,
        endpoint: str = "",
        elapsed_s: float = 0.0,
        server_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.space = space
        self.endpoint = endpoint
        self.elapsed_s = elapsed_s
        self.server_message = server_message

    @property
    def message(self) -> str:
        return str(self)


class SpaceUnavailableError(SpaceError, ConnectionError):
    """The Space could not be reached or is not running."""

    retryable = True


class SpaceTimeoutError(SpaceError, TimeoutError):
    """The Space accepted the job but did not answer within the deadline."""

    retryable = True


class SpaceCallError(SpaceError):
    """The Space's code raised; `server_message` holds what it said."""


class SpaceOutputError(SpaceError, ValueError):
    """The Space answered, but its output is not what the endpoint declared."""


class AgentRunError(DioramaError, RuntimeError):
    """The agent stopped without producing a scene."""
