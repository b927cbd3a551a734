"""The receiver conformance battery's runner: what the provider sends, what an attacker sends,
and what a correct receiver answers to each. The checks are the provider's (its
:class:`~hookmock.conformance.base.Suite`); running them, telling a verdict from an inconclusive
answer and reporting are the same for every provider.

The battery runs the positive checks first, which finds the event types the receiver
acknowledges when they are correctly signed; every forgery and replay is then carried on one of
them. A check waits for the full deadline only when the receiver is actually slow, so the
battery takes a few seconds against a healthy receiver. Its report works out root causes from
all the checks together (see :mod:`hookmock.conformance.rootcauses`).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..engine.delivery import Delivery
from ..engine.subscription import Subscription
from ..errors import ConfigurationError
from ..generate.catalog import find_event
from ..records.masking import mask_url, mask_urls, redact, url_secrets
from ..records.outcome import Outcome
from ..transports.targets import as_target
from .base import (
    Battery,
    Check,
    CheckResult,
    Family,
    Found,
    ReceiverUnreachableError,
    Severity,
    Suite,
    Verdict,
    percentile,
)
from .report import ConformanceReport
from .rootcauses import Facts

if TYPE_CHECKING:
    from ..engine.simulator import Provider

__all__ = [
    "Check",
    "CheckResult",
    "ReceiverUnreachableError",
    "Severity",
    "Suite",
    "Verdict",
    "battery_checks",
    "check_ids",
    "find_check",
    "run_checks",
    "select_checks",
]

#: Seconds a correct receiver allows between the signed timestamp and its own clock.
DEFAULT_TOLERANCE = 300.0
#: Deliveries in the deadline-under-load check.
DEFAULT_CONCURRENCY = 10

#: Called as each check starts (``result`` None) and ends: ``(index, total, check, result)``.
Progress = Callable[[int, int, Check, "CheckResult | None"], None]


def battery_checks(
    suite: Suite, provider: str, events: Sequence[str] | None = None
) -> tuple[Check, ...]:
    """A provider's battery, in order, when it sends *events* (the suite's default ones when
    None).

    :param provider: the name of the provider whose catalog the event names are looked up in.
    :raises UnknownEventError: for an event name the provider's catalog does not know."""
    names = suite.default_events if events is None else _event_names(suite, provider, events)
    return suite.build(names)


def check_ids(suite: Suite, provider: str, events: Sequence[str] | None = None) -> tuple[str, ...]:
    """The ids of the battery's checks when it sends *events* (the default ones when None)."""
    return tuple(c.id for c in battery_checks(suite, provider, events))


def find_check(check_id: str, checks: Sequence[Check]) -> Check:
    for check in checks:
        if check.id == check_id:
            return check
    ids = [c.id for c in checks]
    close = difflib.get_close_matches(check_id, ids, n=3)
    hint = (
        f"did you mean {', '.join(map(repr, close))}?"
        if close
        else f"the checks are: {', '.join(ids)}"
    )
    if check_id.startswith("valid-event:"):
        hint += (
            " (there is a valid-event check for each event the battery sends: choose them with "
            "events=[...], on the command line --event NAME)"
        )
    if check_id == "fuzz-valid-events":
        hint = "it runs when asked for: fuzz=N, on the command line --fuzz N"
    raise ConfigurationError(f"unknown conformance check {check_id!r}: {hint}")


def select_checks(only: Sequence[str], checks: Sequence[Check]) -> list[Check]:
    """The checks named in *only*, in the battery's order; ``valid-event`` names every
    ``valid-event:NAME`` check.

    :raises ConfigurationError: for an unknown id, with the closest ones."""
    wanted: set[str] = set()
    for check_id in only:
        if check_id == "valid-event":
            wanted.update(c.id for c in checks if c.family is Family.EVENT)
        else:
            wanted.add(find_check(check_id, checks).id)
    return [c for c in checks if c.id in wanted]


