"""What the conformance battery is made of: checks, their outcomes, and the state one run shares.

A negative check (a forgery, a replay, a malformed body) means something only against a request
the receiver would otherwise accept. So the battery first finds a *carrier*: an event type the
receiver acknowledges when it is correctly signed. Every forgery and replay is carried on it;
without one, a refusal cannot be told from any other refusal and the check is inconclusive.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..engine.delivery import Delivery
from ..engine.report import describe_log
from ..engine.subscription import Subscription
from ..errors import HookmockError, SubscriptionError
from ..generate.events import Event
from ..records.masking import redact
from ..records.outcome import Outcome
from ..transports import InProcessTarget
from .rootcauses import Facts, RootCause

if TYPE_CHECKING:
    from ..engine.simulator import Provider

__all__ = [
    "Battery",
    "Check",
    "CheckResult",
    "Family",
    "Found",
    "ReceiverUnreachableError",
    "Severity",
    "Suite",
    "Verdict",
    "percentile",
]


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Verdict(enum.Enum):
    """A check's outcome. ``INCONCLUSIVE``: the behaviour could not be shown either way (a
    refusal of a forged request, say, when the receiver refuses correctly signed ones too)."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    INCONCLUSIVE = "inconclusive"


class Family(enum.Enum):
    """What kind of behaviour a check looks at; root causes and baselines are per family."""

    VALIDATION = "validation"
    EVENT = "event"
    VARIANT = "variant"
    UNKNOWN = "unknown"
    ORACLE = "oracle"
    FORGED = "forged"
    REPLAY = "replay"
    MALFORMED = "malformed"
    DUPLICATE = "duplicate"
    LOAD = "load"

    @property
    def negative(self) -> bool:
        """A check of this family passes on a refusal, which needs an accepted request beside it."""
        return self in (Family.ORACLE, Family.FORGED, Family.REPLAY, Family.MALFORMED)


class ReceiverUnreachableError(HookmockError):
    """The receiver could not be reached at all (refused, DNS, TLS, connect timeout)."""


class ProbeFailure(Exception):
    """The probe given to the battery raised; the check that read it is inconclusive."""


@dataclass(frozen=True)
class Found:
    """What a check function found: ``ok`` is ``True`` (shown), ``False`` (the opposite was
    shown) or ``None`` (neither could be shown: inconclusive). ``severity`` makes a failure of a
    warning-severity check an error when what it showed is worse than what the warning is for
    (a 5xx where a refusal is only warned about)."""

    ok: bool | None
    detail: str
    severity: Severity | None = None


@dataclass
class CheckResult:
    """How one check went.

    :ivar outcome: ``PASS``; ``FAIL`` for an error-severity check that failed; ``WARN`` for a
        warning-severity one; ``INCONCLUSIVE`` when the behaviour could not be shown either way.
    :ivar detail: what was sent, what came back, what a correct receiver does and a likely
        cause; for a pass, any remark worth reading; for an inconclusive check, why.
    :ivar explained_by: the id of the root cause that explains this result, if any.
    """

    id: str
    title: str
    severity: Severity
    outcome: Verdict
    detail: str
    deliveries: list[Delivery] = field(default_factory=list)
    elapsed: float = 0.0
    family: Family = Family.EVENT
    explained_by: str | None = None
    #: The summary of that root cause, for messages that show one check alone.
    cause_summary: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome is Verdict.PASS

    @property
    def inconclusive(self) -> bool:
        return self.outcome is Verdict.INCONCLUSIVE

    def shown_detail(self, *, with_summary: bool = True) -> str:
        """The detail as reports show it: when a root cause explains this check, its name
        first (with its summary unless *with_summary* is false), and the check's own guess at
        a cause left out."""
        if self.explained_by is None:
            return self.detail
        head = f"explained by {self.explained_by}"
        lines = [f"{head}: {self.cause_summary}" if with_summary else f"{head} (see fix first)"]
        lines += [ln for ln in self.detail.splitlines() if not ln.startswith("likely cause:")]
        return "\n".join(lines)

    def reason(self) -> str:
        """One line saying why the check did not pass: its root cause when one explains it,
        else the detail's ``inconclusive:`` line, else its first line."""
        if self.explained_by:
            return f"explained by {self.explained_by}: {self.cause_summary}"
        lines = self.detail.splitlines() or [""]
        return next((ln for ln in lines if ln.startswith("inconclusive:")), lines[0])

    def inconclusive_reason(self) -> str:
        """:meth:`reason`, said to be inconclusive once: a skipped test's reason."""
        reason = self.reason()
        return reason if reason.startswith("inconclusive") else f"inconclusive, {reason}"

    def assert_passed(self) -> None:
        """Fail with the check's detail and its deliveries unless it passed or only warned.

        An inconclusive check fails too: use :attr:`inconclusive` to tell it apart."""
        __tracebackhide__ = True
        if self.outcome in (Verdict.FAIL, Verdict.INCONCLUSIVE):
            what = "failed" if self.outcome is Verdict.FAIL else "was inconclusive"
            raise AssertionError(
                f"conformance check {self.id!r} {what}: {self.title}\n{self.shown_detail()}\n"
                f"deliveries:\n{indent(describe_log(self.deliveries))}"
            )


