"""The receiver conformance battery: what Zoom sends, what an attacker sends, and what a correct
receiver answers to each.

Each :class:`Check` sends a few deliveries through a :class:`~hookmock.Zoom` and judges them. A
check waits for the full deadline only when the receiver is actually slow, so the battery takes a
few seconds against a healthy receiver.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .delivery import Delivery, Outcome
from .errors import ConfigurationError, HookmockError, SubscriptionError
from .events import Event
from .report import mask_url, mask_urls, redact, url_secrets
from .simulator import Subscription
from .transports import as_target

if TYPE_CHECKING:
    from .checkreport import ConformanceReport
    from .providers.zoom import Zoom

__all__ = ["CHECKS", "Check", "CheckResult", "ReceiverUnreachableError", "Severity", "run_checks"]

#: Seconds a correct receiver allows between ``x-zm-request-timestamp`` and its own clock.
DEFAULT_TOLERANCE = 300.0
#: Concurrent deliveries in the deadline-under-load check.
DEFAULT_CONCURRENCY = 10
#: The size of the body in the huge-body check.
HUGE_BODY_BYTES = 5 * 1024 * 1024
# Text with characters outside the Basic Multilingual Plane (written as surrogate escapes by Zoom)
# beside other non-ASCII (written raw): the bytes that break re-serializing verifiers (ZOOM.md §1).
ZOOM_REALISTIC_TOPIC = "Q3 launch \U0001f680\U0001f692 – the team’s plan / ünïcödé"
UNKNOWN_EVENT = "hookmock.unknown_event"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Verdict(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"


class ReceiverUnreachableError(HookmockError):
    """The receiver could not be reached at all (refused, DNS, TLS, connect timeout)."""


@dataclass
class CheckResult:
    """How one check went.

    :ivar outcome: ``PASS``; ``FAIL`` for an error-severity check that failed; ``WARN`` for a
        warning-severity one.
    :ivar detail: for a failure, what was sent, what came back, what a correct receiver does and
        a likely cause; for a pass, any remark worth reading.
    """

    id: str
    title: str
    severity: Severity
    outcome: Verdict
    detail: str
    deliveries: list[Delivery] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome is Verdict.PASS

    def assert_passed(self) -> None:
        """Fail with the check's detail and its deliveries unless it passed (warnings pass)."""
        __tracebackhide__ = True
        if self.outcome is Verdict.FAIL:
            from .report import describe_log

            raise AssertionError(
                f"conformance check {self.id!r} failed: {self.title}\n{self.detail}\n"
                f"deliveries:\n{_indent(describe_log(self.deliveries))}"
            )


@dataclass(frozen=True)
class Check:
    """One conformance check: a stable :attr:`id`, a title, a severity and what it does."""

    id: str
    title: str
    severity: Severity
    run: Callable[[_Battery], tuple[bool, str]]


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


class _Battery:
    """The state shared by the checks of one run: the provider, the target, the settings."""

    def __init__(
        self,
        zoom: Zoom,
        subscription: Subscription,
        *,
        tolerance: float,
        concurrency: int,
        probe: Callable[[], int] | None,
        probe_event: str,
    ) -> None:
        self.zoom = zoom
        self.subscription = subscription
        self.tolerance = tolerance
        self.concurrency = concurrency
        self.probe = probe
        self.probe_event = probe_event
        self.sent: list[Delivery] = []
        self.latencies: list[float] = []

    def deliver(
        self,
        event: Event,
        *,
        headers: dict[str, str | None] | None = None,
        timestamp: int | str | None = None,
    ) -> Delivery:
        delivery = self.zoom.deliver(event, self.subscription, headers=headers, timestamp=timestamp)
        self.sent.append(delivery)
        return delivery

    def event(self, name: str = "meeting.started", **kwargs: Any) -> Event:
        return self.zoom.fake(name, **kwargs)

    def now(self) -> int:
        return int(self.zoom.clock())


