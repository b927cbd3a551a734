"""Fuzzing a receiver with schema-valid events, driven by Hypothesis (see :meth:`Provider.fuzz`).

Hypothesis draws examples from :func:`hookmock.strategies.variations`, hookmock delivers each one
correctly signed, and a delivery the receiver does not acknowledge in time is a failure.
Hypothesis then shrinks the example towards the generated event. The changes left in it are then
undone one at a time: a change the failure does not need stays undone, and the ones whose undoing
gets the delivery acknowledged are reported as the fields that made the difference. Failures that
end differently (another status, another exception in the receiver) are found and shrunk separately.

A run is reproducible from its seed: the same seed, events and number of examples send the same
examples (up to the times in them) to a receiver that answers the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from ..generate import catalog
from ..records.outcome import Outcome
from ..strategies import Change, Variation, unchanged, variations
from .delivery import Delivery, DeliveryLog

if TYPE_CHECKING:
    from typing import Protocol

    from ..generate.events import Event
    from ..generate.profile import GenerationProfile
    from .subscription import Subscription

    class Provider(Protocol):
        """What fuzzing uses of a simulated provider (:class:`hookmock.Zoom` and others)."""

        name: str
        seed: int
        deliveries: DeliveryLog
        generation: GenerationProfile
        generation_hooks: list[Callable[[str, Any], Any]]

        def clock(self) -> float: ...

        def deliver(self, event: Event, subscription: Subscription) -> Delivery: ...


__all__ = ["CHECK_ID", "CHECK_TITLE", "FuzzFailure", "FuzzReport", "fuzz", "verdict"]

#: How much of a shrunk body the report's text shows (the whole body is on the failure).
BODY_EXCERPT = 1500


@dataclass(frozen=True, eq=False)
class FuzzFailure:
    """A delivery the receiver did not acknowledge in time, shrunk.

    :ivar event: the event name.
    :ivar delivery: the delivery of the shrunk example, with the receiver's answer.
    :ivar changes: how the shrunk example departs from the generated event; each is needed
        (undoing it gets the delivery acknowledged or makes it fail another way).
    :ivar decisive: the changes whose undoing got the delivery acknowledged: the fields that
        made the difference. Empty when no single one did (see :attr:`changes`).
    :ivar signature: how the delivery ended (``"server error 500"``, ``"application error:
        KeyError at app.py:12"``); failures with different signatures are shrunk separately.
    """

    event: str
    delivery: Delivery
    changes: tuple[Change, ...]
    decisive: tuple[Change, ...]
    signature: str

    @property
    def body(self) -> bytes:
        """The shrunk body, exactly as sent."""
        return self.delivery.request.body

    def explain(self) -> str:
        """Which fields made the difference, in a sentence."""
        if not self.changes:
            return "the event as hookmock generates it, unchanged, was not acknowledged"
        if self.decisive:
            listed = "; ".join(change.describe() for change in self.decisive)
            fields = "field" if len(self.decisive) == 1 else "fields"
            return f"the {fields} that made the difference: {listed}"
        listed = "; ".join(change.describe() for change in self.changes)
        return f"no single field made the difference; together: {listed}"

    def hint(self) -> str:
        """A likely cause, when the failure points at a common mistake; else ``""``."""
        kinds = {change.kind.split(":")[0] for change in self.decisive}
        status = self.delivery.response.status if self.delivery.response else None
        if status in (401, 403) and kinds == {"unusual text"}:
            return (
                "the receiver refused a correctly signed body for its text: does it verify a "
                "re-serialized body (json.dumps(request.json), JSON.stringify(req.body)) "
                "instead of the raw bytes? Zoom escapes characters outside the BMP, "
                "re-serializing does not"
            )
        if self.delivery.outcome in (Outcome.LATE, Outcome.TIMEOUT):
            return (
                f"the receiver took longer than Zoom's {self.delivery.deadline:g} s on this body; "
                "Zoom retries it as a failure: acknowledge first, then do the work"
            )
        if kinds == {"absent"}:
            return (
                "the receiver needs a field its schema makes optional; real deliveries leave "
                "optional fields out: read it with .get() and carry on without it"
            )
        if kinds == {"empty"}:
            return (
                "real deliveries carry empty strings (a guest's email, id and registrant_id "
                'are ""): handle them'
            )
        return ""


@dataclass(eq=False)
class FuzzReport:
    """What a fuzzing run found.

    :ivar seed: Hypothesis's seed; the same seed reproduces the run.
    :ivar events: the event names fuzzed.
    :ivar max_examples: the number of examples asked for.
    :ivar deliveries: the deliveries made: one of each event unchanged first, the examples
        (shrinking included), and the undo checks.
    :ivar examples: the examples Hypothesis ran, shrinking included.
    :ivar failures: one per distinct way the receiver failed, shrunk.
    :ivar flaky: why the run is not conclusive when the receiver answered the same example
        differently on a second try, else ``None``.
    """

    seed: int
    events: tuple[str, ...]
    max_examples: int
    target: str
    deliveries: int = 0
    examples: int = 0
    failures: list[FuzzFailure] = field(default_factory=list)
    flaky: str | None = None

    @property
    def ok(self) -> bool:
        """Every example was acknowledged in time."""
        return not self.failures and self.flaky is None

    def __str__(self) -> str:
        head = (
            f"fuzzed {self.target}\n"
            f"events: {', '.join(self.events)}; {self.max_examples} examples; seed {self.seed}"
        )
        if self.ok:
            sent = len(self.events) + self.examples
            return f"{head}\nall {sent} deliveries were acknowledged in time"
        lines = [head]
        if self.failures:
            count = len(self.failures)
            lines.append(
                f"{count} way{'s' if count > 1 else ''} the receiver failed to acknowledge a "
                "correctly signed, schema-valid delivery:"
            )
        for number, failure in enumerate(self.failures, 1):
            lines += _failure_lines(number, failure)
        if self.flaky:
            lines.append(f"inconclusive: {self.flaky}")
        lines.append(
            f"reproduce with seed={self.seed} (on the command line: --fuzz-seed {self.seed})"
        )
        return "\n".join(lines)

    def assert_all_acknowledged(self) -> None:
        """Assert that every example was acknowledged in time; the message is the report."""
        __tracebackhide__ = True
        if not self.ok:
            raise AssertionError(str(self))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "seed": self.seed,
            "events": list(self.events),
            "max_examples": self.max_examples,
            "deliveries": self.deliveries,
            "flaky": self.flaky,
            "failures": [
                {
                    "event": f.event,
                    "signature": f.signature,
                    "explanation": f.explain(),
                    "decisive": [{"path": c.dotted, "kind": c.kind} for c in f.decisive],
                    "body": f.body.decode("utf-8", "replace"),
                    "status": f.delivery.response.status if f.delivery.response else None,
                }
                for f in self.failures
            ],
        }


def _failure_lines(number: int, failure: FuzzFailure) -> list[str]:
    delivery = failure.delivery
    text = failure.body.decode("utf-8", "replace")
    if len(text) > BODY_EXCERPT:
        text = text[:BODY_EXCERPT] + f"… ({len(failure.body)} bytes in all)"
    lines = [
        f"{number}. {failure.event}: {failure.signature}",
        f"   {failure.explain()}",
        f"   shrunk body: {text}",
    ]
    hint = failure.hint()
    if hint:
        lines.append(f"   hint: {hint}")
    if delivery.response is not None and delivery.response.body:
        answer = delivery.response.text.strip().splitlines()
        lines.append(f"   answer: {delivery.response.status} {answer[0][:200] if answer else ''}")
    elif delivery.error:
        lines.append(f"   error: {delivery.error.strip().splitlines()[-1][:200]}")
    return lines


class _Unacknowledged(Exception):
    """Raised inside the Hypothesis test for a delivery that was not acknowledged."""

    def __init__(self, variation: Variation, delivery: Delivery, signature: str) -> None:
        super().__init__(signature)
        self.variation = variation
        self.delivery = delivery
        self.signature = signature


_FRAME = re.compile(r'File "([^"]+)", line (\d+)')


def signature(delivery: Delivery) -> str:
    """How a failed delivery ended, in a few words that tell one failure from another."""
    outcome = delivery.outcome.value
    if delivery.response is not None:
        return f"{outcome} {delivery.response.status}"
    error = (delivery.error or "").strip()
    frames = _FRAME.findall(error)
    if frames:
        path, line = frames[-1]
        last = error.splitlines()[-1]
        kind = last.split(":", 1)[0]
        return f"{outcome}: {kind} at {path.rsplit('/', 1)[-1]}:{line}"
    return outcome


def fuzz(
    provider: Provider,
    subscription: Subscription,
    *,
    events: str | Sequence[str] | None = None,
    max_examples: int = 100,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> FuzzReport:
    """Deliver *max_examples* schema-valid examples of *events* to *subscription* and report the
    ones the receiver did not acknowledge in time (see :meth:`Provider.fuzz`)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as fixed_seed

    names = _event_names(provider, subscription, events)
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise ConfigurationError(f"max_examples must be a positive integer, got {max_examples!r}")
    if seed is None:
        seed = provider.seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigurationError(f"seed must be a non-negative integer, got {seed!r}")
    report = FuzzReport(seed, names, max_examples, subscription.target.describe())
    # The event every example shrinks towards goes first: a receiver that refuses it (a wrong
    # secret, an endpoint that is down) would make every example fail, slowly at the deadline.
    accepted = []
    for name in names:
        control = unchanged(name, overrides=overrides, provider=provider)
        report.deliveries += 1
        delivery = provider.deliver(control.event, subscription)
        if delivery.outcome.acknowledged:
            accepted.append(name)
        else:
            report.failures.append(FuzzFailure(name, delivery, (), (), signature(delivery)))
    if not accepted:
        return report
    kinds: dict[str, type[_Unacknowledged]] = {}

    examples = [0]

    def deliver(variation: Variation) -> None:
        examples[0] += 1
        report.deliveries += 1
        delivery = provider.deliver(variation.event, subscription)
        if not delivery.outcome.acknowledged:
            found = signature(delivery)
            # One exception class per signature: Hypothesis tells failures apart by type and
            # place, so each way of failing is shrunk on its own.
            kind = kinds.setdefault(found, type("Unacknowledged", (_Unacknowledged,), {}))
            raise kind(variation, delivery, found)

    def search(names: Sequence[str]) -> Any:
        return fixed_seed(seed)(
            settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=False,
                print_blob=False,
                report_multiple_bugs=True,
                verbosity=Verbosity.quiet,
                phases=(Phase.generate, Phase.shrink),
                suppress_health_check=(
                    HealthCheck.too_slow,
                    HealthCheck.data_too_large,
                    HealthCheck.large_base_example,
                ),
            )(given(variations(names, overrides=overrides, provider=provider))(deliver))
        )

    # The examples, the shrinking and the undo checks are hundreds of deliveries: they go to a
    # log of their own, and the provider's log keeps what the report shows (the unchanged events
    # above and each failure's shrunk delivery), so that a failing test's report stays readable.
    log = provider.deliveries
    provider.deliveries = DeliveryLog()
    try:
        # Hypothesis stops looking soon after a first failure; the events that have none yet
        # are searched again, so one event's failure does not hide another's.
        remaining = list(accepted)
        while remaining and report.flaky is None:
            try:
                search(remaining)()
            except BaseException as error:
                found, flaky = _failures(error)
                report.flaky = flaky
                for failure in found:
                    report.failures.append(_explain(provider, subscription, failure, report))
                failed = {failure.variation.name for failure in found}
                remaining = [name for name in remaining if name not in failed]
                if failed:
                    continue
            break
    finally:
        provider.deliveries = log
    for shrunk in report.failures:
        if shrunk.changes:
            log.append(shrunk.delivery)
    report.examples = examples[0]
    return report


