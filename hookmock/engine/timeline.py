"""Provider time: retries on the provider's schedule, periodic re-validation of subscriptions,
and scripted network faults. Mixed into :class:`~hookmock.engine.simulator.Provider`."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..errors import ConfigurationError, SubscriptionError
from ..records.fields import frozen_error
from ..records.masking import mask_url
from ..records.outcome import Outcome
from .delivery import Delivery, DeliveryLog
from .scheduler import Job, ProviderClock, Scheduler

if TYPE_CHECKING:
    from .adapter import Adapter
    from .subscription import Subscription

__all__ = ["FAULTS", "JOB_KINDS", "Notice", "Timeline"]


class Notice:
    """Something the provider tells the app's owner, or records about a subscription: a warning
    email after failed re-validations, a disabled subscription, a dropped event. Immutable."""

    # A plain class: this module is imported with every provider, and a dataclass's generated
    # methods cost start-up time (``hookmock fake``).
    __slots__ = ("at", "message", "subscription")

    at: float
    subscription: str
    message: str

    def __init__(self, at: float, subscription: str, message: str) -> None:
        setter = object.__setattr__
        setter(self, "at", at)
        setter(self, "subscription", subscription)
        setter(self, "message", message)

    def __repr__(self) -> str:
        return (
            f"Notice(at={self.at!r}, subscription={self.subscription!r}, message={self.message!r})"
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not Notice:
            return NotImplemented
        return (self.at, self.subscription, self.message) == (
            other.at,
            other.subscription,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.at, self.subscription, self.message))

    def __setattr__(self, name: str, value: object) -> None:
        raise frozen_error(name, kind="a Notice")

    def __delattr__(self, name: str) -> None:
        raise frozen_error(name, deleting=True, kind="a Notice")


#: Scripted network faults for :meth:`Provider.fail_next`: outcome and the recorded reason.
FAULTS = {
    "refused": (Outcome.CONNECTION_ERROR, "connection refused (scripted fault)"),
    "reset": (Outcome.CONNECTION_ERROR, "connection reset by the receiver (scripted fault)"),
    "timeout": (Outcome.TIMEOUT, "no answer within the deadline (scripted fault)"),
}


#: The :attr:`~hookmock.engine.scheduler.Job.kind` of the jobs a timeline schedules.
RETRY_JOB = "retry"
REVALIDATION_JOB = "revalidation"
JOB_KINDS = (RETRY_JOB, REVALIDATION_JOB)


class Timeline:
    """Retries, re-validation and scripted faults, on the provider's clock, as the provider's
    adapter says (its ``retry_delays``, ``retryable``, ``revalidation_interval``...)."""

    adapter: Adapter
    deadline: float
    clock: ProviderClock
    scheduler: Scheduler
    retry_timestamps: str
    deliveries: DeliveryLog
    subscriptions: list[Subscription]
    notices: list[Notice]
    _faults: deque[tuple[str, Subscription | None]]
    deliver: Callable[..., Delivery]

    def _schedule_revalidation(self, subscription: Subscription, since: float) -> None:
        """Plan the next re-validation one interval after *since* (the previous one's planned
        time, so that the period does not drift by the time each validation takes)."""
        interval = self.adapter.revalidation_interval
        if interval is None or not subscription.active:
            return
        due = since + interval
        self.scheduler.schedule(
            due,
            REVALIDATION_JOB,
            f"re-validate {subscription.name} ({mask_url(subscription.url)})",
            lambda: self._revalidate(subscription, due),
            periodic=True,
            owner=subscription,
        )

    def _revalidate(self, subscription: Subscription, due: float) -> None:
        if not subscription.active or subscription not in self.subscriptions:
            return
        try:
            self.adapter.validate_endpoint(subscription)
        except SubscriptionError as error:
            subscription.failures += 1
            count = subscription.failures
            first = str(error).splitlines()[0]
            limit = self.adapter.revalidation_limit
            if limit is not None and count >= limit:
                subscription.active = False
                self._notice(
                    subscription,
                    f"disabled after {count} consecutive failed re-validations; nothing is "
                    f"delivered to it any more (last failure: {first})",
                )
                for job in self.scheduler.pending():
                    if job.owner is subscription:
                        self.scheduler.cancel(job)
                return
            if count in self.adapter.revalidation_warnings:
                self._notice(
                    subscription,
                    f"warning to the app's owner: {count} consecutive failed re-validations "
                    f"({first})",
                )
        else:
            subscription.failures = 0
        self._schedule_revalidation(subscription, due)

    def _notice(self, subscription: Subscription, message: str) -> None:
        self.notices.append(Notice(self.clock(), subscription.name, message))

    def fail_next(
        self, kind: str = "timeout", *, times: int = 1, to: Subscription | None = None
    ) -> None:
        """Make the simulated network fail the next *times* attempts (to *to*, or to any
        subscription) before they reach the receiver: ``"refused"``, ``"reset"`` or
        ``"timeout"``. The attempts are recorded, and retried, like real failures."""
        if kind not in FAULTS:
            raise ConfigurationError(f"unknown fault {kind!r}; choose one of: {', '.join(FAULTS)}")
        self._faults.extend([(kind, to)] * times)

    def _take_fault(self, subscription: Subscription) -> str | None:
        for index, (kind, to) in enumerate(self._faults):
            if to is None or to is subscription:
                del self._faults[index]
                return kind
        return None

    def _plan_next(self, delivery: Delivery, subscription: Subscription) -> None:
        if delivery.acknowledged:
            delivery.next_step = "done: acknowledged"
            return
        adapter = self.adapter
        if not adapter.retryable(delivery.outcome):
            delivery.next_step = f"final: {adapter.name} does not retry a {delivery.outcome.value}"
            return
        final = adapter.final_step(delivery)
        if final is not None:
            delivery.next_step = f"final: {final}"
            return
        delays = adapter.retry_delays
        if delivery.attempt > len(delays):
            delivery.next_step = f"dropped after {delivery.attempt - 1} retries"
            delivery.dropped = True
            self._notice(
                subscription,
                f"dropped {delivery.event.name!r} after {delivery.attempt} failed attempts",
            )
            return
        delay = delays[delivery.attempt - 1]
        due = delivery.sent_at + delay
        delivery.next_step = f"retry {delivery.attempt} at +{_duration(delay)}"
        keep: dict[str, str | None] = {
            name: delivery.request.header(name) for name in adapter.retry_headers
        }
        original = None
        if self.retry_timestamps == "original":
            if adapter.timestamp_header is not None:
                original = delivery.request.header(adapter.timestamp_header)
            keep.update({name: delivery.request.header(name) for name in adapter.signature_headers})
        keep.update(adapter.retry_request_headers(delivery))

        def run() -> None:
            if not subscription.active:
                self._notice(
                    subscription,
                    f"retry {delivery.attempt} of {delivery.event.name!r} not sent: "
                    "the subscription is disabled",
                )
                return
            self.deliver(
                delivery.event,
                subscription,
                headers=keep or None,
                timestamp=original,
                attempt=delivery.attempt + 1,
                retry=True,
                chain=delivery.chain,
            )

        self.scheduler.schedule(
            due,
            RETRY_JOB,
            f"retry {delivery.attempt} of {delivery.event.name!r} to {subscription.name}",
            run,
            owner=subscription,
        )

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> list[Delivery]:
        """Move provider time ahead, making every retry and re-validation that falls due.

        :returns: the deliveries made on the way.
        """
        with self._recording() as made:
            self.scheduler.advance(seconds + 60 * minutes + 3600 * hours + 86400 * days)
        return made

    def run_until_idle(self) -> list[Delivery]:
        """Make every pending retry, moving provider time to each; re-validations due on the
        way happen too. :returns: the deliveries made."""
        with self._recording() as made:
            self.scheduler.run_until_idle()
        return made

    @contextmanager
    def _recording(self) -> Iterator[list[Delivery]]:
        """The deliveries recorded inside the block, every one, whatever the log keeps."""
        made: list[Delivery] = []
        stop = self.deliveries.on_append(made.append)
        try:
            yield made
        finally:
            stop()

    def pending(self) -> list[Job]:
        """Retries and re-validations scheduled and not yet made, soonest first."""
        return self.scheduler.pending()


def _duration(seconds: float) -> str:
    """A retry delay as the providers' schedules write it: ``5 s``, ``60 min``, ``2 h``."""
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds <= 3600 or seconds % 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"