def _event_names(suite: Suite, provider: str, events: Sequence[str]) -> tuple[str, ...]:
    if isinstance(events, str):
        events = [events]
    names = tuple(dict.fromkeys(find_event(e, provider) for e in events))
    if not names:
        example = suite.default_events[0]
        raise ConfigurationError(f"events must name at least one event, e.g. [{example!r}]")
    return names


def run_checks(
    provider: Provider,
    target: Any,
    *,
    suite: Suite,
    path: str | None = None,
    only: Sequence[str] | None = None,
    events: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    concurrency: int = DEFAULT_CONCURRENCY,
    probe: Callable[[], int] | None = None,
    probe_event: str | None = None,
    progress: Progress | None = None,
    fuzz: int = 0,
    fuzz_seed: int | None = None,
) -> ConformanceReport:
    """Run *suite*, the provider's battery (or the checks named in *only*, with what they need),
    against *target*.

    :param events: the event types sent correctly signed, each one a ``valid-event:NAME``
        check (default: the suite's :attr:`~hookmock.conformance.base.Suite.default_events`).
    :param probe_event: the event type the duplicate check counts with *probe* (default: the
        suite's first default event).
    :param overrides: dotted paths set in every generated event (``{"payload.object.topic":
        "Q3"}``).
    :param fuzz: add the ``fuzz-valid-events`` check, which sends that many schema-valid
        variations of *events* (see :mod:`hookmock.engine.fuzzing`); *fuzz_seed* reproduces a run.
    :raises ReceiverUnreachableError: when the first deliveries cannot reach the receiver.
    :raises ConfigurationError: for bad settings, before anything is sent.
    """
    if tolerance <= 0:
        raise ConfigurationError(f"tolerance must be a positive number of seconds, got {tolerance}")
    if concurrency < 1:
        raise ConfigurationError(f"concurrency must be at least 1, got {concurrency}")
    names = (
        _event_names(suite, provider.name, events) if events is not None else suite.default_events
    )
    every = suite.build(names)
    if fuzz:
        fuzzing = _fuzz_check(fuzz, fuzz_seed)
        every += (fuzzing,)
        if only is not None and fuzzing.id not in only:
            only = [*only, fuzzing.id]  # asked for by fuzz=, whatever else only= picks
    checks = select_checks(only, every) if only is not None else list(every)
    if probe is not None:
        probe_event = find_event(probe_event or suite.default_events[0], provider.name)
    resolved = as_target(target, path=path)
    subscription = Subscription("conformance", "conformance", resolved, None)
    battery = Battery(
        provider,
        subscription,
        suite=suite,
        events=names,
        overrides=overrides or {},
        tolerance=tolerance,
        concurrency=concurrency,
        probe=probe,
        probe_event=probe_event,
    )
    for name in names:  # bad overrides fail here, before anything is sent
        battery.event(name)
    last_negative = max((i for i, c in enumerate(checks) if c.family.negative), default=-1)
    results: list[CheckResult] = []
    diagnostics: list[Delivery] = []
    for index, check in enumerate(checks):
        if progress is not None:
            progress(index, len(checks), check, None)
        if check.family not in (Family.VALIDATION, Family.EVENT) and not battery.baseline_done:
            first = len(battery.sent)
            battery.establish_baseline()
            diagnostics += battery.sent[first:]
            _raise_if_unreachable(battery.sent, resolved.url)
        begin = time.perf_counter()
        first = len(battery.sent)
        found = check.run(battery)
        mine = battery.sent[first:]
        _raise_if_unreachable(battery.sent, resolved.url)
        severity = check.severity if found.ok is not False else found.severity or check.severity
        if found.ok is None:
            outcome = Verdict.INCONCLUSIVE
        elif found.ok:
            outcome = Verdict.PASS
        else:
            outcome = Verdict.FAIL if severity is Severity.ERROR else Verdict.WARN
        masked = provider.adapter.secrets() + url_secrets(resolved.url)
        result = CheckResult(
            check.id,
            check.title,
            severity,
            outcome,
            mask_urls(redact(found.detail, masked)),
            mine,
            time.perf_counter() - begin,
            check.family,
        )
        results.append(result)
        if index == last_negative:
            diagnostics += _control(battery, results)
        if progress is not None:
            progress(index, len(checks), check, result)
    _undistinguished_variants(results, suite)
    facts = Facts(
        target=mask_url(resolved.url),
        signed=dict(battery.signed),
        diagnosis=dict(battery.diagnosis),
        validation=battery.validation,
        validation_ok=battery.validation_ok,
        validation_problems=list(battery.validation_problems),
        control=battery.control,
    )
    causes = suite.root_causes(results, facts)
    return ConformanceReport(
        mask_url(resolved.url),
        results,
        _latency(battery.latencies),
        tolerance,
        root_causes=causes,
        facts=facts,
        diagnostics=diagnostics,
    )


def _fuzz_check(examples: int, seed: int | None) -> Check:
    """The ``fuzz-valid-events`` check; refused before anything is sent when it cannot run."""
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ConfigurationError(
            f"fuzz (--fuzz) must be a positive number of examples, got {examples!r}"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ConfigurationError(f"fuzz_seed must be a non-negative integer, got {seed!r}")
    try:
        from ..engine import fuzzing
    except ImportError as error:
        raise ConfigurationError(str(error)) from None

    def run(battery: Battery) -> Found:
        report = fuzzing.fuzz(
            battery.provider,
            battery.subscription,
            events=battery.events,
            max_examples=examples,
            seed=seed,
            overrides=battery.overrides,
        )
        battery.sent += [failure.delivery for failure in report.failures]
        return Found(fuzzing.verdict(report), str(report))

    return Check(fuzzing.CHECK_ID, fuzzing.CHECK_TITLE, Severity.ERROR, run, Family.VARIANT)


def _control(battery: Battery, results: list[CheckResult]) -> list[Delivery]:
    """After the negative checks, one correctly signed delivery: a receiver that stopped
    accepting anything (a lockout, a rate limit) refused the forgeries for no telling reason."""
    passed = [r for r in results if r.family.negative and r.outcome is Verdict.PASS]
    carrier = battery.carrier
    if not passed or carrier is None:
        return []
    control = battery.deliver(battery.event(carrier))
    battery.control = control
    if not control.acknowledged:
        for result in passed:
            result.outcome = Verdict.INCONCLUSIVE
            result.detail += (
                f"\ninconclusive: a correctly signed {carrier} sent after the negative checks "
                f"was not acknowledged either ({control.outcome.value}), so this refusal "
                "proves nothing"
            )
            result.deliveries.append(control)
    return [control]


def _undistinguished_variants(results: list[CheckResult], suite: Suite) -> None:
    """A receiver that acknowledges a wrongly signed body acknowledges every byte form of the
    JSON too, whether or not its signature check would accept it: a 2xx to a byte form then
    shows nothing about that check, so those checks are inconclusive rather than passed."""
    by_id = {r.id: r for r in results}
    acknowledged = next(
        (
            check_id
            for check_id in suite.signature_forgeries
            if check_id in by_id
            and by_id[check_id].outcome is Verdict.FAIL
            and any(d.acknowledged for d in by_id[check_id].deliveries[-1:])
        ),
        None,
    )
    if acknowledged is None:
        return
    from ..engine import fuzzing

    for result in results:
        if (
            result.family is Family.VARIANT
            and result.id != fuzzing.CHECK_ID
            and result.outcome is Verdict.PASS
        ):
            result.outcome = Verdict.INCONCLUSIVE
            result.detail += (
                f"\ninconclusive: the receiver also acknowledged a wrongly signed body "
                f"({acknowledged}), so acknowledging this byte form does not show that its "
                "signature check accepts it"
            )


def _raise_if_unreachable(sent: Sequence[Delivery], url: str) -> None:
    if sent and all(d.outcome is Outcome.CONNECTION_ERROR for d in sent):
        raise ReceiverUnreachableError(
            f"cannot reach {mask_url(url)}: {sent[0].error or 'connection failed'}"
        )


def _latency(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p95_ms": round(percentile(values, 95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }
