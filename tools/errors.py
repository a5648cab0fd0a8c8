"""Every exception Diorama raises.

    DioramaError                                  base of everything below
      ConfigError (ValueError)                    the config file or an env var is wrong
      InvalidInputError (ValueError)              bad user or agent input
        NotAllowedError                           the owner's config does not allow it (Space not allowlisted)
      SpaceError                                  a Space could not do its job
        SpaceUnavailableError (ConnectionError)   unreachable, asleep, queue full, rate-limited, circuit open
          SpaceDownError                          paused, stopped or broken on the Hub (not retried)
          CompanionStartError                     a bundled Space did not start (not retried; names it, its log)
        SpaceTimeoutError (TimeoutError)          accepted the job, no answer in time (job cancelled)
        SpaceCallError                            the Space raised and hid why (no verbose errors)
          SpaceQuotaError                         the Space's GPU quota is used up (ZeroGPU)
          SpaceRejectedError (ValueError)         the Space rejected the input with a message (gr.Error)
        SpaceOutputError (ValueError)             answered, but not in the declared shape
      RunCancelledError                           the user cancelled the run
      AgentRunError (RuntimeError)                the agent finished without a scene
        SandboxLimitError                         the agent's code broke its worker's limits (run ends)
        SandboxUnavailableError                   no worker process for the agent's code (nothing runs)
        RunTimeoutError (TimeoutError)            the run (or the model's share of it) hit its time budget
      ModelError                                  the LLM could not write the next step (the planner may finish)
        ModelUnreachableError (ConnectionError)   no LLM server answers at the URL
        ModelTimeoutError (TimeoutError)          the reply took longer than the per-call limit (not retried)
        ModelContextError (ValueError)            the conversation outgrew the model's context window
        ModelReplyError                           the server failed, or the replies had no runnable code

Each error carries fields that the chain log, the UI and the tests use, and a
one-line message saying what failed and what to do next.  Messages never
contain tokens.  Three flags steer recovery: `retryable` (the same Space may
succeed if asked again), `fallback_ok` (another provider may succeed) and
`counts_against_space` (the error is the Space's own fault, so it counts toward the
Space endpoint's circuit breaker, which every user shares: `tools.breaker`).

Space faults (count): unavailable (unreachable, asleep, queue full, rate-limited,
connection lost, paused), timed out, failed and hid why (indistinguishable from a
crash, so it counts even though a prompt may have provoked it), malformed output.
Not faults (never count): input rejections (`SpaceRejectedError`, the Space's gr.Error;
`InvalidInputError`, e.g. a wrong argument type), the user's own GPU quota
(`SpaceQuotaError`: the end user's x-ip-token is billed), config and schema errors,
cancellation, budgets.  A `SpaceError` that does not count is the Space answering
with a refusal (see `tools.breaker.outcome_of`).
"""

from __future__ import annotations


class DioramaError(Exception):
    """Base class of every error Diorama raises on purpose."""

    retryable: bool = False
    fallback_ok: bool = False
    counts_against_space: bool = False


class ConfigError(DioramaError, ValueError):
    """The config file or an environment variable holds an invalid value."""


class InvalidInputError(DioramaError, ValueError):
    """A request or a tool argument is not acceptable."""


class NotAllowedError(InvalidInputError):
    """The owner's config does not allow this input, e.g. adding a Space that is not on the allowlist.

    Not a PermissionError: that is an OSError, which network code catches as a connection failure.
    """