def _show(delivery: Delivery) -> str:
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


# -- checks ----------------------------------------------------------------------------------


def _url_validation(b: _Battery) -> tuple[bool, str]:
    try:
        delivery = b.zoom.validate_endpoint(b.subscription)
    except SubscriptionError as error:
        b.sent.append(error.delivery)  # type: ignore[arg-type]
        lines = [f"sent: a signed endpoint.url_validation; got {_show(error.delivery)}"]  # type: ignore[arg-type]
        lines += [f"problem: {p}" for p in error.problems]
        lines.append(
            "a correct receiver answers 200 with JSON {plainToken, encryptedToken = hex "
            f"HMAC-SHA256(secret token, plainToken)}} within {b.zoom.deadline:g} s"
        )
        hint = str(error).rsplit("\nhint: ", 1)
        if len(hint) == 2:
            lines.append(f"likely cause: {hint[1]}")
        return False, "\n".join(lines)
    b.sent.append(delivery)
    b.latencies.append(delivery.elapsed)
    return True, f"answered in {delivery.elapsed * 1000:.0f} ms"


def _acknowledged(
    b: _Battery,
    event: Event,
    what: str,
    cause: str,
    *,
    cause_statuses: Collection[int] = (401, 403),
    **send: Any,
) -> tuple[bool, str]:
    delivery = b.deliver(event, **send)
    if delivery.acknowledged:
        b.latencies.append(delivery.elapsed)
        return True, f"{_show(delivery)}"
    lines = [
        f"sent: {what}; got {_show(delivery)}",
        f"a correct receiver acknowledges it with a 2xx within {delivery.deadline:g} s",
    ]
    if delivery.status in cause_statuses:
        lines.append(f"likely cause: {cause}")
    elif delivery.outcome in (Outcome.LATE, Outcome.TIMEOUT):
        lines.append("likely cause: the work happens before the answer; acknowledge first")
    elif (delivery.status is not None and delivery.status >= 500) or delivery.error:
        lines.append("likely cause: the handler fails on this event; see the response")
    return False, "\n".join(lines)


_RESERIALIZED = (
    "the receiver verifies a re-serialized body (json.dumps(request.json), "
    "JSON.stringify(req.body)) instead of the raw bytes it received"
)


def _valid_event(b: _Battery) -> tuple[bool, str]:
    return _acknowledged(
        b,
        b.event(),
        "a correctly signed meeting.started",
        "the signature check fails on a plain Zoom body: is the secret token the app's, and is "
        "the message 'v0:{x-zm-request-timestamp}:{raw body}'?",
    )


def _valid_non_bmp(b: _Battery) -> tuple[bool, str]:
    return _acknowledged(
        b,
        b.event(topic=ZOOM_REALISTIC_TOPIC),
        "a correctly signed meeting.started whose topic has emoji written as \\uD83D\\uDE80 "
        "surrogate escapes beside raw UTF-8 (as Zoom writes them)",
        _RESERIALIZED,
    )


def _variant(serialization: str, what: str) -> Callable[[_Battery], tuple[bool, str]]:
    def check(b: _Battery) -> tuple[bool, str]:
        # "/" for the escaped-slashes form, BMP non-ASCII for the all-ASCII-escapes form.
        event = b.event(topic="Design review / planning – café", serialization=serialization)
        return _acknowledged(
            b,
            event,
            f"a correctly signed meeting.started with {what} (the same JSON value)",
            _RESERIALIZED,
        )

    return check


def _unknown_event(b: _Battery) -> tuple[bool, str]:
    data = dict(b.event().data)
    data["event"] = UNKNOWN_EVENT
    event = Event.build(UNKNOWN_EVENT, data)
    return _acknowledged(
        b,
        event,
        f"a correctly signed event of a type the receiver cannot know ({UNKNOWN_EVENT!r})",
        "the receiver refuses event types it does not handle; Zoom adds new ones, and a "
        "refused delivery is lost",
        cause_statuses=range(400, 500),
    )


