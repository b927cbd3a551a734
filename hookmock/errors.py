"""Exceptions raised by hookmock.

Every error hookmock raises derives from :class:`HookmockError`::

    HookmockError
    ├── UnknownEventError        an event name the catalog does not know (lists close matches)
    ├── SchemaViolationError     an event body that breaks its schema (names each JSON path)
    ├── OverrideError            an override path that cannot be applied to the event
    │   └── UnknownFieldError    an override path the event's schema does not know (a typo)
    ├── ConfigurationError       a bad setting (seed, deadline, secret token, target)
    ├── SubscriptionError        the receiver failed Zoom's URL validation on subscribe
    ├── NotSubscribedError       an event sent that no subscription covers
    ├── AuthenticationError      a subscription's credentials could not be obtained (token URL)
    ├── LifespanError            an ASGI application's lifespan startup or shutdown failed
    └── RecordFileError          a file of recorded deliveries that cannot be read (names the line)

A receiver that misbehaves during a delivery never raises: the attempt becomes a recorded
:class:`~hookmock.engine.delivery.Delivery` with an outcome, and the ``assert_*`` helpers judge it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class HookmockError(Exception):
    """Base class of every error hookmock raises."""


class UnknownEventError(HookmockError, LookupError):
    """An event name that the provider's catalog does not contain."""

    def __init__(self, provider: str, name: str, suggestions: Sequence[str]) -> None:
        self.provider = provider
        self.name = name
        self.suggestions = list(suggestions)
        if self.suggestions:
            hint = "did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        else:
            hint = f"run 'hookmock events' to list the {provider} events hookmock knows"
        super().__init__(f"unknown {provider} event {name!r}: {hint}")


class SchemaViolationError(HookmockError, ValueError):
    """An event body that does not validate against its event's schema.

    :ivar errors: ``(json_path, message)`` pairs, the most relevant first.
    """

    def __init__(self, event: str, errors: Sequence[tuple[str, str]], *, hint: str = "") -> None:
        self.event = event
        self.errors = list(errors)
        lines = [f"{event!r} does not match its schema ({len(self.errors)} error(s)):"]
        lines += [f"  {path}: {message}" for path, message in self.errors]
        lines.append(
            hint
            or "hint: pass validate=False to send a deliberately invalid event "
            "(the CLI: --no-validate)"
        )
        super().__init__("\n".join(lines))


class OverrideError(HookmockError, ValueError):
    """An override that cannot be applied (its path runs through a value that is not a container,
    or a keyword names no field of the event)."""


class UnknownFieldError(OverrideError):
    """Override paths that name no field of the event's schema.

    :ivar event: the event's name.
    :ivar suggestions: each unknown path, with the closest valid paths (best first).
    :ivar reasons: each unknown path, with what is wrong with it.
    """

    def __init__(
        self,
        event: str,
        problems: Mapping[str, tuple[str, list[str]]],
        *,
        fields_at: str = "payload.object",
    ) -> None:
        """:param fields_at: where the provider's event fields are (Zoom's ``payload.object``,
        Stripe's ``data.object``, GitHub's top level ``""``), for the hint's example."""
        self.event = event
        self.suggestions = {path: close for path, (_, close) in problems.items()}
        self.reasons = {path: reason for path, (reason, _) in problems.items()}
        example = f"{fields_at}.new_field" if fields_at else "new_field"
        #: How to opt in, as the Python API says it.
        self.hint = (
            "hint: to create a field the schema does not know, wrap its value: "
            f"{{{example!r}: hookmock.ADD(value)}} (CLI: --add PATH=VALUE); "
            "validate=False (CLI: --no-validate) turns off every schema check"
        )
        super().__init__(self.describe(self.hint))

    def problem(self, path: str) -> str:
        """One unknown path: what is wrong, and the closest valid paths."""
        close = self.suggestions[path]
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        return f"{path!r}: {self.reasons[path]}{hint}"

    def describe(self, hint: str) -> str:
        """The message, with *hint* saying how to opt in where the user is (API, CLI, HTTP)."""
        problems = self.reasons
        lines = [
            f"{len(problems)} override paths name no field in the schema of {self.event!r}:"
            if len(problems) > 1
            else f"an override path names no field in the schema of {self.event!r}:"
        ]
        lines += [f"  {self.problem(path)}" for path in problems]
        lines.append(hint)
        return "\n".join(lines)


class ConfigurationError(HookmockError, ValueError):
    """A setting hookmock cannot use; the message says which and what it accepts."""


class SubscriptionError(HookmockError):
    """The receiver did not pass the provider's URL validation, so the subscription was not saved.

    :ivar delivery: the recorded validation attempt.
    :ivar problems: what was wrong, one sentence each.
    """

    def __init__(self, message: str, *, delivery: object, problems: Sequence[str]) -> None:
        self.delivery = delivery
        self.problems = list(problems)
        super().__init__(message)


class NotSubscribedError(HookmockError, LookupError):
    """An event that no subscription of the simulated provider covers."""


class AuthenticationError(HookmockError):
    """A subscription's authentication could not be obtained, e.g. the receiver's token endpoint
    refused or failed the client-credentials exchange. Recorded as a delivery outcome."""


class LifespanError(HookmockError):
    """An in-process ASGI application's lifespan startup or shutdown failed (it reported a
    failure, raised, or did not answer in time). The message names the application."""


class RecordFileError(HookmockError, ValueError):
    """A file of recorded deliveries (``hookmock record``'s JSON lines) that cannot be read:
    the message names the file and the line."""