class SpaceError(DioramaError):
    """A Space call failed; by default another provider may do better.

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

    fallback_ok = True
    counts_against_space = True

    @property
    def message(self) -> str:
        return str(self)


class SpaceUnavailableError(SpaceError, ConnectionError):
    """The Space could not be reached or is not running."""

    retryable = True


class SpaceDownError(SpaceUnavailableError):
    """The Hub says the Space is paused, stopped or broken: asking it again will not help, another provider may."""

    retryable = False


class CompanionStartError(SpaceUnavailableError):
    """A bundled Space (`spaces/<name>`) exited or did not answer within the start timeout.

    Not retried: a second start would wait as long again. `log_tail` holds the last lines of its log.
    """

    retryable = False

    def __init__(self, message: str, *, space: str, endpoint: str = "", elapsed_s: float = 0.0,
                 server_message: str | None = None, log_tail: str = "") -> None:
        super().__init__(message, space=space, endpoint=endpoint, elapsed_s=elapsed_s, server_message=server_message)
        self.log_tail = log_tail


class SpaceTimeoutError(SpaceError, TimeoutError):
    """The Space accepted the job but did not answer within the deadline."""

    retryable = True


class SpaceCallError(SpaceError):
    """The Space's code raised without saying why (often transient: retried)."""

    retryable = True


class SpaceQuotaError(SpaceCallError):
    """The Space's GPU quota (ZeroGPU) is used up: asking again now will not help, another provider may.

    Not a Space fault: the quota is the caller's (the end user's x-ip-token), so it must not close the
    Space to other users.
    """

    retryable = False
    counts_against_space = False


class SpaceRejectedError(SpaceCallError, ValueError):
    """The Space rejected the input with its own message (a gr.Error): not retried, not a Space fault."""

    retryable = False
    counts_against_space = False


class SpaceOutputError(SpaceError, ValueError):
    """The Space answered, but its output is not what the endpoint declared (retried: often a glitch)."""

    retryable = True


class RunCancelledError(DioramaError):
    """The user cancelled the run; what was finished is kept."""


class AgentRunError(DioramaError, RuntimeError):
    """The agent stopped without producing a scene."""


class SandboxLimitError(AgentRunError):
    """The agent's code broke a limit of its worker process (memory, CPU, time) or crashed it; the run ends."""


class SandboxUnavailableError(AgentRunError):
    """No worker process could be made for the agent's code, and running it in the app is not allowed."""


def reason_of(exc: DioramaError) -> str:
    """The part of a Space error's message after "<space> <endpoint>" (it is restated by the caller)."""
    text = str(exc)
    space, endpoint = getattr(exc, "space", ""), getattr(exc, "endpoint", "")
    prefix = f"{space} {endpoint}"
    if space and text.startswith(prefix):
        text = text[len(prefix):].lstrip(" :")
    return text.rstrip(".")


def restated(exc: SpaceError, message: str) -> SpaceError:
    """The same kind of error with a message that says which attempt failed and what happens next."""
    return type(exc)(message, space=exc.space, endpoint=exc.endpoint, elapsed_s=exc.elapsed_s,
                     server_message=exc.server_message)


class RunTimeoutError(AgentRunError, TimeoutError):
    """The run, or the model's share of it, hit its wall-clock budget; files made so far are kept."""


class ModelError(DioramaError):
    """The LLM could not write the next step; the message is Diorama's own, the model's text is in the chain log.

    Attributes:
        reason: a short cause for the one-line account, e.g. "no code in its reply".
        step: the agent step whose LLM call failed (0 when unknown).
    """

    def __init__(self, message: str, *, reason: str, step: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.step = step


class ModelUnreachableError(ModelError, ConnectionError):
    """No LLM server answers at the configured URL (refused, unknown host, TLS failure)."""


class ModelTimeoutError(ModelError, TimeoutError):
    """A reply was still streaming (or silent) at the per-call limit; the request was closed, never retried."""


class ModelContextError(ModelError, ValueError):
    """The conversation no longer fits the model's context window, even with old steps dropped."""


class ModelReplyError(ModelError):
    """The LLM server answered with an error, or the model wrote no runnable code twice in a row."""


def user_message(exc: BaseException, *, where: str = "request") -> str:
    """What a person is told about a failure, the same in the UI, the API and the CLI: Diorama's own errors say
    what happened and what to do; anything else is logged with its traceback under a short reference."""
    if isinstance(exc, DioramaError):
        return str(exc)
    import logging
    import uuid

    ref = uuid.uuid4().hex[:8]
    logging.getLogger("diorama").error("unexpected failure in %s (ref %s)", where, ref, exc_info=exc)
    return f"Something went wrong (ref {ref}); the server log has the details."