_UNVERIFIED = (
    "the receiver acts on requests without verifying x-zm-signature over the raw body and "
    "x-zm-request-timestamp"
)


def _rejected(
    b: _Battery, what: str, event: Event, *, cause: str = _UNVERIFIED, **send: Any
) -> tuple[bool, str]:
    delivery = b.deliver(event, **send)
    status = delivery.status
    if delivery.outcome is Outcome.REJECTED:
        remark = "" if status in (401, 403) else "; 401 or 403 says more precisely why"
        return True, f"{_show(delivery)}{remark}"
    lines = [
        f"sent: {what}; got {_show(delivery)}",
        f"a correct receiver refuses it with a 4xx (401 or 403) within {delivery.deadline:g} s",
    ]
    if status is not None and 200 <= status < 300:
        lines.append(f"likely cause: {cause}")
    elif (status is not None and status >= 500) or delivery.outcome is Outcome.APP_ERROR:
        lines.append("likely cause: the verification raises instead of refusing; Zoom retries 5xx")
    return False, "\n".join(lines)


def _signature_of(b: _Battery, event: Event, timestamp: int, secret: str | None = None) -> str:
    from .providers.zoom import sign

    return sign(secret or b.zoom.secret_token, timestamp, event.body)


def _forged(kind: str) -> Callable[[_Battery], tuple[bool, str]]:
    def check(b: _Battery) -> tuple[bool, str]:
        event = b.event()
        ts = b.now()
        good = _signature_of(b, event, ts)
        headers: dict[str, str | None]
        if kind == "wrong-secret":
            wrong = _signature_of(b, event, ts, secret=b.zoom.secret_token + "-not")
            return _rejected(
                b,
                "meeting.started signed with another secret token",
                event,
                headers={"x-zm-signature": wrong},
                timestamp=ts,
            )
        if kind == "tampered-body":
            tampered = event.body.replace(b'"topic":"', b'"topic":"X', 1)
            return _rejected(
                b,
                "meeting.started whose body was changed after signing",
                Event.from_body(tampered),
                headers={"x-zm-signature": good},
                timestamp=ts,
            )
        if kind == "last-digit":
            last = "0" if good[-1] != "0" else "1"
            headers = {"x-zm-signature": good[:-1] + last}
            what = "meeting.started with the right signature except its last hex digit"
        elif kind == "signature-prefix":
            digest = good[3:]
            half = len(digest) // 2
            headers = {"x-zm-signature": "v0=" + digest[:half] + "0" * (len(digest) - half)}
            what = "meeting.started whose signature has only its first half right"
        elif kind == "missing-signature":
            headers = {"x-zm-signature": None}
            what = "meeting.started without an x-zm-signature header"
        elif kind == "missing-timestamp":
            headers = {"x-zm-request-timestamp": None, "x-zm-signature": good}
            what = "meeting.started without an x-zm-request-timestamp header"
        elif kind == "non-numeric-timestamp":
            from .providers.zoom import sign

            headers = {
                "x-zm-request-timestamp": "yesterday",
                "x-zm-signature": sign(b.zoom.secret_token, "yesterday", event.body),
            }
            what = "meeting.started signed with the timestamp 'yesterday'"
            return _rejected(
                b,
                what,
                event,
                headers=headers,
                timestamp=ts,
                cause="the receiver verifies the signature but never reads the timestamp as a "
                "number of seconds, so it cannot refuse old or odd ones",
            )
        elif kind == "wrong-scheme":
            headers = {"x-zm-signature": "v1=" + good[3:]}
            what = "meeting.started with the right digest under the scheme 'v1='"
        elif kind == "empty-signature":
            headers = {"x-zm-signature": ""}
            what = "meeting.started with an empty x-zm-signature"
        else:
            raise ConfigurationError(f"unknown forgery {kind!r}")
        return _rejected(b, what, event, headers=headers, timestamp=ts)

    return check