@dataclass(frozen=True)
class Check:
    """One conformance check: a stable :attr:`id`, a title, a severity and what it does."""

    id: str
    title: str
    severity: Severity
    run: Callable[[Battery], Found]
    family: Family


def indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def show(delivery: Delivery) -> str:
    """One line: how a delivery ended, with an excerpt of the answer (secrets masked)."""
    if delivery.response is None:
        error = (delivery.error or "no answer").strip().splitlines()
        # A traceback's last line names the exception; the report keeps the whole of it.
        return f"{delivery.outcome.value} ({error[-1] if error else 'no answer'})"
    # Redacted before it is cut, so that no part of a secret survives the cut.
    text = redact(delivery.response.text, delivery.secrets)
    body = text.strip().replace("\n", " ")[:120]
    shown = f"status {delivery.status} in {delivery.elapsed * 1000:.0f} ms"
    if delivery.outcome is Outcome.LATE:
        shown += f", after the {delivery.deadline:g} s deadline"
    return shown + (f": {body!r}" if body else "")


def is_refusal(delivery: Delivery) -> bool:
    return delivery.outcome is Outcome.REJECTED


def is_crash(delivery: Delivery) -> bool:
    return delivery.outcome in (Outcome.SERVER_ERROR, Outcome.APP_ERROR)


def is_slow(delivery: Delivery) -> bool:
    return delivery.outcome in (Outcome.LATE, Outcome.TIMEOUT)


class Battery:
    """The state the checks of one run share: the provider, the target, the settings, and what
    has been learnt about the receiver so far (which event types it acknowledges)."""

    def __init__(
        self,
        provider: Provider,
        subscription: Subscription,
        *,
        suite: Suite,
        events: Sequence[str],
        overrides: Mapping[str, Any],
        tolerance: float,
        concurrency: int,
        probe: Callable[[], int] | None,
        probe_event: str | None,
    ) -> None:
        self.provider = provider
        self.suite = suite
        self.subscription = subscription
        self.events = tuple(events)
        self.overrides = dict(overrides)
        self.tolerance = tolerance
        self.concurrency = concurrency
        self.probe = probe
        self.probe_event = probe_event
        self.sent: list[Delivery] = []
        self.latencies: list[float] = []
        #: The first correctly signed delivery of each event type, in the order they were sent.
        self.signed: dict[str, Delivery] = {}
        #: The signed URL validation, once sent, and whether it was answered correctly.
        self.validation: Delivery | None = None
        self.validation_ok: bool | None = None
        self.validation_problems: list[str] = []
        self.validation_hint = ""
        #: Requests sent only to tell causes apart when nothing signed was acknowledged.
        self.diagnosis: dict[str, Delivery] = {}
        self.baseline_done = False
        self.control: Delivery | None = None

    # -- sending ----------------------------------------------------------------------------------

    def deliver(
        self,
        event: Event,
        *,
        headers: Mapping[str, str | None] | None = None,
        timestamp: int | str | None = None,
        subscription: Subscription | None = None,
    ) -> Delivery:
        delivery = self.provider.deliver(
            event, subscription or self.subscription, headers=headers, timestamp=timestamp
        )
        self.sent.append(delivery)
        return delivery

    def event(self, name: str, **fields: Any) -> Event:
        """A fresh event of type *name*, shaped by the run's overrides and then by *fields*."""
        serialization = fields.pop("serialization", self.suite.serialization)
        return self.provider.fake(name, self.overrides, serialization=serialization, **fields)

    def now(self) -> int:
        return int(self.provider.clock.real())

    @property
    def in_process(self) -> bool:
        return isinstance(self.subscription.target, InProcessTarget)

    # -- what the receiver accepts ------------------------------------------------------------

    def signed_delivery(self, name: str) -> Delivery:
        """The first correctly signed delivery of *name* (sent now when not sent yet)."""
        if name not in self.signed:
            self.signed[name] = self.deliver(self.event(name))
        return self.signed[name]

    def acknowledged_types(self) -> list[str]:
        return [name for name, d in self.signed.items() if d.acknowledged]

    @property
    def carrier(self) -> str | None:
        """The first event type the receiver acknowledged when correctly signed."""
        acknowledged = self.acknowledged_types()
        return acknowledged[0] if acknowledged else None

    def establish_baseline(self) -> None:
        """Send each chosen event type (then the default ones) until one is acknowledged; when
        none is, send the requests that tell the usual causes apart."""
        if self.baseline_done:
            return
        self.baseline_done = True
        defaults = self.suite.default_events
        for name in (*self.events, *(e for e in defaults if e not in self.events)):
            if self.signed_delivery(name).acknowledged:
                return
        self.suite.diagnose(self)

    def validation_baseline(self) -> bool:
        """Whether the receiver answers the provider's signed subscription handshake (Zoom's
        URL validation) correctly; True, with nothing sent, for a provider without one."""
        if self.validation_ok is None:
            try:
                validation = self.provider.adapter.validate_endpoint(self.subscription)
                if validation is None:  # no handshake: nothing to answer, nothing to get wrong
                    self.validation_ok = True
                    return True
                self.validation = validation
                self.validation_ok = True
            except SubscriptionError as error:
                self.validation = error.delivery  # type: ignore[assignment]
                self.validation_ok = False
                self.validation_problems = list(error.problems)
                hint = str(error).rsplit("\nhint: ", 1)
                self.validation_hint = hint[1] if len(hint) == 2 else ""
            assert self.validation is not None
            self.sent.append(self.validation)
        return self.validation_ok

    def read_probe(self) -> int | None:
        """The probe's count, or None without a probe.

        :raises ProbeFailure: when the probe raises (it is the user's code).
        """
        if self.probe is None:
            return None
        try:
            return int(self.probe())
        except Exception as exc:  # reported on the check, with the exception's name
            raise ProbeFailure(f"{type(exc).__name__}: {exc}") from exc


def _nothing_to_diagnose(battery: Battery) -> None:
    """A suite that sends nothing more when no signed event was acknowledged."""


@dataclass(frozen=True)
class Suite:
    """A provider's conformance battery: its checks and what its runs conclude. The runner
    (:func:`hookmock.conformance.checks.run_checks`) is the same for every provider."""

    #: The checks, in the order they run, for the event types chosen: a ``valid-event:NAME``
    #: check for each, then the provider's forgeries, replays, malformed bodies and the rest.
    build: Callable[[Sequence[str]], tuple[Check, ...]]
    #: The event types sent correctly signed by default: those a receiver most often handles.
    default_events: tuple[str, ...]
    #: The likely defects behind a run's failures, from its results and what it learnt.
    root_causes: Callable[[Sequence[CheckResult], Facts], list[RootCause]]
    #: Requests that tell the usual causes apart when no correctly signed event was
    #: acknowledged, recorded in :attr:`Battery.diagnosis`.
    diagnose: Callable[[Battery], None] = _nothing_to_diagnose
    #: Checks whose failure shows that the receiver acknowledges a body whatever its signature:
    #: a 2xx to a byte form of the JSON then shows nothing about its signature check.
    signature_forgeries: tuple[str, ...] = ()
    #: How the battery's events are written (see :data:`hookmock.SERIALIZATIONS`).
    serialization: str = "zoom"


def percentile(values: Sequence[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def no_carrier(b: Battery) -> str:
    tried = ", ".join(b.signed) or "none"
    return (
        f"inconclusive: no correctly signed event was acknowledged (tried: {tried}), so this "
        "answer cannot be told from the answer to a correct request"
    )


def probe_unmoved(name: str) -> str:
    """The detail of a duplicate check whose probe did not count the first, acknowledged
    delivery: processing once was asked for and could not be verified."""
    return (
        f"inconclusive: the probe did not change on the first delivery of {name!r}, so "
        "processing once was not verified: does the probe count that event's effects, and are "
        "they done when it answers? A receiver that works after acknowledging (a background "
        "task, a queue) needs a probe that waits for that work before it counts"
    )


def vehicle(b: Battery) -> str:
    """The event type negative checks are carried on: one the receiver acknowledged."""
    b.establish_baseline()
    return b.carrier or b.events[0]


def carried(b: Battery) -> str:
    name = b.carrier
    return f" (a correctly signed {name} was acknowledged)" if name else ""