def _event_names(
    provider: Provider, subscription: Subscription, events: str | Sequence[str] | None
) -> tuple[str, ...]:
    if events is None:
        if not subscription.events:
            raise ConfigurationError(
                "say which events to fuzz the receiver with: events=['meeting.started', ...] "
                "(or fuzz a subscription made with events=[...])"
            )
        return tuple(sorted(subscription.events))
    listed = [events] if isinstance(events, str) else list(events)
    if not listed:
        raise ConfigurationError("events is empty: name at least one event to fuzz with")
    return tuple(catalog.find_event(name, provider.name) for name in dict.fromkeys(listed))


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def _failures(error: BaseException) -> tuple[list[_Unacknowledged], str | None]:
    """The receiver's failures in what Hypothesis raised; anything else is raised again."""
    from hypothesis.errors import Flaky

    flaky = None
    if isinstance(error, Flaky):
        flaky = (
            "the receiver answered the same delivery differently when it was sent again "
            "(its answer depends on something besides the body: state, time, load)"
        )
    found: list[_Unacknowledged] = []
    for leaf in _leaves(error):
        if isinstance(leaf, _Unacknowledged):
            if all(leaf.signature != seen.signature for seen in found):
                found.append(leaf)
        elif not isinstance(leaf, Flaky):
            raise error
    if not found and flaky is None:
        raise error
    return found, flaky


def _explain(
    provider: Provider, subscription: Subscription, failure: _Unacknowledged, report: FuzzReport
) -> FuzzFailure:
    """Undo the shrunk example's changes one at a time, keeping undone those the failure does not
    need; the changes left are each needed, and those whose undoing got the delivery acknowledged
    are the fields that made the difference."""
    variation = failure.variation
    kept = list(variation.changes)
    delivery = failure.delivery
    decisive: list[Change] = []
    for change in variation.changes:
        rest = [c for c in kept if c is not change]
        report.deliveries += 1
        attempt = provider.deliver(variation.with_changes(rest), subscription)
        if attempt.outcome.acknowledged:
            decisive.append(change)
        elif signature(attempt) == failure.signature:
            kept, delivery = rest, attempt
    return FuzzFailure(
        variation.name,
        delivery,
        tuple(kept),
        tuple(c for c in decisive if c in kept),
        failure.signature,
    )


#: The conformance check that fuzzes a receiver (``hookmock check URL --fuzz N``).
CHECK_ID = "fuzz-valid-events"
CHECK_TITLE = "acknowledges schema-valid variations of its events within the deadline"


def verdict(report: FuzzReport) -> bool | None:
    """The ``fuzz-valid-events`` check's verdict on a run: ``True`` when every correctly signed,
    schema-valid example was acknowledged within the deadline, ``False`` when one was not,
    ``None`` (inconclusive) when the receiver answered the same delivery differently on a second
    try."""
    return None if report.flaky is not None else report.ok