def _replay(direction: int) -> Callable[[_Battery], tuple[bool, str]]:
    def check(b: _Battery) -> tuple[bool, str]:
        offset = int(b.tolerance) + 60
        then = b.zoom.clock() + direction * offset
        event = b.zoom.fake("meeting.started", seed=None)
        data = dict(event.data)
        data["event_ts"] = int(then * 1000)
        replayed = Event.build(event.name, data)
        when = "older" if direction < 0 else "further in the future"
        return _rejected(
            b,
            f"a correctly signed meeting.started whose timestamp is {offset} s {when} than now "
            f"(tolerance {b.tolerance:g} s)",
            replayed,
            timestamp=int(then),
            cause=f"the receiver does not refuse timestamps more than {b.tolerance:g} s "
            + ("in the past" if direction < 0 else "in the future")
            + " (a captured request can be replayed)",
        )

    return check


def _no_server_error(b: _Battery, what: str, event: Event, **send: Any) -> tuple[bool, str]:
    delivery = b.deliver(event, **send)
    if (
        delivery.status is not None
        and delivery.status < 500
        and delivery.outcome is not (Outcome.LATE)
    ):
        return True, _show(delivery)
    return False, "\n".join(
        [
            f"sent: {what}; got {_show(delivery)}",
            "a correct receiver answers bad input with a 4xx (or acknowledges it), promptly; "
            "a 5xx or no answer makes Zoom retry it",
            "likely cause: the handler parses or reads the body before checking it, and raises",
        ]
    )


def _raw(body: bytes) -> Event:
    return Event.from_body(body, name="(malformed)")


_UNSIGNED = {"x-zm-signature": None, "x-zm-request-timestamp": None}


def _malformed(kind: str) -> Callable[[_Battery], tuple[bool, str]]:
    def check(b: _Battery) -> tuple[bool, str]:
        if kind == "not-json":
            return _no_server_error(
                b,
                "an unsigned body that is not JSON",
                _raw(b"<xml>not json</xml>"),
                headers=_UNSIGNED,
            )
        if kind == "empty-body":
            return _no_server_error(b, "an unsigned empty body", _raw(b""), headers=_UNSIGNED)
        if kind == "json-array":
            return _no_server_error(
                b,
                "an unsigned JSON array",
                _raw(b'[{"event":"meeting.started"}]'),
                headers=_UNSIGNED,
            )
        if kind == "huge-body":
            filler = b"x" * HUGE_BODY_BYTES
            body = b'{"event":"meeting.started","payload":{"topic":"' + filler + b'"}}'
            return _no_server_error(
                b,
                f"an unsigned {len(body) // (1024 * 1024)} MB JSON body",
                _raw(body),
                headers=_UNSIGNED,
            )
        if kind == "content-type":
            return _no_server_error(
                b,
                "a correctly signed meeting.started sent as text/plain",
                b.event(),
                headers={"content-type": "text/plain"},
            )
        raise ConfigurationError(f"unknown malformed input {kind!r}")

    return check


def _duplicate(b: _Battery) -> tuple[bool, str]:
    event = b.event(b.probe_event)
    before = b.probe() if b.probe else None
    first = b.deliver(event)
    middle = b.probe() if b.probe else None
    second = b.deliver(event)
    after = b.probe() if b.probe else None
    problems = []
    for label, delivery in (("first", first), ("second", second)):
        if not delivery.acknowledged:
            problems.append(f"the {label} delivery got {_show(delivery)}")
    remark = ""
    if before is not None and middle is not None and after is not None:
        if middle - before < 1:
            remark = (
                f"; the probe did not change on the first delivery of {b.probe_event!r}, so "
                "exactly-once processing was not verified (does the probe count its effects?)"
            )
        elif after != middle:
            problems.append(
                f"the duplicate was processed again: the probe went {before} → {middle} → {after}"
            )
    if not problems:
        b.latencies += [first.elapsed, second.elapsed]
        return True, f"both acknowledged ({_show(first)}; {_show(second)}){remark}"
    return False, "\n".join(
        [
            f"sent: the same {b.probe_event} twice (same bytes, new x-zm-request-id), as Zoom's "
            "retries do",
            *(f"problem: {p}" for p in problems),
            "a correct receiver acknowledges both and processes the event once (dedupe on a "
            "business key or x-zm-request-id)",
        ]
    )


def _under_load(b: _Battery) -> tuple[bool, str]:
    events = [b.event() for _ in range(b.concurrency)]
    with ThreadPoolExecutor(max_workers=b.concurrency) as pool:
        deliveries = list(pool.map(b.deliver, events))
    times = sorted(d.elapsed for d in deliveries)
    b.latencies += [d.elapsed for d in deliveries if d.acknowledged]
    failed = [d for d in deliveries if not d.acknowledged]
    figures = (
        f"p50 {_percentile(times, 50) * 1000:.0f} ms, p95 {_percentile(times, 95) * 1000:.0f} ms"
    )
    if not failed:
        return True, f"{len(deliveries)} concurrent deliveries acknowledged; {figures}"
    return False, "\n".join(
        [
            f"sent: {len(deliveries)} correctly signed events at once; {len(failed)} not "
            f"acknowledged in time ({figures})",
            *(f"problem: {_show(d)}" for d in failed[:5]),
            f"a correct receiver acknowledges each within {deliveries[0].deadline:g} s under "
            "load: acknowledge first, queue the work",
        ]
    )


def _percentile(values: Sequence[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


E, W = Severity.ERROR, Severity.WARNING

#: The battery, in the order it runs.
CHECKS: tuple[Check, ...] = (
    Check("url-validation", "answers Zoom's URL validation challenge", E, _url_validation),
    Check("valid-event", "acknowledges a correctly signed event", E, _valid_event),
    Check(
        "valid-non-bmp",
        "acknowledges a body with emoji escapes beside raw UTF-8, as Zoom writes it",
        E,
        _valid_non_bmp,
    ),
    Check(
        "valid-key-order",
        "acknowledges the same JSON in another key order",
        E,
        _variant("sorted-keys", "its keys in alphabetical order"),
    ),
    Check(
        "valid-escaped-slashes",
        "acknowledges the same JSON with \\/ escapes",
        E,
        _variant("escaped-slashes", "every '/' written as '\\/'"),
    ),
    Check(
        "valid-whitespace",
        "acknowledges the same JSON pretty-printed",
        E,
        _variant("pretty", "indentation and spaces"),
    ),
    Check(
        "valid-ascii-escapes",
        "acknowledges the same JSON with non-ASCII escaped",
        W,
        _variant("ascii", "every non-ASCII character as a \\uXXXX escape"),
    ),
    Check("unknown-event", "acknowledges an event type it does not handle", E, _unknown_event),
    Check(
        "forged-wrong-secret",
        "rejects a body signed with another secret",
        E,
        _forged("wrong-secret"),
    ),
    Check(
        "forged-tampered-body", "rejects a body changed after signing", E, _forged("tampered-body")
    ),
    Check(
        "forged-last-digit",
        "rejects a signature with its last hex digit changed",
        E,
        _forged("last-digit"),
    ),
    Check(
        "forged-signature-prefix",
        "rejects a signature with only its first half right",
        E,
        _forged("signature-prefix"),
    ),
    Check(
        "forged-missing-signature",
        "rejects a request without x-zm-signature",
        E,
        _forged("missing-signature"),
    ),
    Check(
        "forged-missing-timestamp",
        "rejects a request without x-zm-request-timestamp",
        E,
        _forged("missing-timestamp"),
    ),
    Check(
        "forged-non-numeric-timestamp",
        "rejects a non-numeric timestamp",
        E,
        _forged("non-numeric-timestamp"),
    ),
    Check(
        "forged-wrong-scheme",
        "rejects a signature under another scheme (v1=)",
        E,
        _forged("wrong-scheme"),
    ),
    Check("forged-empty-signature", "rejects an empty signature", E, _forged("empty-signature")),
    Check(
        "replay-stale",
        "rejects a correctly signed request older than the tolerance",
        E,
        _replay(-1),
    ),
    Check("replay-future", "rejects a timestamp further ahead than the tolerance", E, _replay(+1)),
    Check("malformed-not-json", "answers a non-JSON body without a 5xx", E, _malformed("not-json")),
    Check(
        "malformed-empty-body", "answers an empty body without a 5xx", E, _malformed("empty-body")
    ),
    Check(
        "malformed-json-array", "answers a JSON array without a 5xx", E, _malformed("json-array")
    ),
    Check(
        "malformed-huge-body",
        "answers a body of several MB without a 5xx",
        E,
        _malformed("huge-body"),
    ),
    Check(
        "malformed-content-type",
        "answers a text/plain content type without a 5xx",
        W,
        _malformed("content-type"),
    ),
    Check(
        "duplicate-delivery",
        "acknowledges a duplicate delivery (and processes it once)",
        E,
        _duplicate,
    ),
    Check(
        "deadline-under-load",
        "acknowledges concurrent deliveries within the deadline",
        E,
        _under_load,
    ),
)

CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)


def find_check(check_id: str) -> Check:
    for check in CHECKS:
        if check.id == check_id:
            return check
    import difflib

    close = difflib.get_close_matches(check_id, CHECK_IDS, n=3)
    hint = f"did you mean {', '.join(map(repr, close))}?" if close else "see hookmock.CHECK_IDS"
    raise ConfigurationError(f"unknown conformance check {check_id!r}: {hint}")


def run_checks(
    zoom: Zoom,
    target: Any,
    *,
    path: str | None = None,
    only: Sequence[str] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    concurrency: int = DEFAULT_CONCURRENCY,
    probe: Callable[[], int] | None = None,
    probe_event: str = "meeting.started",
) -> ConformanceReport:
    """Run the battery (or the checks named in *only*) against *target*.

    :raises ReceiverUnreachableError: when the first delivery cannot reach the receiver at all.
    """
    from .checkreport import ConformanceReport

    if tolerance <= 0:
        raise ConfigurationError(f"tolerance must be a positive number of seconds, got {tolerance}")
    if concurrency < 1:
        raise ConfigurationError(f"concurrency must be at least 1, got {concurrency}")
    checks = [find_check(c) for c in only] if only is not None else list(CHECKS)
    resolved = as_target(target, path=path)
    subscription = Subscription("conformance", "conformance", resolved, None)
    battery = _Battery(
        zoom,
        subscription,
        tolerance=tolerance,
        concurrency=concurrency,
        probe=probe,
        probe_event=probe_event,
    )
    results: list[CheckResult] = []
    for check in checks:
        begin = time.perf_counter()
        first = len(battery.sent)
        ok, detail = check.run(battery)
        detail = mask_urls(redact(detail, zoom.secrets() + url_secrets(resolved.url)))
        mine = battery.sent[first:]
        if not results and mine and all(d.outcome is Outcome.CONNECTION_ERROR for d in mine):
            raise ReceiverUnreachableError(
                f"cannot reach {mask_url(resolved.url)}: {mine[0].error or 'connection failed'}"
            )
        outcome = (
            Verdict.PASS
            if ok
            else (Verdict.FAIL if check.severity is Severity.ERROR else Verdict.WARN)
        )
        results.append(
            CheckResult(
                check.id,
                check.title,
                check.severity,
                outcome,
                detail,
                mine,
                time.perf_counter() - begin,
            )
        )
    return ConformanceReport(
        mask_url(resolved.url), results, _latency(battery.latencies), tolerance
    )


def _latency(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50_ms": round(_percentile(values, 50) * 1000, 2),
        "p95_ms": round(_percentile(values, 95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }
